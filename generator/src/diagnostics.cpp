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
  errors_.push_back({loc, std::move(text), static_cast<unsigned>(errors_.size())});
}

std::vector<Diagnostics::Entry> Diagnostics::sorted() const {
  std::vector<Entry> out = errors_;
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.loc.getPointer() < b.loc.getPointer();
  });
  return out;
}

void Diagnostics::print(llvm::raw_ostream& os, bool show_source) const {
  if (!show_source) {
    for (const std::string& line : lines()) os << line << "\n";
    return;
  }
  // Not SourceMgr::PrintMessage: with our handler installed it would route
  // the message back into this object instead of printing it.
  for (const Entry& e : sorted())
    if (!e.loc.isValid())
      os << "error: " << e.message << "\n";
    else
      sm_.GetMessage(e.loc, llvm::SourceMgr::DK_Error, e.message).print(nullptr, os, false);
}

std::vector<std::string> Diagnostics::lines() const {
  std::vector<std::string> out;
  for (const Entry& e : sorted()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    const unsigned buf = e.loc.isValid() ? sm_.FindBufferContainingLoc(e.loc) : 0;
    if (buf != 0) {
      auto [line, col] = sm_.getLineAndColumn(e.loc, buf);
      os << sm_.getMemoryBuffer(buf)->getBufferIdentifier() << ":" << line << ":" << col
         << ": error: " << e.message;
    } else {
      os << "error: " << e.message;
    }
    out.push_back(os.str());
  }
  return out;
}

}  // namespace convgen
