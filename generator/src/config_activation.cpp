// Reading a layer's `activation:` value: a word (`relu`), or a mapping
// {type: word, parameter: number, ...} whose keys are `type` and the
// parameters PyTorch's activations take (`negative_slope`, `min`, `max`).
// Which parameters an activation takes is spec.h's activationTable(); that
// check, like every rule on values, is validate_epilogue.cpp's. Numbers are
// plain decimal scalars (`0.01`, `-1`, `1e-3`), finite.
#include <cmath>
#include <cstdlib>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "yaml_walker.h"

namespace convgen::detail {
namespace {

// The keys of an activation mapping, and the field each one fills.
struct ActivationKey {
  std::string_view name;
  RawNumber RawActivation::*number;  // nullptr for `type`
};
const ActivationKey kKeys[] = {{"type", nullptr},
                               {"negative_slope", &RawActivation::negative_slope},
                               {"min", &RawActivation::min},
                               {"max", &RawActivation::max}};

// [+-]digits[.digits][(e|E)[+-]digits], or [+-].digits...: YAML 1.2's
// decimal float and int forms; `integral` when neither '.' nor exponent.
bool decimalNumber(llvm::StringRef t, bool& integral) {
  t.consume_front("-") || t.consume_front("+");
  const std::size_t int_digits = t.size() - t.ltrim("0123456789").size();
  t = t.drop_front(int_digits);
  std::size_t frac_digits = 0;
  integral = true;
  if (t.consume_front(".")) {
    integral = false;
    frac_digits = t.size() - t.ltrim("0123456789").size();
    t = t.drop_front(frac_digits);
  }
  if (int_digits + frac_digits == 0) return false;
  if (!t.empty() && (t[0] == 'e' || t[0] == 'E')) {
    integral = false;
    t = t.drop_front();
    t.consume_front("-") || t.consume_front("+");
    const std::size_t exp_digits = t.size() - t.ltrim("0123456789").size();
    if (exp_digits == 0) return false;
    t = t.drop_front(exp_digits);
  }
  return t.empty();
}

RawNumber readNumber(YamlWalker& w, const Value& v, llvm::StringRef key) {
  RawNumber out;
  out.present = true;
  out.loc = v.loc;
  auto* s = llvm::dyn_cast<yaml::ScalarNode>(v.node);
  if (!s) {
    w.report(v.loc, "'" + key + "' must be a number, but got " + YamlWalker::describe(v.node));
    w.consume(v.node, v.level);
    return out;
  }
  llvm::SmallString<32> storage;
  const llvm::StringRef text = s->getValue(storage);
  llvm::StringRef unsigned_text = text;
  unsigned_text.consume_front("-") || unsigned_text.consume_front("+");
  const std::string lower = unsigned_text.lower();
  if (!isQuoted(*s) && (lower == ".inf" || lower == ".nan" || lower == "inf" || lower == "nan")) {
    w.report(v.loc, "'" + key + "' must be a finite number, but got '" + excerpt(text) + "'");
    return out;
  }
  if (isQuoted(*s) || !decimalNumber(text, out.integral)) {
    w.report(v.loc, "'" + key + "' must be a number, but got " +
                        (isQuoted(*s)                         ? "string"
                         : !isQuoted(*s) && isNullScalar(*s) ? "null"
                                                              : "string") +
                        " '" + excerpt(text) + "'");
    return out;
  }
  if (out.integral && unsigned_text.size() > 1 && unsigned_text[0] == '0') {
    w.report(v.loc, "'" + key + "' value " + excerpt(text) +
                        " has a leading zero, which YAML 1.1 readers (PyYAML) take as octal: "
                        "write it without leading zeros");
    return out;
  }
  out.value = std::strtod(text.str().c_str(), nullptr);
  if (!std::isfinite(out.value)) {
    w.report(v.loc, "'" + key + "' value " + excerpt(text) + " is out of range of a double");
    return out;
  }
  out.ok = true;
  return out;
}

std::string suggestKey(llvm::StringRef key) {
  llvm::StringRef best;
  unsigned best_distance = 3;
  for (const ActivationKey& k : kKeys) {
    const llvm::StringRef name(k.name.data(), k.name.size());
    const unsigned d = key.edit_distance(name, /*AllowReplacements=*/true, best_distance);
    if (d < best_distance) best = name, best_distance = d;
  }
  return best.empty() ? std::string() : "; did you mean '" + best.str() + "'?";
}

}  // namespace

RawActivation readActivation(YamlWalker& w, const Value& v) {
  RawActivation out;
  out.present = true;
  out.loc = v.loc;
  const std::size_t before = w.diagnostics().size() + w.unstored();
  auto* map = llvm::dyn_cast<yaml::MappingNode>(v.node);
  if (!map) {
    if (llvm::isa<yaml::ScalarNode>(v.node)) {
      out.type = w.readString(v, "activation");
    } else {
      w.report(v.loc, "'activation' must be one of {" + activationList("'") +
                          "} or a mapping with 'type', but got " + YamlWalker::describe(v.node));
      w.consume(v.node, v.level);
    }
    out.ok = out.type.usable();
    return out;
  }
  llvm::StringMap<llvm::SMLoc> seen;
  for (yaml::KeyValueNode& kv : *map) {
    yaml::Node* key_node = kv.getKey();
    w.check(key_node);
    auto* key_scalar = llvm::dyn_cast_or_null<yaml::ScalarNode>(key_node);
    if (!key_scalar) {
      // The key first: getValue() skips (reads) the key, after which LLVM's
      // parser asserts on iterating it (found by fuzz/config_60s).
      if (key_node) {
        w.report(w.locate(key_node), "expected a key name");
        w.consume(key_node, v.level + 1);
      }
      if (!w.aborted())
        if (yaml::Node* value = kv.getValue()) w.consume(value, v.level + 1);
      if (w.aborted()) return out;
      continue;
    }
    yaml::Node* value_node = kv.getValue();
    llvm::SmallString<32> storage;
    const llvm::StringRef key = key_scalar->getValue(storage);
    const llvm::SMLoc key_loc = key_scalar->getSourceRange().Start;
    if (!value_node) continue;  // the parser already reported why
    w.check(value_node);
    const llvm::SMLoc value_loc = llvm::isa<yaml::NullNode>(value_node)
                                      ? key_scalar->getSourceRange().End
                                      : w.locate(value_node);
    const Value value{value_node, value_loc, v.level + 1};
    const ActivationKey* known = nullptr;
    for (const ActivationKey& k : kKeys)
      if (key == llvm::StringRef(k.name.data(), k.name.size())) known = &k;
    if (!known) {
      w.report(key_loc, "unknown key '" + excerpt(key) + "' in 'activation'" + suggestKey(key));
      w.consume(value_node, v.level + 1);
    } else if (auto [it, inserted] = seen.try_emplace(key, key_loc); !inserted) {
      w.report(key_loc, "duplicate key '" + key + "' in 'activation'");
      w.consume(value_node, v.level + 1);
    } else if (!known->number) {
      out.type = w.readString(value, "type");
    } else {
      out.*(known->number) = readNumber(w, value, key);
    }
    if (w.aborted()) return out;
  }
  if (seen.find("type") == seen.end()) w.report(v.loc, "missing required key 'type' in 'activation'");
  out.ok = w.diagnostics().size() + w.unstored() == before;
  return out;
}

}  // namespace convgen::detail
