#include "convgen/diagnostics.h"

#include <algorithm>
#include <cctype>

namespace convgen {

Diagnostics::Diagnostics(llvm::SourceMgr& sm) : sm_(sm) {
  sm_.setDiagHandler(
      [](const llvm::SMDiagnostic& d, void* self) {
        auto* diags = static_cast<Diagnostics*>(self);
        // The YAML parser's messages start with a capital; ours do not.
        std::string msg = d.getMessage().str();
        if (!msg.empty() && msg.size() > 1 && std::isupper(static_cast<unsigned char>(msg[0])) &&
            std::islower(static_cast<unsigned char>(msg[1])))
          msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
        diags->error(d.getLoc(), msg);
      },
      this);
}

namespace {

// Appends `c`, escaped when it is a control character.
void appendEscaped(std::string& out, char c) {
  const auto u = static_cast<unsigned char>(c);
  if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c == '\t') {
    out += "\\t";
  } else if (u < 0x20 || u == 0x7f) {
    static const char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[u >> 4];
    out += kHex[u & 15];
  } else {
    out += c;
  }
}

}  // namespace

std::string excerpt(llvm::StringRef text, std::size_t max_length) {
  std::string out;
  llvm::StringRef kept = text.take_front(max_length);
  if (kept.size() < text.size()) {
    // Do not cut a UTF-8 sequence in two.
    while (!kept.empty() && (static_cast<unsigned char>(kept.back()) & 0xC0) == 0x80)
      kept = kept.drop_back();
    if (!kept.empty() && static_cast<unsigned char>(kept.back()) >= 0xC0) kept = kept.drop_back();
  }
  for (char c : kept) appendEscaped(out, c);
  if (kept.size() < text.size()) out += "...";
  return out;
}

void Diagnostics::error(llvm::SMLoc loc, const llvm::Twine& message) {
  const std::string raw = message.str();
  std::string text;
  text.reserve(raw.size());
  for (char c : raw) appendEscaped(text, c);
  Entry entry{loc, std::move(text), arrivals_++};
  if (errors_.size() < kMaxStoredDiagnostics) {
    errors_.push_back(std::move(entry));
    return;
  }
  // Full: keep the earliest in source order.
  ++unstored_;
  if (!heap_) std::make_heap(errors_.begin(), errors_.end(), earlier), heap_ = true;
  if (!earlier(entry, errors_.front())) return;
  std::pop_heap(errors_.begin(), errors_.end(), earlier);
  errors_.back() = std::move(entry);
  std::push_heap(errors_.begin(), errors_.end(), earlier);
}

bool Diagnostics::earlier(const Entry& a, const Entry& b) {
  const std::less<const char*> before;
  if (a.loc.getPointer() != b.loc.getPointer())
    return before(a.loc.getPointer(), b.loc.getPointer());
  return a.order < b.order;
}

std::vector<Diagnostics::Entry> Diagnostics::sorted() const {
  std::vector<Entry> out = errors_;
  std::sort(out.begin(), out.end(), earlier);
  return out;
}

std::string Diagnostics::header(const Entry& e) const {
  const unsigned buf = e.loc.isValid() ? sm_.FindBufferContainingLoc(e.loc) : 0;
  if (buf == 0) return "error: " + e.message;
  auto [line, col] = sm_.getLineAndColumn(e.loc, buf);
  return (sm_.getMemoryBuffer(buf)->getBufferIdentifier() + ":" + llvm::Twine(line) + ":" +
          llvm::Twine(col) + ": error: " + e.message)
      .str();
}

// The source line of `loc` and a caret under it, clipped to kSourceWindow
// columns around the caret ("..." marks a cut). One column per character:
// tabs and control characters print as a space, a UTF-8 sequence as itself.
std::string Diagnostics::sourceAndCaret(llvm::SMLoc loc) const {
  const unsigned buf = sm_.FindBufferContainingLoc(loc);
  if (buf == 0) return "";
  const llvm::StringRef text = sm_.getMemoryBuffer(buf)->getBuffer();
  const std::size_t at = static_cast<std::size_t>(loc.getPointer() - text.begin());
  std::size_t begin = at, end = at;
  while (begin > 0 && text[begin - 1] != '\n' && text[begin - 1] != '\r') --begin;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
  auto is_continuation = [&](std::size_t i) {
    return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  // Columns are characters: count UTF-8 lead bytes only.
  auto columns = [&](std::size_t from, std::size_t to) {
    std::size_t n = 0;
    for (std::size_t i = from; i < to; ++i) n += !is_continuation(i);
    return n;
  };
  std::size_t from = begin, to = end;
  if (columns(begin, end) > kSourceWindow) {
    // Half the window before the caret, the rest after, by characters.
    from = at;
    for (std::size_t n = 0; from > begin && n < kSourceWindow / 2;) {
      --from;
      n += !is_continuation(from);
    }
    while (from > begin && is_continuation(from)) --from;
    to = from;
    for (std::size_t n = 0; to < end && n < kSourceWindow; ++to)
      if (!is_continuation(to)) ++n;
    while (to < end && is_continuation(to)) ++to;
  }
  std::string out;
  if (from > begin) out += "...";
  for (std::size_t i = from; i < to; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    out += u < 0x20 || u == 0x7f ? ' ' : text[i];
  }
  if (to < end) out += "...";
  out += '\n';
  out.append((from > begin ? 3 : 0) + columns(from, std::min(at, end)), ' ');
  out += "^\n";
  return out;
}

void Diagnostics::print(llvm::raw_ostream& os, bool show_source, std::size_t max_shown) const {
  // Not SourceMgr::PrintMessage: with our handler installed it would route
  // the message back into this object instead of printing it; and it prints
  // whole lines, however long.
  const std::vector<Entry> entries = sorted();
  std::string out;
  const std::size_t shown = std::min(max_shown, entries.size());
  for (std::size_t i = 0; i < shown; ++i) {
    out += header(entries[i]);
    out += '\n';
    if (show_source && entries[i].loc.isValid()) out += sourceAndCaret(entries[i].loc);
  }
  const std::size_t total = errorCount();
  if (shown < total)
    out += std::to_string(total - shown) + " more error" + (total - shown == 1 ? "" : "s") +
           " not shown (" + std::to_string(shown) + " of " + std::to_string(total) + " printed)\n";
  os << out;
  os.flush();
}

std::vector<std::string> Diagnostics::lines() const {
  std::vector<std::string> out;
  for (const Entry& e : sorted()) out.push_back(header(e));
  return out;
}

}  // namespace convgen
