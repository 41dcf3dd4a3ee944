// Stage 1 of reading a config: walk LLVM's YAML node tree and check the
// structure and the type of every value, keeping each value's location.
//
// Why not YAMLTraits' yaml::Input: it stops at the first error, silently
// keeps the last of duplicate keys, and cannot point at a key's value once
// mapping is done, while convgen must report every problem, each at the
// offending key. yaml::Stream is the parser yaml::Input itself is built on,
// so the YAML dialect and the parse-error messages are the same.
#include <array>

#include "convgen/config.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLParser.h"

namespace convgen {
namespace {

namespace yaml = llvm::yaml;

// An upper bound on how deeply `text` nests: flow brackets plus block
// indentation and "- " sequence markers per line. It runs before the parser
// because LLVM's parser recurses once per level and a hostile file could
// exhaust the stack. It over-counts brackets inside strings, which no real
// config has.
bool nestsTooDeep(llvm::StringRef text) {
  int flow = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // At a line start: indentation and "- " markers open block levels.
    std::size_t indent = 0;
    while (i < text.size() && text[i] == ' ') ++indent, ++i;
    int dashes = 0;
    while (i + 1 < text.size() && text[i] == '-' && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
      ++dashes;
      i += 2;
      while (i < text.size() && text[i] == ' ') ++i;
    }
    if (indent > 4u * kMaxNesting || dashes > kMaxNesting) return true;
    for (; i < text.size() && text[i] != '\n'; ++i) {
      const char c = text[i];
      if (c == '[' || c == '{') {
        if (++flow > kMaxNesting) return true;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
    }
    ++i;  // past '\n'
  }
  return false;
}

bool isQuoted(const yaml::ScalarNode& s) {
  llvm::StringRef raw = s.getRawValue();
  return !raw.empty() && (raw.front() == '"' || raw.front() == '\'');
}

class Walker {
 public:
  Walker(Diagnostics& diags) : diags_(diags) {}

  void walkTop(yaml::MappingNode& map, RawConfig& cfg) {
    static constexpr std::array<llvm::StringRef, 3> kKeys = {"namespace", "isa", "layers"};
    walkMapping(map, kKeys, [&](llvm::StringRef key, yaml::Node* value) {
      if (key == "namespace") {
        cfg.cpp_namespace = readString(value, key);
      } else if (key == "isa") {
        cfg.isa = readString(value, key);
      } else {
        cfg.layers_present = true;
        readLayers(value, cfg);
      }
    });
    requireKey(cfg.cpp_namespace.present, "namespace", cfg.loc);
    requireKey(cfg.layers_present, "layers", cfg.loc);
  }

 private:
  template <typename Keys, typename OnKey>
  void walkMapping(yaml::MappingNode& map, const Keys& known, OnKey on_key) {
    llvm::StringMap<llvm::SMLoc> seen;
    for (yaml::KeyValueNode& kv : map) {
      auto* key_node = llvm::dyn_cast_or_null<yaml::ScalarNode>(kv.getKey());
      yaml::Node* value = kv.getValue();
      if (!key_node) {
        if (kv.getKey()) diags_.error(kv.getKey()->getSourceRange().Start, "expected a key name");
        if (value) value->skip();
        continue;
      }
      llvm::SmallString<32> storage;
      const llvm::StringRef key = key_node->getValue(storage);
      const llvm::SMLoc key_loc = key_node->getSourceRange().Start;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        diags_.error(key_loc, "unknown key '" + key + "'" + suggest(key, known));
        if (value) value->skip();
        continue;
      }
      auto [it, inserted] = seen.try_emplace(key, key_loc);
      if (!inserted) {
        auto [line, col] = diags_.sourceMgr().getLineAndColumn(it->second);
        diags_.error(key_loc, "duplicate key '" + key + "' (first given at line " +
                                  llvm::Twine(line) + ", column " + llvm::Twine(col) + ")");
        if (value) value->skip();
        continue;
      }
      if (!value) continue;  // the parser already reported why
      on_key(key, value);
    }
  }

