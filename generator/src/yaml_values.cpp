// The readers of single config values: strings, booleans, integers, lists of
// integers, padding. Stricter than YAML where YAML readers disagree with
// each other or with what a user meant: a null is never a string, and an
// integer is plain decimal (no leading zeros, which YAML 1.1 and PyYAML read
// as octal; no 0x/0o/0b forms, which YAML versions spell differently).
#include <optional>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "yaml_walker.h"

namespace convgen::detail {

yaml::ScalarNode* YamlWalker::scalar(const Value& v, llvm::StringRef key,
                                     llvm::StringRef expected) {
  if (auto* s = llvm::dyn_cast<yaml::ScalarNode>(v.node)) return s;
  report(v.loc, "'" + key + "' must be " + expected + ", but got " + describe(v.node));
  consume(v.node, v.level);
  return nullptr;
}

std::string YamlWalker::describe(const yaml::Node* v) {
  if (llvm::isa<yaml::NullNode>(v)) return "nothing (null)";
  if (llvm::isa<yaml::SequenceNode>(v)) return "a list";
  if (llvm::isa<yaml::MappingNode>(v)) return "a mapping";
  if (llvm::isa<yaml::BlockScalarNode>(v)) return "a block scalar";
  if (llvm::isa<yaml::AliasNode>(v)) return "an alias (YAML aliases are not supported)";
  return "an unsupported value";
}

Located<std::string> YamlWalker::readString(const Value& v, llvm::StringRef key) {
  Located<std::string> out;
  out.present = true;
  out.loc = v.loc;
  yaml::ScalarNode* s = scalar(v, key, "a string");
  if (!s) return out;
  llvm::SmallString<64> storage;
  const llvm::StringRef text = s->getValue(storage);
  if (!isQuoted(*s) && isNullScalar(*s)) {
    report(out.loc, "'" + key + "' must be a string, but got null '" + text +
                        "' (quote it to mean the word)");
    return out;
  }
  out.value = text.str();
  out.ok = true;
  return out;
}

namespace {

// A YAML 1.2 core-schema boolean: plain (unquoted) true/True/TRUE or
// false/False/FALSE; anything else is not one.
std::optional<bool> boolWord(const yaml::ScalarNode& s, llvm::StringRef text) {
  if (isQuoted(s)) return std::nullopt;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

}  // namespace

Located<bool> YamlWalker::readBool(const Value& v, llvm::StringRef key) {
  Located<bool> out;
  out.present = true;
  out.loc = v.loc;
  yaml::ScalarNode* s = scalar(v, key, "true or false");
  if (!s) return out;
  llvm::SmallString<16> storage;
  const llvm::StringRef text = s->getValue(storage);
  if (const std::optional<bool> b = boolWord(*s, text)) {
    out.value = *b, out.ok = true;
  } else {
    report(out.loc, "'" + key + "' must be true or false, but got '" + excerpt(text) + "'");
  }
  return out;
}

// The word `only` (plain or quoted, like every word of the config), or a
// bool as readBool reads one.
Located<BackwardMode> YamlWalker::readBackward(const Value& v, llvm::StringRef key) {
  Located<BackwardMode> out;
  out.present = true;
  out.loc = v.loc;
  yaml::ScalarNode* s = scalar(v, key, "true, false or only");
  if (!s) return out;
  llvm::SmallString<16> storage;
  const llvm::StringRef text = s->getValue(storage);
  if (text == "only") {
    out.value = BackwardMode::Only, out.ok = true;
  } else if (const std::optional<bool> b = boolWord(*s, text)) {
    out.value = *b ? BackwardMode::On : BackwardMode::Off, out.ok = true;
  } else {
    report(out.loc, "'" + key + "' must be true, false or only, but got '" + excerpt(text) + "'");
  }
  return out;
}

// One integer: a plain (unquoted) scalar of decimal digits with an optional
// sign ('+3' is 3, as in YAML and Python), without leading zeros, within
// limits.
bool YamlWalker::readIntScalar(yaml::ScalarNode& s, llvm::StringRef key, std::int64_t& out) {
  llvm::SmallString<32> storage;
  const llvm::StringRef text = s.getValue(storage);
  const llvm::SMLoc loc = s.getSourceRange().Start;
  llvm::StringRef digits = text;
  const bool negative = digits.consume_front("-");
  if (!negative) digits.consume_front("+");
  if (!isQuoted(s) && digits.size() > 2 && digits[0] == '0' &&
      llvm::StringRef("xXoObB").contains(digits[1])) {
    report(loc, "'" + key + "' must be a decimal integer, but got '" + excerpt(text) +
                    "' (hexadecimal, octal and binary forms are not supported)");
    return false;
  }
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
  if (digits.size() > 1 && digits.front() == '0') {
    report(loc, "'" + key + "' value " + excerpt(text) +
                    " has a leading zero, which YAML 1.1 readers (PyYAML) take as octal: write "
                    "it without leading zeros");
    return false;
  }
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

Located<std::int64_t> YamlWalker::readInt(const Value& v, llvm::StringRef key) {
  Located<std::int64_t> out;
  out.present = true;
  out.loc = v.loc;
  if (yaml::ScalarNode* s = scalar(v, key, "an integer"))
    out.ok = readIntScalar(*s, key, out.value);
  return out;
}

RawInts YamlWalker::readInts(const Value& v, llvm::StringRef key, bool scalar_ok) {
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
    check(&item);
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

RawPadding YamlWalker::readPadding(const Value& v) {
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
  if (auto* map = llvm::dyn_cast<yaml::MappingNode>(v.node)) {
    out.is_sides = true;
    out.ints.present = out.ints.ok = true;
    out.ints.loc = v.loc;
    walkMapping(*map, v.level, KeyScope::Padding, locate(map),
                [&](const ConfigKey& key, const Value& side) {
                  const llvm::StringRef name(key.name.data(), key.name.size());
                  Located<std::int64_t>& slot = key.id == KeyId::PadTop      ? out.top
                                                : key.id == KeyId::PadBottom ? out.bottom
                                                : key.id == KeyId::PadLeft   ? out.left
                                                                             : out.right;
                  slot = readInt(side, name);
                });
    out.ints.ok = out.top.usable() && out.bottom.usable() && out.left.usable() &&
                  out.right.usable();
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

}  // namespace convgen::detail
