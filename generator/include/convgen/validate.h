// convgen's own rules on the names it splices into C++ code and file names
// (the rest of validation is validateConfig() in config.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llvm/ADT/StringRef.h"

namespace convgen {

// True when `s` may be spliced into C++ as an identifier, as a layer name or
// a namespace component: [A-Za-z_][A-Za-z0-9_]*, at most
// kMaxIdentifierLength characters, and no reserved name of any class below.
// `why` (may be null) says what is wrong otherwise, e.g. "is a C standard
// library function".
bool isSafeIdentifier(llvm::StringRef s, std::string* why);
// "a" or "a::b": every component a safe identifier.
bool isSafeNamespace(llvm::StringRef ns, std::string* why);

// The classes of names a generated file cannot use, in ONE table
// (reserved_names.cpp): each class says why, and holds exact names or one
// prefix or a pattern. Reserved identifiers (leading '_', "__") are a rule, not a list.
struct ReservedNames {
  std::string_view why;  // completes "layer name 'x' ..."
  std::vector<std::string_view> names;
  std::string_view prefix;  // non-empty: every name starting with it
  // Non-null: every name it matches (a family too large to list).
  bool (*matches)(std::string_view name) = nullptr;
};
const std::vector<ReservedNames>& reservedNameTable();

// The stem generated files are named after: `config_name` without a final
// ".yaml" or ".yml", when it is [A-Za-z0-9][A-Za-z0-9_-]*; "" otherwise.
std::string configFileStem(llvm::StringRef config_name);

}  // namespace convgen