  template <typename Keys>
  static std::string suggest(llvm::StringRef key, const Keys& known) {
    llvm::StringRef best;
    unsigned best_distance = 3;  // suggest only close spellings
    for (llvm::StringRef k : known) {
      const unsigned d = key.edit_distance(k, /*AllowReplacements=*/true, best_distance);
      if (d < best_distance) best = k, best_distance = d;
    }
    return best.empty() ? std::string() : "; did you mean '" + best.str() + "'?";
  }

  void requireKey(bool present, llvm::StringRef key, llvm::SMLoc loc) {
    if (!present) diags_.error(loc, "missing required key '" + key + "'");
  }

  void readLayers(yaml::Node* value, RawConfig& cfg) {
    auto* seq = llvm::dyn_cast<yaml::SequenceNode>(value);
    if (!seq) {
      diags_.error(value->getSourceRange().Start, "'layers' must be a list of layer mappings");
      value->skip();
      return;
    }
    for (yaml::Node& item_ref : *seq) {
      yaml::Node* item = &item_ref;
      if (!item) continue;
      auto* map = llvm::dyn_cast<yaml::MappingNode>(item);
      if (!map) {
        diags_.error(item->getSourceRange().Start,
                     "each layer must be a mapping of Conv2d arguments");
        item->skip();
        continue;
      }
      RawLayer layer;
      layer.loc = map->getSourceRange().Start;
      readLayer(*map, layer);
      cfg.layers.push_back(std::move(layer));
    }
    if (cfg.layers.empty() && !diags_.hasErrors())
      diags_.error(seq->getSourceRange().Start,
                   "'layers' is empty: a config needs at least one layer");
  }

  void readLayer(yaml::MappingNode& map, RawLayer& l) {
    static constexpr std::array<llvm::StringRef, 14> kKeys = {
        "name",         "input_shape", "in_channels", "out_channels", "kernel_size",
        "stride",       "padding",     "dilation",    "groups",       "bias",
        "padding_mode", "dtype",       "isa",         "device"};
    walkMapping(map, kKeys, [&](llvm::StringRef key, yaml::Node* v) {
      if (key == "name")
        l.name = readString(v, key);
      else if (key == "input_shape")
        l.input_shape = readInts(v, key, /*scalar_ok=*/false);
      else if (key == "in_channels")
        l.in_channels = readInt(v, key);
      else if (key == "out_channels")
        l.out_channels = readInt(v, key);
      else if (key == "kernel_size")
        l.kernel_size = readInts(v, key, true);
      else if (key == "stride")
        l.stride = readInts(v, key, true);
      else if (key == "dilation")
        l.dilation = readInts(v, key, true);
      else if (key == "groups")
        l.groups = readInt(v, key);
      else if (key == "bias")
        l.bias = readBool(v, key);
      else if (key == "padding_mode")
        l.padding_mode = readString(v, key);
      else if (key == "dtype")
        l.dtype = readString(v, key);
      else if (key == "isa")
        l.isa = readString(v, key);
      else if (key == "padding")
        l.padding = readPadding(v);
      else /* device */
        readDevice(v);
    });
    requireKey(l.name.present, "name", l.loc);
    requireKey(l.input_shape.present, "input_shape", l.loc);
    requireKey(l.in_channels.present, "in_channels", l.loc);
    requireKey(l.out_channels.present, "out_channels", l.loc);
    requireKey(l.kernel_size.present, "kernel_size", l.loc);
  }

  // nn.Conv2d's `device` is accepted for fidelity; only the CPU exists here.
  void readDevice(yaml::Node* v) {
    Located<std::string> d = readString(v, "device");
    if (d.usable() && d.value != "cpu")
      diags_.error(d.loc, "device '" + d.value + "' is not supported: convgen generates CPU code");
  }

