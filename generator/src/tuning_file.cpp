// The tuning file (tuning.h): JSON through llvm/Support/JSON.h, read as
// untrusted input. Syntax errors are located by the parser's own offset,
// duplicate keys by a second reading (reportDuplicateKeys);
// llvm::json::Value keeps no positions, so a semantic error is located by
// finding its key's quoted text in the file: the entry's key (unique: the
// parser rejects duplicate keys), then the field's name after it. A key
// spelled with escapes is not found that way and the error points at the
// enclosing entry (or the file's start) instead.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/fingerprint.h"
#include "convgen/isa.h"
#include "convgen/tuning.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

namespace convgen {
namespace {

namespace json = llvm::json;

// A tuning file lists layer shapes: a few KB per hundred layers.
constexpr std::uint64_t kMaxTuningBytes = 16u << 20;
// Tiles are bounded by register files (32 vectors at most); 64 leaves room
// for any ISA without letting absurd numbers through to the planner.
constexpr std::int64_t kMaxTileValue = 64;

class Reader {
 public:
  Reader(llvm::StringRef text, Diagnostics& diags) : text_(text), diags_(diags) {}

  // The quoted `key` followed by ':' at or after `from`, else `fallback`.
  const char* find(llvm::StringRef key, const char* from, const char* fallback) const {
    const std::string quoted = "\"" + key.str() + "\"";
    for (std::size_t at = text_.find(quoted, from - text_.data()); at != llvm::StringRef::npos;
         at = text_.find(quoted, at + 1)) {
      std::size_t after = at + quoted.size();
      while (after < text_.size() && llvm::StringRef(" \t\r\n").contains(text_[after])) ++after;
      if (after < text_.size() && text_[after] == ':') return text_.data() + at;
    }
    return fallback;
  }
  void error(const char* at, const llvm::Twine& message) {
    diags_.error(llvm::SMLoc::getFromPointer(at), message);
  }
  // Reports members of `o` not in `known`, at their keys after `from`.
  void unknownKeys(const json::Object& o, std::initializer_list<llvm::StringRef> known,
                   const char* from, llvm::StringRef what) {
    std::vector<std::string> names;
    for (const auto& kv : o) names.push_back(kv.first.str());
    std::sort(names.begin(), names.end());  // the Object's order is a hash's
    for (const std::string& name : names)
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (llvm::StringRef k : known) list += (list.empty() ? "'" : ", '") + k.str() + "'";
        error(find(name, from, from),
              "unknown key '" + excerpt(name) + "' in " + what + " (expected " + list + ")");
      }
  }
  // An integer member in [1, kMaxTileValue]; nullopt after an error.
  std::optional<std::int64_t> tileValue(const json::Object& o, llvm::StringRef name,
                                        const char* from, llvm::StringRef what) {
    const json::Value* v = o.get(name);
    if (!v) {
      error(from, what + " has no '" + name + "'");
      return std::nullopt;
    }
    const llvm::Optional<std::int64_t> i = v->getAsInteger();
    if (!i || *i < 1 || *i > kMaxTileValue) {
      error(find(name, from, from), "'" + name + "' must be an integer from 1 to " +
                                        llvm::Twine(kMaxTileValue));
      return std::nullopt;
    }
    return *i;
  }

  const char* start() const { return text_.data(); }

