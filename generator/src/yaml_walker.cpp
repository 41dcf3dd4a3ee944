// The walk over LLVM's YAML node tree, and what it checks on every node.
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
// (2) and (3): counted up front over the raw text (config_reader.cpp), by
// counts that can only over-estimate what LLVM sees.
//
// What LLVM accepts silently and convgen does not: a tag (`!!str 3` would
// read as 3, `!!python/object:... conv` as `conv`), and an empty entry of a
// flow collection (`[1,,3]` would read as [1, 3]). check() diagnoses both.
#include "yaml_walker.h"

#include <algorithm>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"

namespace convgen::detail {

bool isQuoted(const yaml::ScalarNode& s) {
  llvm::StringRef raw = s.getRawValue();
  return !raw.empty() && (raw.front() == '"' || raw.front() == '\'');
}

bool isNullScalar(const yaml::ScalarNode& s) {
  const llvm::StringRef raw = s.getRawValue();
  return raw == "~" || raw == "null" || raw == "Null" || raw == "NULL";
}

void YamlWalker::report(llvm::SMLoc loc, const llvm::Twine& message) {
  const char* p = loc.getPointer();
  // A node made after a parse error may have no location; the caller
  // drops every diagnostic of the walk then, but stay in the file anyway.
  if (!p || p < text_.begin() || p > text_.end()) loc = llvm::SMLoc::getFromPointer(text_.begin());
  // The walk reports in document order (nearly: a missing key after the
  // mapping's other problems), so the first ones kept are the earliest.
  if (pending_.size() >= kMaxStoredDiagnostics) {
    ++unstored_;
    return;
  }
  pending_.push_back({loc, message.str()});
}

const char* YamlWalker::lastBefore(const char* p) const {
  if (!p || p <= text_.begin() || p > text_.end()) return nullptr;
  while (p > text_.begin())
    if (!isBlankOrBreak(*--p)) return p;
  return nullptr;
}

llvm::SMLoc YamlWalker::locate(const yaml::Node* n) const {
  if (const auto* alias = llvm::dyn_cast<yaml::AliasNode>(n)) {
    // The name is the alias token after its '*', in the buffer.
    const char* star = alias->getName().data() - 1;
    if (star >= text_.begin() && star < text_.end() && *star == '*')
      return llvm::SMLoc::getFromPointer(star);
  }
  const llvm::SMLoc start = n->getSourceRange().Start;
  const char open = llvm::isa<yaml::SequenceNode>(n)  ? '['
                    : llvm::isa<yaml::MappingNode>(n) ? '{'
                                                      : '\0';
  if (open == '\0') return start;
  // LLVM starts a flow collection's range at its first entry, after the
  // bracket.
  const char* before = lastBefore(start.getPointer());
  return before && *before == open ? llvm::SMLoc::getFromPointer(before) : start;
}

llvm::SMLoc YamlWalker::itemLoc(const yaml::Node* item) const {
  if (llvm::isa<yaml::NullNode>(item))
    if (const char* dash = lastBefore(item->getSourceRange().Start.getPointer());
        dash && *dash == '-')
      return llvm::SMLoc::getFromPointer(dash + 1);
  return locate(item);
}

// An empty value ("key:" and nothing) is just after the colon, on the key's
// line, not at whatever comes next.
llvm::SMLoc YamlWalker::valueLoc(const yaml::ScalarNode& key, const yaml::Node* value) const {
  if (!llvm::isa<yaml::NullNode>(value)) return locate(value);
  const char* p = key.getRawValue().end();
  while (p < text_.end() && isBlankOrBreak(*p)) ++p;
  if (p < text_.end() && *p == ':') return llvm::SMLoc::getFromPointer(p + 1);
  return key.getSourceRange().Start;
}

void YamlWalker::check(const yaml::Node* node) {
  if (!node || !checked_.insert(node).second) return;
  const llvm::StringRef tag = node->getRawTag();
  if (!tag.empty()) {
    const bool in_text = tag.data() >= text_.begin() && tag.data() < text_.end();
    report(in_text ? llvm::SMLoc::getFromPointer(tag.data()) : locate(node),
           "YAML tags are not supported, but got '" + excerpt(tag) +
               "' (convgen reads every value as written, never as a tag says)");
  }
  if (llvm::isa<yaml::SequenceNode>(node) || llvm::isa<yaml::MappingNode>(node)) {
    const char* at = locate(node).getPointer();
    const bool flow = at && at >= text_.begin() && at < text_.end() && (*at == '[' || *at == '{');
    if (flow && at >= flow_scanned_until_) scanFlow(at);
  }
}

// Scans the flow collection opening at `open` (and those nested in it) to
// its closing bracket, diagnosing every ',' with no entry before it. LLVM
// has parsed this text without error, so it is well-formed flow YAML: only
// quoted strings and comments can hold brackets or commas that are not
// structure. One trailing ',' before the bracket is YAML, and allowed.
void YamlWalker::scanFlow(const char* open) {
  struct Level {
    char bracket;
    bool entry = false;  // something since the bracket or the last ','
  };
  std::vector<Level> levels = {{*open}};
  const char* p = open + 1;
  const char* const end = text_.end();
  auto token_start = [&](const char* q) {
    const char before = q[-1];
    return isBlankOrBreak(before) || before == '[' || before == '{' || before == ',' ||
           before == ':';
  };
  for (; p < end && !levels.empty(); ++p) {
    const char c = *p;
    if ((c == '"' || c == '\'') && token_start(p)) {
      for (++p; p < end; ++p) {
        if (c == '"' && *p == '\\') {
          if (p + 1 < end) ++p;
        } else if (*p == c) {
          if (c == '\'' && p + 1 < end && p[1] == '\'')
            ++p;  // '' inside a single-quoted string
          else
            break;
        }
      }
      if (p == end) break;  // never closed: LLVM has diagnosed it
      levels.back().entry = true;
    } else if (c == '#' && isBlankOrBreak(p[-1])) {
      while (p + 1 < end && p[1] != '\n' && p[1] != '\r') ++p;
    } else if (c == '[' || c == '{') {
      levels.back().entry = true;
      levels.push_back({c});
    } else if (c == ']' || c == '}') {
      levels.pop_back();
    } else if (c == ',') {
      if (!levels.back().entry)
        report(llvm::SMLoc::getFromPointer(p),
               llvm::Twine("empty entry in a flow ") +
                   (levels.back().bracket == '[' ? "list" : "mapping") +
                   ": nothing before this ','");
      levels.back().entry = false;
    } else if (!isBlankOrBreak(c)) {
      levels.back().entry = true;
    }
  }
  flow_scanned_until_ = std::min(p, end);  // a string left open ends at the end
}

void YamlWalker::consume(yaml::Node* node, int level) {
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
    check(n);
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

namespace {

std::string suggest(llvm::StringRef key, KeyScope scope) {
  llvm::StringRef best;
  unsigned best_distance = 3;  // suggest only close spellings
  for (const ConfigKey& k : configKeys()) {
    if (k.scope != scope) continue;
    const llvm::StringRef name(k.name.data(), k.name.size());
    const unsigned d = key.edit_distance(name, /*AllowReplacements=*/true, best_distance);
    if (d < best_distance) best = name, best_distance = d;
  }
  return best.empty() ? std::string() : "; did you mean '" + best.str() + "'?";
}

}  // namespace

void YamlWalker::walkMapping(yaml::MappingNode& map, int level, KeyScope scope, llvm::SMLoc loc,
                             llvm::function_ref<void(const ConfigKey&, const Value&)> on_key,
                             bool check_required) {
  llvm::StringMap<llvm::SMLoc> seen;
  for (yaml::KeyValueNode& kv : map) {
    yaml::Node* key_node = kv.getKey();
    check(key_node);
    auto* key_scalar = llvm::dyn_cast_or_null<yaml::ScalarNode>(key_node);
    if (!key_scalar) {
      if (key_node) {
        report(locate(key_node), "expected a key name");
        consume(key_node, level + 1);
      }
      if (!aborted()) consume(kv.getValue(), level + 1);
      if (aborted()) return;
      continue;
    }
    llvm::SmallString<32> storage;
    const llvm::StringRef key = key_scalar->getValue(storage);
    const llvm::SMLoc key_loc = key_scalar->getSourceRange().Start;
    yaml::Node* value_node = kv.getValue();
    if (!value_node) continue;  // the parser already reported why
    check(value_node);
    const Value value{value_node, valueLoc(*key_scalar, value_node), level + 1, key_loc};
    const ConfigKey* known = findConfigKey(scope, std::string_view(key.data(), key.size()));
    if (!known) {
      report(key_loc, "unknown key '" + excerpt(key) + "'" + suggest(key, scope));
      consume(value_node, level + 1);
    } else if (auto [it, inserted] = seen.try_emplace(key, key_loc); !inserted) {
      auto [line, col] = sm_.getLineAndColumn(it->second);
      report(key_loc, "duplicate key '" + key + "' (first given at line " + llvm::Twine(line) +
                          ", column " + llvm::Twine(col) + ")");
      consume(value_node, level + 1);
    } else {
      on_key(*known, value);  // reads the value to its end
    }
    if (aborted()) return;
  }
  if (!check_required) return;
  for (const ConfigKey& k : configKeys())
    if (k.scope == scope && k.required &&
        seen.find(llvm::StringRef(k.name.data(), k.name.size())) == seen.end())
      report(loc, "missing required key '" + llvm::StringRef(k.name.data(), k.name.size()) + "'");
}

}  // namespace convgen::detail
