// Stage 1 of reading a config: walk LLVM's YAML node tree and check the
// structure and the type of every value, keeping each value's location.
//
// Why not YAMLTraits' yaml::Input: it stops at the first error, silently
// keeps the last of duplicate keys, and cannot point at a key's value once
// mapping is done, while convgen must report every problem, each at the
// offending key. yaml::Stream is the parser yaml::Input itself is built on,
// so the YAML dialect and the parse-error messages are the same.
//
// Bounded recursion. LLVM 14's YAMLParser.cpp recurses in exactly three
// places; its scanner, parseBlockNode() and getKey()/getValue() loop:
//   1. Node::skip(), once per nesting level of the node it skips. It is also
//      what SequenceNode/MappingNode::increment() call on the entry they move
//      past, KeyValueNode::getValue() on the key, and Document::skip() on the
//      root.
//   2. SequenceNode/MappingNode::increment(), once per ',' in a run of flow
//      entries with no value between them ("[,,,]"): ~400 bytes of stack
//      each, so 20,000 commas overflow an 8 MiB stack.
//   3. Document::skip(), once per "..." document-end marker in a row.
// (1): the walker itself reads every node it meets to its end before LLVM
// moves past it, so LLVM's skip() only ever meets nodes that are already
// read, and returns at once. What the walker does not need it reads with
// consume(), which keeps its own stack, counts the exact nesting level and
// stops at once past kMaxNesting; the walk then ends without touching the
// stream again. Brackets in comments and strings are not nodes, so they
// never count.
// (2) and (3): counted up front over the raw text (longestCommaRun and
// documentEndMarkers), by counts that can only over-estimate what LLVM sees.
#include <array>
#include <vector>

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

bool isBlankOrBreak(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The most ',' in one run that LLVM's scanner could turn into consecutive
// flow-entry tokens. Between two such tokens the scanner skips only blanks,
// line breaks and comments, so a run here is commas separated by those. It
// over-counts on purpose: once inside a run, a '#' is taken as a comment to
// the end of the line whose commas count too (the '#' could be inside a
// quoted string that closes on that line, before more real commas), and
// commas inside strings and plain scalars count like any others. Sets *at
// to the first comma of the longest run.
std::size_t longestCommaRun(llvm::StringRef text, const char** at) {
  std::size_t best = 0, run = 0;
  const char* run_start = nullptr;
  bool in_comment = false;
  for (const char& c : text) {
    if (c == '\n' || c == '\r') {
      in_comment = false;
    } else if (c == ',') {
      if (run++ == 0) run_start = &c;
      if (run > best) best = run, *at = run_start;
    } else if (in_comment || c == ' ' || c == '\t') {
      // inside the run
    } else if (c == '#' && run > 0) {
      in_comment = true;
    } else {
      run = 0;
    }
  }
  return best;
}

// How many lines start with "..." followed by a blank, a line break or the
// end: every document-end marker LLVM's scanner can see (at column 0, which
// may follow a byte-order mark of up to 4 bytes), and some it would not
// (inside a block scalar or a string): an over-count.
std::size_t documentEndMarkers(llvm::StringRef text) {
  auto marker_at = [&](std::size_t i) {
    return text.substr(i).startswith("...") &&
           (i + 3 == text.size() || isBlankOrBreak(text[i + 3]));
  };
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool line_start = i <= 4 || text[i - 1] == '\n' || text[i - 1] == '\r';
    if (line_start && marker_at(i)) ++count;
  }
  return count;
}

bool isQuoted(const yaml::ScalarNode& s) {
  llvm::StringRef raw = s.getRawValue();
  return !raw.empty() && (raw.front() == '"' || raw.front() == '\'');
}

// YAML's spellings of null, as a plain scalar.
bool isNullScalar(const yaml::ScalarNode& s) {
  const llvm::StringRef raw = s.getRawValue();
  return raw == "~" || raw == "null" || raw == "Null" || raw == "NULL";
}

// A config value to read: the node, where to point at it, and the nesting
// level it has if it is a collection.
struct Value {
  yaml::Node* node;
  llvm::SMLoc loc;
  int level;
};

class Walker {
 public:
  Walker(llvm::StringRef text, llvm::SourceMgr& sm) : text_(text), sm_(sm) {}