  // A plain scalar's text, or nullptr after diagnosing a non-scalar.
  yaml::ScalarNode* scalar(yaml::Node* v, llvm::StringRef key, llvm::StringRef expected) {
    if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v)) return s;
    diags_.error(v->getSourceRange().Start,
                 "'" + key + "' must be " + expected + ", but got " + describe(v));
    v->skip();
    return nullptr;
  }

  static std::string describe(yaml::Node* v) {
    if (llvm::isa<yaml::NullNode>(v)) return "nothing (null)";
    if (llvm::isa<yaml::SequenceNode>(v)) return "a list";
    if (llvm::isa<yaml::MappingNode>(v)) return "a mapping";
    if (llvm::isa<yaml::BlockScalarNode>(v)) return "a block scalar";
    if (llvm::isa<yaml::AliasNode>(v)) return "an alias (YAML aliases are not supported)";
    return "an unsupported value";
  }

  Located<std::string> readString(yaml::Node* v, llvm::StringRef key) {
    Located<std::string> out;
    out.present = true;
    out.loc = v->getSourceRange().Start;
    yaml::ScalarNode* s = scalar(v, key, "a string");
    if (!s) return out;
    llvm::SmallString<64> storage;
    out.value = s->getValue(storage).str();
    out.ok = true;
    return out;
  }

  Located<bool> readBool(yaml::Node* v, llvm::StringRef key) {
    Located<bool> out;
    out.present = true;
    out.loc = v->getSourceRange().Start;
    yaml::ScalarNode* s = scalar(v, key, "true or false");
    if (!s) return out;
    llvm::SmallString<16> storage;
    const llvm::StringRef text = s->getValue(storage);
    if (!isQuoted(*s) && (text == "true" || text == "True" || text == "TRUE")) {
      out.value = true, out.ok = true;
    } else if (!isQuoted(*s) && (text == "false" || text == "False" || text == "FALSE")) {
      out.value = false, out.ok = true;
    } else {
      diags_.error(out.loc, "'" + key + "' must be true or false, but got '" + text + "'");
    }
    return out;
  }

  // One integer: a plain (unquoted) scalar of decimal digits, within limits.
  bool readIntScalar(yaml::ScalarNode& s, llvm::StringRef key, std::int64_t& out) {
    llvm::SmallString<32> storage;
    const llvm::StringRef text = s.getValue(storage);
    const llvm::SMLoc loc = s.getSourceRange().Start;
    llvm::StringRef digits = text;
    digits.consume_front("-") || digits.consume_front("+");
    const bool is_int = !digits.empty() && llvm::all_of(digits, llvm::isDigit);
    if (isQuoted(s) || !is_int) {
      double ignored;
      const char* kind = isQuoted(s)                       ? "string"
                         : !text.getAsDouble(ignored)      ? "float"
                         : (text == "null" || text == "~") ? "null"
                                                           : "string";
      diags_.error(loc, "'" + key + "' must be an integer, but got " + kind + " '" + text + "'");
      return false;
    }
    long long v = 0;
    if (text.getAsInteger(10, v) || v > kMaxDimension || v < -kMaxDimension) {
      diags_.error(loc, "'" + key + "' value " + text +
                            " is out of range: convgen accepts magnitudes up to " +
                            llvm::Twine(kMaxDimension));
      return false;
    }
    out = v;
    return true;
  }

  Located<std::int64_t> readInt(yaml::Node* v, llvm::StringRef key) {
    Located<std::int64_t> out;
    out.present = true;
    out.loc = v->getSourceRange().Start;
    if (yaml::ScalarNode* s = scalar(v, key, "an integer"))
      out.ok = readIntScalar(*s, key, out.value);
    return out;
  }

  RawInts readInts(yaml::Node* v, llvm::StringRef key, bool scalar_ok) {
    RawInts out;
    out.present = true;
    out.loc = v->getSourceRange().Start;
    if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v); s && scalar_ok) {
      std::int64_t value = 0;
      out.ok = readIntScalar(*s, key, value);
      out.values = {value};
      return out;
    }
    auto* seq = llvm::dyn_cast<yaml::SequenceNode>(v);
    if (!seq) {
      diags_.error(out.loc,
                   "'" + key + "' must be " +
                       (scalar_ok ? "an integer or a list of integers" : "a list of integers") +
                       ", but got " +
                       (llvm::isa<yaml::ScalarNode>(v) ? "a single value" : describe(v)));
      v->skip();
      return out;
    }
    out.is_list = true;
    out.ok = true;
    for (yaml::Node& item_ref : *seq) {
      yaml::Node* item = &item_ref;
      if (!item) continue;
      auto* s = llvm::dyn_cast<yaml::ScalarNode>(item);
      std::int64_t value = 0;
      if (!s) {
        diags_.error(item->getSourceRange().Start,
                     "'" + key + "' must hold integers, but got " + describe(item));
        item->skip();
        out.ok = false;
      } else if (!readIntScalar(*s, key, value)) {
        out.ok = false;
      }
      // Keep the count even past a bad element: rank errors stay meaningful.
      out.values.push_back(value);
      if (out.values.size() > 16) {  // far beyond any legal rank; stop reading
        out.ok = false;
        diags_.error(out.loc, "'" + key + "' has too many elements");
        seq->skip();
        break;
      }
    }
    return out;
  }

  RawPadding readPadding(yaml::Node* v) {
    RawPadding out;
    if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v)) {
      llvm::SmallString<16> storage;
      const llvm::StringRef text = s->getValue(storage);
      llvm::StringRef digits = text;
      digits.consume_front("-") || digits.consume_front("+");
      const bool looks_numeric = !isQuoted(*s) && !digits.empty() &&
                                 (llvm::isDigit(digits.front()) || digits.front() == '.');
      if (!looks_numeric) {
        out.is_string = true;
        out.word = text.str();
        out.ints.present = out.ints.ok = true;
        out.ints.loc = s->getSourceRange().Start;
        return out;
      }
    }
    out.ints = readInts(v, "padding", /*scalar_ok=*/true);
    return out;
  }

  Diagnostics& diags_;
};

}  // namespace