 private:
  llvm::StringRef text_;
  Diagnostics& diags_;
};

// Duplicate keys in any object of `buffer` (already valid JSON), each
// reported at its second occurrence. llvm::json keeps one of them silently,
// so this pass reads the text with LLVM's YAML parser, which reads JSON and
// keeps every key with its position (in its own SourceMgr over the same
// bytes, so the positions are the diagnostics' too; should it reject a JSON
// text, there is nothing more to check).
void reportDuplicateKeys(llvm::StringRef buffer, Reader& r) {
  llvm::SourceMgr local;
  local.setDiagHandler([](const llvm::SMDiagnostic&, void*) {});
  llvm::yaml::Stream stream(llvm::MemoryBufferRef(buffer, "tuning"), local);
  std::function<void(llvm::yaml::Node*)> walk = [&](llvm::yaml::Node* node) {
    if (auto* m = llvm::dyn_cast_or_null<llvm::yaml::MappingNode>(node)) {
      std::set<std::string> seen;
      for (llvm::yaml::KeyValueNode& kv : *m) {
        if (auto* key = llvm::dyn_cast_or_null<llvm::yaml::ScalarNode>(kv.getKey())) {
          llvm::SmallString<64> storage;
          const std::string name = key->getValue(storage).str();
          if (!seen.insert(name).second)
            r.error(key->getSourceRange().Start.getPointer(),
                    "duplicate key '" + excerpt(name) + "'");
        }
        walk(kv.getValue());
      }
    } else if (auto* seq = llvm::dyn_cast_or_null<llvm::yaml::SequenceNode>(node)) {
      for (llvm::yaml::Node& item : *seq) walk(&item);
    }
  };
  for (llvm::yaml::Document& doc : stream) walk(doc.getRoot());
}

// The key grammar of tuningKey (tuning.h); the ISA and dtype words are
// checked against their tables.
bool wellFormedKey(llvm::StringRef key) {
  static const llvm::Regex grammar(
      "^([a-z0-9]+) ([a-z0-9]+) n[0-9]+ c[0-9]+x[0-9]+x[0-9]+ o[0-9]+ k[0-9]+x[0-9]+ "
      "s[0-9]+x[0-9]+ p[0-9]+,[0-9]+,[0-9]+,[0-9]+ d[0-9]+x[0-9]+ g[0-9]+ "
      "(zeros|reflect|replicate|circular) (bias|nobias)( u[0-9]+)?$");
  llvm::SmallVector<llvm::StringRef, 6> parts;
  if (!grammar.match(key, &parts)) return false;
  return parseIsaName(parts[1].str()) && parseDType(std::string_view(parts[2].data(), parts[2].size())) &&
         parsePaddingMode(std::string_view(parts[3].data(), parts[3].size()));
}

std::optional<TuningEntry> readEntry(Reader& r, const std::string& key, const json::Value& value,
                                     const char* at) {
  const json::Object* o = value.getAsObject();
  if (!o) {
    r.error(at, "the entry of '" + excerpt(key) + "' must be an object");
    return std::nullopt;
  }
  bool ok = true;
  r.unknownKeys(*o, {"forward", "measured_us", "packed"}, at, "a layer entry");
  TuningEntry entry;
  entry.loc = llvm::SMLoc::getFromPointer(at);
  const json::Value* forward = o->get("forward");
  const json::Object* f = forward ? forward->getAsObject() : nullptr;
  if (!f) {
    r.error(forward ? r.find("forward", at, at) : at,
            forward ? "'forward' must be an object" : "the entry has no 'forward'");
    ok = false;
  } else {
    const char* fat = r.find("forward", at, at);
    r.unknownKeys(*f, {"oc_tile", "row_tile", "split", "vec_tile"}, fat, "'forward'");
    const auto oc = r.tileValue(*f, "oc_tile", fat, "'forward'");
    const auto rows = r.tileValue(*f, "row_tile", fat, "'forward'");
    const auto vt = r.tileValue(*f, "vec_tile", fat, "'forward'");
    const json::Value* split = f->get("split");
    const llvm::Optional<bool> s = split ? split->getAsBoolean() : llvm::None;
    if (!s) r.error(split ? r.find("split", fat, fat) : fat,
                    split ? "'split' must be true or false" : "'forward' has no 'split'");
    if (oc && rows && vt && s)
      entry.choice.forward = {*oc, *rows, *vt, *s};
    else
      ok = false;
  }
  const json::Value* packed = o->get("packed");
  if (!packed) {
    r.error(at, "the entry has no 'packed' (an object, or null for none)");
    ok = false;
  } else if (const json::Object* p = packed->getAsObject()) {
    const char* pat = r.find("packed", at, at);
    r.unknownKeys(*p, {"pixels", "vectors"}, pat, "'packed'");
    const auto pixels = r.tileValue(*p, "pixels", pat, "'packed'");
    const auto vectors = r.tileValue(*p, "vectors", pat, "'packed'");
    if (pixels && vectors)
      entry.choice.packed = PackedTile{*pixels, *vectors};
    else
      ok = false;
  } else if (packed->kind() != json::Value::Null) {
    r.error(r.find("packed", at, at), "'packed' must be an object or null");
    ok = false;
  }
  if (const json::Value* measured = o->get("measured_us")) {
    const char* mat = r.find("measured_us", at, at);
    const json::Object* m = measured->getAsObject();
    if (!m) {
      r.error(mat, "'measured_us' must be an object of numbers");
      ok = false;
    } else {
      for (const auto& kv : *m) {
        const llvm::Optional<double> us = kv.second.getAsNumber();
        if (!us || !(*us >= 0) || *us > 1e12) {
          r.error(r.find(kv.first, mat, mat),
                  "'measured_us' values must be non-negative numbers of microseconds");
          ok = false;
        } else {
          entry.measured_us[kv.first.str()] = *us;
        }
      }
    }
  }
  if (!ok) return std::nullopt;
  return entry;
}

}  // namespace