  // Walks the top-level node, which is at nesting level 1.
  void walkTop(yaml::Node* root, RawConfig& cfg) {
    auto* map = llvm::dyn_cast<yaml::MappingNode>(root);
    if (!map) {
      report(locate(root), "expected a mapping with 'namespace' and 'layers' at the top level");
      consume(root, 1);
      return;
    }
    cfg.loc = locate(map);
    static constexpr std::array<llvm::StringRef, 3> kKeys = {"namespace", "isa", "layers"};
    walkMapping(*map, 1, kKeys, [&](llvm::StringRef key, const Value& v) {
      if (key == "namespace") {
        cfg.cpp_namespace = readString(v, key);
      } else if (key == "isa") {
        cfg.isa = readString(v, key);
      } else {
        cfg.layers_present = true;
        readLayers(v, cfg);
      }
    });
    if (aborted()) return;
    requireKey(cfg.cpp_namespace.present, "namespace", cfg.loc);
    requireKey(cfg.layers_present, "layers", cfg.loc);
  }

  // Reports a problem found outside the walk (kept in order with the rest).
  void report(llvm::SMLoc loc, const llvm::Twine& message) {
    const char* p = loc.getPointer();
    // A node made after a parse error may have no location; the caller
    // drops every diagnostic of the walk then, but stay in the file anyway.
    if (!p || p < text_.begin() || p > text_.end())
      loc = llvm::SMLoc::getFromPointer(text_.begin());
    pending_.push_back({loc, message.str()});
  }

  // The walk stopped at a collection nested more than kMaxNesting deep.
  bool aborted() const { return too_deep_.isValid(); }
  llvm::SMLoc tooDeepAt() const { return too_deep_; }

  struct Pending {
    llvm::SMLoc loc;
    std::string message;
  };
  const std::vector<Pending>& diagnostics() const { return pending_; }

  // Where to point at `n`. LLVM starts a flow collection's range at its first
  // entry, after the bracket: point at the bracket instead.
  llvm::SMLoc locate(const yaml::Node* n) const {
    const llvm::SMLoc start = n->getSourceRange().Start;
    const char open = llvm::isa<yaml::SequenceNode>(n)  ? '['
                      : llvm::isa<yaml::MappingNode>(n) ? '{'
                                                        : '\0';
    if (open == '\0') return start;
    const char* before = lastBefore(start.getPointer());
    return before && *before == open ? llvm::SMLoc::getFromPointer(before) : start;
  }

 private:
  // The last non-blank byte before `p`, or nullptr.
  const char* lastBefore(const char* p) const {
    if (!p || p <= text_.begin() || p > text_.end()) return nullptr;
    while (p > text_.begin())
      if (!isBlankOrBreak(*--p)) return p;
    return nullptr;
  }

  // Where a list item is: an empty one ("-" and nothing) just after its '-',
  // not at whatever comes next.
  llvm::SMLoc itemLoc(const yaml::Node* item) const {
    if (llvm::isa<yaml::NullNode>(item))
      if (const char* dash = lastBefore(item->getSourceRange().Start.getPointer());
          dash && *dash == '-')
        return llvm::SMLoc::getFromPointer(dash + 1);
    return locate(item);
  }

  // Where a key's value is: an empty one ("key:" and nothing) just after the
  // colon, on the key's line, not at whatever comes next.
  llvm::SMLoc valueLoc(const yaml::ScalarNode& key, const yaml::Node* value) const {
    if (!llvm::isa<yaml::NullNode>(value)) return locate(value);
    const char* p = key.getRawValue().end();
    while (p < text_.end() && isBlankOrBreak(*p)) ++p;
    if (p < text_.end() && *p == ':') return llvm::SMLoc::getFromPointer(p + 1);
    return key.getSourceRange().Start;
  }

