// The config reader's walk over LLVM's YAML node tree (private to
// generator/src). YamlWalker reads every node it meets to its end, keeps
// every diagnostic with its location, and checks what LLVM's parser lets
// through silently: tags, empty flow entries. The readers of values (one
// per ValueKind of config_keys.h) live in yaml_values.cpp; the walk itself
// and its bounds in yaml_walker.cpp (see the comment at its top).
#pragma once

#include <string>
#include <vector>

#include "convgen/config.h"
#include "convgen/config_keys.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/YAMLParser.h"

namespace convgen::detail {

namespace yaml = llvm::yaml;

inline bool isBlankOrBreak(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A config value to read: the node, where to point at it, and the nesting
// level it has if it is a collection.
struct Value {
  yaml::Node* node;
  llvm::SMLoc loc;
  int level;
  llvm::SMLoc key_loc = {};  // the key it is the value of
};

class YamlWalker {
 public:
  YamlWalker(llvm::StringRef text, llvm::SourceMgr& sm) : text_(text), sm_(sm) {}

  // Reports a problem (kept in order with the rest).
  void report(llvm::SMLoc loc, const llvm::Twine& message);

  // The walk stopped at a collection nested more than kMaxNesting deep.
  bool aborted() const { return too_deep_.isValid(); }
  llvm::SMLoc tooDeepAt() const { return too_deep_; }

  struct Pending {
    llvm::SMLoc loc;
    std::string message;
  };
  // At most kMaxStoredDiagnostics; unstored() counts the rest.
  const std::vector<Pending>& diagnostics() const { return pending_; }
  std::size_t unstored() const { return unstored_; }

  // Where to point at `n`: a flow collection at its bracket, an alias at its
  // '*' (LLVM gives both the position of what follows).
  llvm::SMLoc locate(const yaml::Node* n) const;
  // Where a list item is: an empty one ("-" and nothing) just after its '-'.
  llvm::SMLoc itemLoc(const yaml::Node* item) const;

  // Reads `node` and everything under it to its end, without recursion.
  // `level` is the nesting level `node` has if it is a collection.
  void consume(yaml::Node* node, int level);

  // Diagnoses, once per node, a tag on it, and every empty entry of the flow
  // collection it is (and of those nested in it).
  void check(const yaml::Node* node);

  // Walks a mapping of `scope`'s keys: unknown and duplicate keys are
  // diagnosed and read past, every other key goes to `on_key`, which must
  // read its value to the end. Then diagnoses the required keys of `scope`
  // that are missing, at `loc`. Does nothing more once aborted().
  // With check_required false the caller checks them (a layer's required
  // keys depend on its `op`).
  void walkMapping(yaml::MappingNode& map, int level, KeyScope scope, llvm::SMLoc loc,
                   llvm::function_ref<void(const ConfigKey&, const Value&)> on_key,
                   bool check_required = true);

  // Readers of one value each (yaml_values.cpp); every one reads the value
  // to its end and diagnoses what it cannot use.
  Located<std::string> readString(const Value& v, llvm::StringRef key);
  Located<bool> readBool(const Value& v, llvm::StringRef key);
  // `backward:`: a bool, or the word `only`.
  Located<BackwardMode> readBackward(const Value& v, llvm::StringRef key);
  Located<std::int64_t> readInt(const Value& v, llvm::StringRef key);
  RawInts readInts(const Value& v, llvm::StringRef key, bool scalar_ok);
  RawPadding readPadding(const Value& v);
  static std::string describe(const yaml::Node* v);

 private:
  const char* lastBefore(const char* p) const;
  llvm::SMLoc valueLoc(const yaml::ScalarNode& key, const yaml::Node* value) const;
  void scanFlow(const char* open);
  yaml::ScalarNode* scalar(const Value& v, llvm::StringRef key, llvm::StringRef expected);
  bool readIntScalar(yaml::ScalarNode& s, llvm::StringRef key, std::int64_t& out);

  llvm::StringRef text_;
  llvm::SourceMgr& sm_;
  std::vector<Pending> pending_;
  std::size_t unstored_ = 0;
  llvm::SMLoc too_deep_;
  llvm::DenseSet<const yaml::Node*> checked_;
  const char* flow_scanned_until_ = nullptr;
};

// `activation:`'s value (config_activation.cpp).
RawActivation readActivation(YamlWalker& w, const Value& v);

// Plain-scalar spellings YAML gives special meaning.
bool isQuoted(const yaml::ScalarNode& s);
bool isNullScalar(const yaml::ScalarNode& s);

}  // namespace convgen::detail