std::optional<Tuning> readTuning(const std::string& path, Diagnostics& diags,
                                 std::string* read_error) {
  std::string text;
  if (!readRegularFile(path, kMaxTuningBytes, "tuning file", &text, read_error))
    return std::nullopt;
  llvm::SourceMgr& sm = diags.sourceMgr();
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, path), llvm::SMLoc());
  const llvm::StringRef buffer = sm.getMemoryBuffer(id)->getBuffer();
  Reader r(buffer, diags);
  const std::size_t errors = diags.errorCount();
  llvm::Expected<json::Value> root = json::parse(buffer);
  if (!root) {
    // ParseError keeps its position private; its message is
    // "[line:col, byte=offset]: what".
    llvm::handleAllErrors(root.takeError(), [&](const llvm::ErrorInfoBase& e) {
      const std::string message = e.message();
      unsigned line = 0, col = 0, offset = 0;
      int consumed = 0;
      if (std::sscanf(message.c_str(), "[%u:%u, byte=%u]: %n", &line, &col, &offset, &consumed) ==
              3 &&
          consumed > 0 && offset <= buffer.size())
        r.error(buffer.data() + offset, "invalid JSON: " + message.substr(consumed));
      else
        r.error(buffer.data(), "invalid JSON: " + message);
    });
    return std::nullopt;
  }
  // With duplicates, which value the checks below see is llvm::json's pick:
  // their messages would mislead.
  reportDuplicateKeys(buffer, r);
  if (diags.errorCount() != errors) return std::nullopt;
  Tuning tuning;
  tuning.file_name = llvm::sys::path::filename(path).str();
  tuning.fingerprint = computeFingerprint({{"tuning", text}});
  const json::Object* o = root->getAsObject();
  if (!o) {
    r.error(r.start(), "a tuning file is a JSON object (\"convgen_tuning\", \"layers\", ...)");
    return std::nullopt;
  }
  r.unknownKeys(*o, {"convgen_tuning", "layers", "machine"}, r.start(), "the tuning file");
  const json::Value* version = o->get("convgen_tuning");
  if (!version || version->getAsInteger() != llvm::Optional<std::int64_t>(kTuningVersion))
    r.error(r.find("convgen_tuning", r.start(), r.start()),
            version ? "'convgen_tuning' must be " + llvm::Twine(kTuningVersion) +
                          " (this convgen's tuning format)"
                    : llvm::Twine("not a tuning file: no 'convgen_tuning' version"));
  if (const json::Value* machine = o->get("machine")) {
    if (const llvm::Optional<llvm::StringRef> m = machine->getAsString())
      tuning.machine = m->str();
    else
      r.error(r.find("machine", r.start(), r.start()), "'machine' must be a string");
  }
  const json::Value* layers = o->get("layers");
  const char* lat = r.find("layers", r.start(), r.start());
  if (!layers || !layers->getAsObject()) {
    r.error(lat, layers ? "'layers' must be an object" : "the tuning file has no 'layers'");
  } else {
    std::vector<std::string> keys;
    for (const auto& kv : *layers->getAsObject()) keys.push_back(kv.first.str());
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      const char* at = r.find(key, lat, lat);
      if (!wellFormedKey(key)) {
        r.error(at, "'" + excerpt(key) +
                        "' is not a layer key (\"avx2 float32 n1 c64x56x56 o64 k3x3 s1x1 "
                        "p1,1,1,1 d1x1 g1 zeros bias\"; README.md, Tuning)");
        continue;
      }
      if (std::optional<TuningEntry> entry = readEntry(r, key, *layers->getAsObject()->get(key), at))
        tuning.layers.emplace(key, std::move(*entry));
    }
  }
  if (diags.errorCount() != errors) return std::nullopt;
  return tuning;
}

std::string writeTuningJson(const Tuning& tuning) {
  std::string out;
  llvm::raw_string_ostream os(out);
  {
    json::OStream j(os, 2);
    // Every object's keys in sorted order, written by hand (json::Object
    // iterates in hash order).
    j.object([&] {
      j.attribute("convgen_tuning", kTuningVersion);
      j.attributeObject("layers", [&] {
        for (const auto& [key, entry] : tuning.layers)
          j.attributeObject(key, [&] {
            const ForwardTile& f = entry.choice.forward;
            j.attributeObject("forward", [&] {
              j.attribute("oc_tile", f.oc_tile);
              j.attribute("row_tile", f.row_tile);
              j.attribute("split", f.split);
              j.attribute("vec_tile", f.vec_tile);
            });
            if (!entry.measured_us.empty())
              j.attributeObject("measured_us", [&] {
                for (const auto& [what, us] : entry.measured_us) {
                  // Fixed decimals: JSON's shortest round-trip form would
                  // print 17 digits of timer noise.
                  j.attributeBegin(what);
                  j.rawValue([&, us = us](llvm::raw_ostream& v) { v << llvm::format("%.3f", us); });
                  j.attributeEnd();
                }
              });
            if (entry.choice.packed)
              j.attributeObject("packed", [&] {
                j.attribute("pixels", entry.choice.packed->pixels);
                j.attribute("vectors", entry.choice.packed->vectors);
              });
            else
              j.attribute("packed", nullptr);
          });
      });
      j.attribute("machine", tuning.machine);
    });
  }
  os << "\n";
  return os.str();
}

}  // namespace convgen