  // Reads `node` and everything under it to its end, with an explicit stack
  // instead of recursion (see the top of this file). `level` is the nesting
  // level `node` has if it is a collection. Past kMaxNesting it stops at
  // once and marks the walk aborted.
  void consume(yaml::Node* node, int level) {
    struct Frame {
      Frame(yaml::Node* n, int l) : node(n), level(l) {}
      yaml::Node* node;
      int level;  // a collection's own level; a key-value pair's children's
      bool begun = false;
      yaml::SequenceNode::iterator seq;
      yaml::MappingNode::iterator map;
      int kv_step = 0;  // 0: the key is next, 1: the value, 2: done
    };
    std::vector<Frame> stack;
    auto push = [&](yaml::Node* n, int lvl) {
      if (!n) return true;
      if (llvm::isa<yaml::SequenceNode>(n) || llvm::isa<yaml::MappingNode>(n)) {
        if (lvl > kMaxNesting) {
          too_deep_ = locate(n);
          return false;
        }
        stack.emplace_back(n, lvl);
      } else if (llvm::isa<yaml::KeyValueNode>(n)) {
        stack.emplace_back(n, lvl);
      }
      // Scalars, nulls and aliases have nothing more to read.
      return true;
    };
    if (aborted() || !push(node, level)) return;
    while (!stack.empty()) {
      Frame& f = stack.back();
      yaml::Node* child = nullptr;
      int child_level = f.level + 1;
      if (auto* seq = llvm::dyn_cast<yaml::SequenceNode>(f.node)) {
        // Moving past an entry makes LLVM skip() it: it is read already.
        if (f.begun)
          ++f.seq;
        else
          f.seq = seq->begin(), f.begun = true;
        if (f.seq == seq->end()) {
          stack.pop_back();
          continue;
        }
        child = &*f.seq;
      } else if (auto* map = llvm::dyn_cast<yaml::MappingNode>(f.node)) {
        if (f.begun)
          ++f.map;
        else
          f.map = map->begin(), f.begun = true;
        if (f.map == map->end()) {
          stack.pop_back();
          continue;
        }
        child = &*f.map;
      } else {
        auto* kv = llvm::cast<yaml::KeyValueNode>(f.node);
        child_level = f.level;
        if (f.kv_step == 2) {
          stack.pop_back();
          continue;
        }
        // The key is read to its end before getValue() makes LLVM skip it.
        child = f.kv_step++ == 0 ? kv->getKey() : kv->getValue();
      }
      if (!push(child, child_level)) return;
    }
  }

  template <typename Keys, typename OnKey>
  void walkMapping(yaml::MappingNode& map, int level, const Keys& known, OnKey on_key) {
    llvm::StringMap<llvm::SMLoc> seen;
    for (yaml::KeyValueNode& kv : map) {
      yaml::Node* key_node = kv.getKey();
      auto* key_scalar = llvm::dyn_cast_or_null<yaml::ScalarNode>(key_node);
      if (!key_scalar) {
        if (key_node) {
          report(locate(key_node), "expected a key name");
          consume(key_node, level + 1);
        }
        if (!aborted()) consume(kv.getValue(), level + 1);
        if (aborted()) break;
        continue;
      }
      llvm::SmallString<32> storage;
      const llvm::StringRef key = key_scalar->getValue(storage);
      const llvm::SMLoc key_loc = key_scalar->getSourceRange().Start;
      yaml::Node* value_node = kv.getValue();
      if (!value_node) continue;  // the parser already reported why
      const Value value{value_node, valueLoc(*key_scalar, value_node), level + 1};
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        report(key_loc, "unknown key '" + excerpt(key) + "'" + suggest(key, known));
        consume(value_node, level + 1);
      } else if (auto [it, inserted] = seen.try_emplace(key, key_loc); !inserted) {
        auto [line, col] = sm_.getLineAndColumn(it->second);
        report(key_loc, "duplicate key '" + key + "' (first given at line " + llvm::Twine(line) +
                            ", column " + llvm::Twine(col) + ")");
        consume(value_node, level + 1);
      } else {
        on_key(key, value);  // reads the value to its end
      }
      if (aborted()) break;
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
    if (!present) report(loc, "missing required key '" + key + "'");
  }

  void readLayers(const Value& v, RawConfig& cfg) {
    auto* seq = llvm::dyn_cast<yaml::SequenceNode>(v.node);
    if (!seq) {
      report(v.loc, "'layers' must be a list of layer mappings");
      consume(v.node, v.level);
      return;
    }
    std::size_t layer_errors = 0;
    for (yaml::Node& item : *seq) {
      auto* map = llvm::dyn_cast<yaml::MappingNode>(&item);
      if (!map) {
        report(itemLoc(&item), "each layer must be a mapping of Conv2d arguments");
        ++layer_errors;
        consume(&item, v.level + 1);
      } else {
        RawLayer layer;
        layer.loc = locate(map);
        readLayer(*map, v.level + 1, layer);
        cfg.layers.push_back(std::move(layer));
      }
      if (aborted()) return;
    }
    if (cfg.layers.empty() && layer_errors == 0)
      report(v.loc, "'layers' is empty: a config needs at least one layer");
  }

