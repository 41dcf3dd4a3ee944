// Reading the values of the weights keys: numbers (batch_norm's eps and
// inline lists) and batch_norm's mapping. A number is written as YAML and
// JSON agree on it: an optional sign, decimal digits with an optional
// fraction and exponent (1e-5, 0.25, -3); no .inf/.nan (a folded weight
// must be finite), no hexadecimal, no quotes.
#include "convgen/internal_error.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "weights_config.h"

#include <cmath>

namespace convgen::detail {
namespace {

bool decimalNumber(llvm::StringRef t) {
  if (!t.empty() && (t.front() == '-' || t.front() == '+')) t = t.drop_front();
  std::size_t digits = 0, i = 0;
  while (i < t.size() && llvm::isDigit(t[i])) ++i, ++digits;
  if (i < t.size() && t[i] == '.')
    for (++i; i < t.size() && llvm::isDigit(t[i]); ++i) ++digits;
  if (digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    const std::size_t start = i;
    while (i < t.size() && llvm::isDigit(t[i])) ++i;
    if (i == start) return false;
  }
  return i == t.size();
}

// One number; false after diagnosing.
bool number(YamlWalker& w, const yaml::Node* node, llvm::SMLoc loc, llvm::StringRef key,
            double& out) {
  const auto* s = llvm::dyn_cast<yaml::ScalarNode>(node);
  if (!s) {
    w.report(loc, "'" + key + "' must hold numbers, but got " + YamlWalker::describe(node));
    return false;
  }
  llvm::SmallString<32> storage;
  const llvm::StringRef text = s->getValue(storage);
  if (isQuoted(*s) || !decimalNumber(text) || text.getAsDouble(out) || !std::isfinite(out)) {
    w.report(loc, "'" + key + "' must be a finite decimal number, but got '" + excerpt(text) + "'");
    return false;
  }
  return true;
}

Located<double> readNumber(YamlWalker& w, const Value& v, llvm::StringRef key) {
  Located<double> out;
  out.present = true;
  out.loc = v.loc;
  out.ok = number(w, v.node, v.loc, key, out.value);
  if (!llvm::isa<yaml::ScalarNode>(v.node)) w.consume(v.node, v.level);
  return out;
}

RawFloats readNumbers(YamlWalker& w, const Value& v, llvm::StringRef key) {
  RawFloats out;
  out.present = true;
  out.loc = v.loc;
  auto* seq = llvm::dyn_cast<yaml::SequenceNode>(v.node);
  if (!seq) {
    w.report(v.loc, "'" + key + "' must be a list of numbers, but got " +
                        (llvm::isa<yaml::ScalarNode>(v.node) ? std::string("a single value")
                                                             : YamlWalker::describe(v.node)));
    w.consume(v.node, v.level);
    return out;
  }
  out.ok = true;
  for (yaml::Node& item : *seq) {
    w.check(&item);
    double value = 0;
    if (!number(w, &item, w.itemLoc(&item), key, value)) out.ok = false;
    if (!llvm::isa<yaml::ScalarNode>(&item)) w.consume(&item, v.level + 1);
    if (w.aborted()) return out;
    out.values.push_back(value);
  }
  return out;
}

}  // namespace

void readBatchNorm(YamlWalker& w, const Value& v, RawBatchNorm& out) {
  out.present = true;
  out.loc = v.loc;
  auto* map = llvm::dyn_cast<yaml::MappingNode>(v.node);
  if (!map) {
    w.report(v.loc, "'batch_norm' must be a mapping ({prefix: ..., eps: ...} or inline weight, "
                    "bias, running_mean, running_var), but got " +
                        (llvm::isa<yaml::ScalarNode>(v.node) ? std::string("a single value")
                                                             : YamlWalker::describe(v.node)));
    w.consume(v.node, v.level);
    return;
  }
  out.ok = true;
  w.walkMapping(*map, v.level, KeyScope::BatchNorm, v.loc,
                [&](const ConfigKey& key, const Value& item) {
                  const llvm::StringRef name(key.name.data(), key.name.size());
                  switch (key.id) {
                    case KeyId::BnPrefix:
                      out.prefix = w.readString(item, name);
                      return;
                    case KeyId::BnEps:
                      out.eps = readNumber(w, item, name);
                      return;
                    case KeyId::BnWeight:
                      out.weight = readNumbers(w, item, name);
                      return;
                    case KeyId::BnBias:
                      out.bias = readNumbers(w, item, name);
                      return;
                    case KeyId::BnRunningMean:
                      out.running_mean = readNumbers(w, item, name);
                      return;
                    case KeyId::BnRunningVar:
                      out.running_var = readNumbers(w, item, name);
                      return;
                    default:
                      CONVGEN_CHECK(false, "a batch_norm key without a field");
                  }
                });
}

}  // namespace convgen::detail