std::optional<RawConfig> parseConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags) {
  const llvm::MemoryBuffer& buffer = *sm.getMemoryBuffer(buffer_id);
  const llvm::StringRef text = buffer.getBuffer();
  const llvm::SMLoc start = llvm::SMLoc::getFromPointer(text.begin());
  if (text.size() > kMaxConfigBytes) {
    diags.error(start, "config file is too large (" + llvm::Twine(text.size()) +
                           " bytes; the limit is " + llvm::Twine(kMaxConfigBytes) + ")");
    return std::nullopt;
  }
  if (text.find('\0') != llvm::StringRef::npos) {
    diags.error(llvm::SMLoc::getFromPointer(text.begin() + text.find('\0')),
                "config file contains a NUL byte; is it a text file?");
    return std::nullopt;
  }
  if (nestsTooDeep(text)) {
    diags.error(start, "config nests more than " + llvm::Twine(kMaxNesting) + " levels deep");
    return std::nullopt;
  }

  RawConfig cfg;
  cfg.config_name = llvm::sys::path::filename(buffer.getBufferIdentifier()).str();
  cfg.loc = start;
  const std::size_t errors_before = diags.errorCount();
  yaml::Stream stream(buffer.getMemBufferRef(), sm, /*ShowColors=*/false);
  auto doc = stream.begin();
  if (doc == stream.end() || !doc->getRoot() || llvm::isa<yaml::NullNode>(doc->getRoot())) {
    if (diags.errorCount() == errors_before)
      diags.error(start, "config is empty: expected a mapping with 'namespace' and 'layers'");
    return std::nullopt;
  }
  yaml::Node* root = doc->getRoot();
  if (auto* map = llvm::dyn_cast<yaml::MappingNode>(root)) {
    cfg.loc = map->getSourceRange().Start;
    Walker(diags).walkTop(*map, cfg);
  } else {
    diags.error(root->getSourceRange().Start,
                "expected a mapping with 'namespace' and 'layers' at the top level");
    root->skip();
  }
  if (stream.failed()) return std::nullopt;  // a syntax error; the rest would be noise
  if (++doc != stream.end() && doc->getRoot() && !stream.failed())
    diags.error(doc->getRoot()->getSourceRange().Start,
                "a config holds one YAML document; found a second one");
  if (stream.failed()) return std::nullopt;
  return cfg;
}

std::optional<ModelSpec> loadConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags) {
  std::optional<RawConfig> raw = parseConfig(sm, buffer_id, diags);
  if (!raw) return std::nullopt;
  return validateConfig(*raw, diags);
}

std::optional<ModelSpec> loadConfigFile(llvm::StringRef path, llvm::SourceMgr& sm,
                                        Diagnostics& diags) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    diags.error(llvm::SMLoc(), "cannot read config '" + path + "': " + buffer.getError().message());
    return std::nullopt;
  }
  const unsigned id = sm.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  return loadConfig(sm, id, diags);
}

}  // namespace convgen