  void readLayer(yaml::MappingNode& map, int level, RawLayer& l) {
    static constexpr std::array<llvm::StringRef, 14> kKeys = {
        "name",         "input_shape", "in_channels", "out_channels", "kernel_size",
        "stride",       "padding",     "dilation",    "groups",       "bias",
        "padding_mode", "dtype",       "isa",         "device"};
    walkMapping(map, level, kKeys, [&](llvm::StringRef key, const Value& v) {
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
    if (aborted()) return;
    requireKey(l.name.present, "name", l.loc);
    requireKey(l.input_shape.present, "input_shape", l.loc);
    requireKey(l.in_channels.present, "in_channels", l.loc);
    requireKey(l.out_channels.present, "out_channels", l.loc);
    requireKey(l.kernel_size.present, "kernel_size", l.loc);
  }

  // nn.Conv2d's `device` is accepted for fidelity; only the CPU exists here.
  void readDevice(const Value& v) {
    Located<std::string> d = readString(v, "device");
    if (d.usable() && d.value != "cpu")
      report(d.loc,
             "device '" + excerpt(d.value) + "' is not supported: convgen generates CPU code");
  }

  // A scalar, or nullptr after diagnosing (and reading) anything else.
  yaml::ScalarNode* scalar(const Value& v, llvm::StringRef key, llvm::StringRef expected) {
    if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v.node)) return s;
    report(v.loc, "'" + key + "' must be " + expected + ", but got " + describe(v.node));
    consume(v.node, v.level);
    return nullptr;
  }

  static std::string describe(const yaml::Node* v) {
    if (llvm::isa<yaml::NullNode>(v)) return "nothing (null)";
    if (llvm::isa<yaml::SequenceNode>(v)) return "a list";
    if (llvm::isa<yaml::MappingNode>(v)) return "a mapping";
    if (llvm::isa<yaml::BlockScalarNode>(v)) return "a block scalar";
    if (llvm::isa<yaml::AliasNode>(v)) return "an alias (YAML aliases are not supported)";
    return "an unsupported value";
  }

  Located<std::string> readString(const Value& v, llvm::StringRef key) {
    Located<std::string> out;
    out.present = true;
    out.loc = v.loc;
    yaml::ScalarNode* s = scalar(v, key, "a string");
    if (!s) return out;
    llvm::SmallString<64> storage;
    out.value = s->getValue(storage).str();
    out.ok = true;
    return out;
  }

  Located<bool> readBool(const Value& v, llvm::StringRef key) {
    Located<bool> out;
    out.present = true;
    out.loc = v.loc;
    yaml::ScalarNode* s = scalar(v, key, "true or false");
    if (!s) return out;
    llvm::SmallString<16> storage;
    const llvm::StringRef text = s->getValue(storage);
    if (!isQuoted(*s) && (text == "true" || text == "True" || text == "TRUE")) {
      out.value = true, out.ok = true;
    } else if (!isQuoted(*s) && (text == "false" || text == "False" || text == "FALSE")) {
      out.value = false, out.ok = true;
    } else {
      report(out.loc, "'" + key + "' must be true or false, but got '" + excerpt(text) + "'");
    }
    return out;
  }

  // One integer: a plain (unquoted) scalar of decimal digits with an
  // optional sign ('+3' is 3, as in YAML and Python), within limits.
  bool readIntScalar(yaml::ScalarNode& s, llvm::StringRef key, std::int64_t& out) {
    llvm::SmallString<32> storage;
    const llvm::StringRef text = s.getValue(storage);
    const llvm::SMLoc loc = s.getSourceRange().Start;
    llvm::StringRef digits = text;
    const bool negative = digits.consume_front("-");
    if (!negative) digits.consume_front("+");
    const bool is_int = !digits.empty() && llvm::all_of(digits, llvm::isDigit);
    if (isQuoted(s) || !is_int) {
      double ignored;
      const char* kind = isQuoted(s)                  ? "string"
                         : !text.getAsDouble(ignored) ? "float"
                         : isNullScalar(s)            ? "null"
                                                      : "string";
      report(loc, "'" + key + "' must be an integer, but got " + kind + " '" + excerpt(text) + "'");
      return false;
    }
    // Leading zeros cannot hide a large value: compare the magnitude's
    // digits, not the text.
    unsigned long long magnitude = 0;
    if (digits.getAsInteger(10, magnitude) ||
        magnitude > static_cast<unsigned long long>(kMaxDimension)) {
      report(loc, "'" + key + "' value " + excerpt(text) +
                      " is out of range: convgen accepts magnitudes up to " +
                      llvm::Twine(kMaxDimension));
      return false;
    }
    out = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    return true;
  }

  Located<std::int64_t> readInt(const Value& v, llvm::StringRef key) {
    Located<std::int64_t> out;
    out.present = true;
    out.loc = v.loc;
    if (yaml::ScalarNode* s = scalar(v, key, "an integer"))
      out.ok = readIntScalar(*s, key, out.value);
    return out;
  }

  RawInts readInts(const Value& v, llvm::StringRef key, bool scalar_ok) {
    RawInts out;
    out.present = true;
    out.loc = v.loc;
    if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v.node); s && scalar_ok) {
      std::int64_t value = 0;
      out.ok = readIntScalar(*s, key, value);
      out.values = {value};
      return out;
    }
    auto* seq = llvm::dyn_cast<yaml::SequenceNode>(v.node);
    if (!seq) {
      report(out.loc,
             "'" + key + "' must be " +
                 (scalar_ok ? "an integer or a list of integers" : "a list of integers") +
                 ", but got " +
                 (llvm::isa<yaml::ScalarNode>(v.node) ? "a single value" : describe(v.node)));
      consume(v.node, v.level);
      return out;
    }
    out.is_list = true;
    out.ok = true;
    bool too_many = false;
    for (yaml::Node& item : *seq) {
      if (too_many) {  // far beyond any legal rank: read the rest, keep nothing
        consume(&item, v.level + 1);
        if (aborted()) break;
        continue;
      }
      auto* s = llvm::dyn_cast<yaml::ScalarNode>(&item);
      std::int64_t value = 0;
      if (!s) {
        report(itemLoc(&item), "'" + key + "' must hold integers, but got " + describe(&item));
        consume(&item, v.level + 1);
        out.ok = false;
        if (aborted()) break;
      } else if (!readIntScalar(*s, key, value)) {
        out.ok = false;
      }
      // Keep the count even past a bad element: rank errors stay meaningful.
      out.values.push_back(value);
      if (out.values.size() > 16) {
        too_many = true;
        out.ok = false;
        report(out.loc, "'" + key + "' has too many elements");
      }
    }
    return out;
  }

  RawPadding readPadding(const Value& v) {
    RawPadding out;
    auto* s = llvm::dyn_cast<yaml::ScalarNode>(v.node);
    if (llvm::isa<yaml::NullNode>(v.node) || (s && !isQuoted(*s) && isNullScalar(*s))) {
      // padding=None: F.conv2d's argument parser rejects it.
      out.ints.present = true;
      out.ints.loc = v.loc;
      report(v.loc,
             "conv2d() received an invalid combination of arguments: padding must be an int, a "
             "list of 2 ints, 'same' or 'valid', but got None");
      return out;
    }
    if (s) {
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
        out.ints.loc = v.loc;
        return out;
      }
    }
    out.ints = readInts(v, "padding", /*scalar_ok=*/true);
    return out;
  }

  llvm::StringRef text_;
  llvm::SourceMgr& sm_;
  std::vector<Pending> pending_;
  llvm::SMLoc too_deep_;
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
  const char* run_at = nullptr;
  if (longestCommaRun(text, &run_at) > kMaxCommaRun) {
    diags.error(llvm::SMLoc::getFromPointer(run_at),
                "config has more than " + llvm::Twine(kMaxCommaRun) +
                    " ',' in a row with no value between them");
    return std::nullopt;
  }
  if (documentEndMarkers(text) > kMaxDocumentEndMarkers) {
    diags.error(start, "config has more than " + llvm::Twine(kMaxDocumentEndMarkers) +
                           " '...' document end markers");
    return std::nullopt;
  }

  RawConfig cfg;
  cfg.config_name = llvm::sys::path::filename(buffer.getBufferIdentifier()).str();
  cfg.loc = start;
  const std::size_t errors_before = diags.errorCount();
  yaml::Stream stream(buffer.getMemBufferRef(), sm, /*ShowColors=*/false);
  auto doc = stream.begin();
  yaml::Node* root = doc == stream.end() ? nullptr : doc->getRoot();
  if (!root || llvm::isa<yaml::NullNode>(root)) {
    if (diags.errorCount() == errors_before)
      diags.error(start, "config is empty: expected a mapping with 'namespace' and 'layers'");
    return std::nullopt;
  }
  // The walk's own diagnostics wait until the parse is known to be clean:
  // after a syntax error they would only be noise.
  Walker walker(text, sm);
  walker.walkTop(root, cfg);
  if (walker.aborted()) {
    // The walk stopped part-way, so nothing may touch the stream again.
    diags.error(walker.tooDeepAt(),
                "config nests more than " + llvm::Twine(kMaxNesting) + " levels deep");
    return std::nullopt;
  }
  if (!stream.failed()) {
    ++doc;  // the root is read to its end, so LLVM's skip() returns at once
    if (doc != stream.end() && !stream.failed())
      if (yaml::Node* second = doc->getRoot(); second && !stream.failed())
        walker.report(walker.locate(second),
                      "a config holds one YAML document; found a second one");
  }
  if (stream.failed()) return std::nullopt;  // only the syntax error is reported
  for (const Walker::Pending& p : walker.diagnostics()) diags.error(p.loc, p.message);
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
