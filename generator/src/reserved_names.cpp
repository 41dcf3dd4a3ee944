// Names a generated file cannot use, one table of classes. A layer name or a
// namespace component becomes a C++ namespace, part of an extern "C" symbol
// `<ns>_<name>_forward`, and sits next to the code's own names and what its
// headers (<stdint.h>, <array>, <cstdint>, <immintrin.h>, <arm_neon.h>)
// declare; under -std=gnu++17 GCC also predefines `linux` and `unix` as
// macros. Each class's names either break the build or change the meaning
// of the generated code.
#include <algorithm>

#include "convgen/config.h"
#include "convgen/validate.h"
#include "llvm/ADT/StringExtras.h"

namespace convgen {

const std::vector<ReservedNames>& reservedNameTable() {
  static const std::vector<ReservedNames> kTable = {
      {"is a C++ keyword or reserved name",
       {// C++20 keywords and alternative tokens
        "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
        "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
        "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
        "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
        "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
        "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
        "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
        "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
        "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
        "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
        "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
        // C keywords the C header would meet, the standard library's namespace
        // and the program's entry point
        "restrict", "std", "main"},
       ""},
      {"is a name of convgen's generated code",
       {"convgen", "generated", "LayerInfo", "layer_info_v2"},
       ""},
      {"starts with CONVGEN_, which convgen's generated macros use", {}, "CONVGEN_"},
      {"is a macro or type of <stdint.h>, <stddef.h> or <limits.h>",
       {// types
        "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
        "int_least8_t", "int_least16_t", "int_least32_t", "int_least64_t", "uint_least8_t",
        "uint_least16_t", "uint_least32_t", "uint_least64_t", "int_fast8_t", "int_fast16_t",
        "int_fast32_t", "int_fast64_t", "uint_fast8_t", "uint_fast16_t", "uint_fast32_t",
        "uint_fast64_t", "intptr_t", "uintptr_t", "intmax_t", "uintmax_t", "size_t", "ssize_t",
        "ptrdiff_t", "max_align_t", "nullptr_t",
        // macros (glibc's <limits.h> adds POSIX limits)
        "NULL", "offsetof", "AIO_PRIO_DELTA_MAX", "BC_BASE_MAX", "BC_DIM_MAX", "BC_SCALE_MAX",
        "BC_STRING_MAX", "BOOL_MAX", "BOOL_WIDTH", "CHARCLASS_NAME_MAX", "CHAR_BIT", "CHAR_MAX",
        "CHAR_MIN", "CHAR_WIDTH", "COLL_WEIGHTS_MAX", "DELAYTIMER_MAX", "EXPR_NEST_MAX",
        "HOST_NAME_MAX", "INT8_C", "INT16_C", "INT32_C", "INT64_C", "INTMAX_C", "UINT8_C",
        "UINT16_C", "UINT32_C", "UINT64_C", "UINTMAX_C", "INT8_MAX", "INT8_MIN", "INT8_WIDTH",
        "INT16_MAX", "INT16_MIN", "INT16_WIDTH", "INT32_MAX", "INT32_MIN", "INT32_WIDTH",
        "INT64_MAX", "INT64_MIN", "INT64_WIDTH", "INTMAX_MAX", "INTMAX_MIN", "INTMAX_WIDTH",
        "INTPTR_MAX", "INTPTR_MIN", "INTPTR_WIDTH", "INT_FAST8_MAX", "INT_FAST8_MIN",
        "INT_FAST8_WIDTH", "INT_FAST16_MAX", "INT_FAST16_MIN", "INT_FAST16_WIDTH", "INT_FAST32_MAX",
        "INT_FAST32_MIN", "INT_FAST32_WIDTH", "INT_FAST64_MAX", "INT_FAST64_MIN",
        "INT_FAST64_WIDTH", "INT_LEAST8_MAX", "INT_LEAST8_MIN", "INT_LEAST8_WIDTH",
        "INT_LEAST16_MAX", "INT_LEAST16_MIN", "INT_LEAST16_WIDTH", "INT_LEAST32_MAX",
        "INT_LEAST32_MIN", "INT_LEAST32_WIDTH", "INT_LEAST64_MAX", "INT_LEAST64_MIN",
        "INT_LEAST64_WIDTH", "INT_MAX", "INT_MIN", "INT_WIDTH", "IOV_MAX", "LINE_MAX", "LLONG_MAX",
        "LLONG_MIN", "LLONG_WIDTH", "LOGIN_NAME_MAX", "LONG_BIT", "LONG_LONG_MAX", "LONG_LONG_MIN",
        "LONG_MAX", "LONG_MIN", "LONG_WIDTH", "MAX_CANON", "MAX_INPUT", "MB_LEN_MAX", "MQ_PRIO_MAX",
        "NAME_MAX", "NGROUPS_MAX", "NL_ARGMAX", "NL_LANGMAX", "NL_MSGMAX", "NL_NMAX", "NL_SETMAX",
        "NL_TEXTMAX", "NZERO", "PATH_MAX", "PIPE_BUF", "PTHREAD_DESTRUCTOR_ITERATIONS",
        "PTHREAD_KEYS_MAX", "PTHREAD_STACK_MIN", "PTRDIFF_MAX", "PTRDIFF_MIN", "PTRDIFF_WIDTH",
        "RE_DUP_MAX", "RTSIG_MAX", "SCHAR_MAX", "SCHAR_MIN", "SCHAR_WIDTH", "SEM_VALUE_MAX",
        "SHRT_MAX", "SHRT_MIN", "SHRT_WIDTH", "SIG_ATOMIC_MAX", "SIG_ATOMIC_MIN",
        "SIG_ATOMIC_WIDTH", "SIZE_MAX", "SIZE_WIDTH", "SSIZE_MAX", "TTY_NAME_MAX", "UCHAR_MAX",
        "UCHAR_WIDTH", "UINT8_MAX", "UINT8_WIDTH", "UINT16_MAX", "UINT16_WIDTH", "UINT32_MAX",
        "UINT32_WIDTH", "UINT64_MAX", "UINT64_WIDTH", "UINTMAX_MAX", "UINTMAX_WIDTH", "UINTPTR_MAX",
        "UINTPTR_WIDTH", "UINT_FAST8_MAX", "UINT_FAST8_WIDTH", "UINT_FAST16_MAX",
        "UINT_FAST16_WIDTH", "UINT_FAST32_MAX", "UINT_FAST32_WIDTH", "UINT_FAST64_MAX",
        "UINT_FAST64_WIDTH", "UINT_LEAST8_MAX", "UINT_LEAST8_WIDTH", "UINT_LEAST16_MAX",
        "UINT_LEAST16_WIDTH", "UINT_LEAST32_MAX", "UINT_LEAST32_WIDTH", "UINT_LEAST64_MAX",
        "UINT_LEAST64_WIDTH", "UINT_MAX", "UINT_WIDTH", "ULLONG_MAX", "ULLONG_WIDTH",
        "ULONG_LONG_MAX", "ULONG_MAX", "ULONG_WIDTH", "USHRT_MAX", "USHRT_WIDTH", "WCHAR_MAX",
        "WCHAR_MIN", "WCHAR_WIDTH", "WINT_MAX", "WINT_MIN", "WINT_WIDTH", "WORD_BIT",
        "XATTR_LIST_MAX", "XATTR_NAME_MAX", "XATTR_SIZE_MAX"},
       ""},
      {"is a C standard library function",
       {// <stdlib.h> (<immintrin.h> includes it)
        "abort", "abs", "aligned_alloc", "at_quick_exit", "atexit", "atof", "atoi", "atol", "atoll",
        "bsearch", "calloc", "div", "exit", "free", "getenv", "labs", "ldiv", "llabs", "lldiv",
        "malloc", "mblen", "mbstowcs", "mbtowc", "posix_memalign", "qsort", "quick_exit", "rand",
        "realloc", "srand", "strtod", "strtof", "strtol", "strtold", "strtoll", "strtoul",
        "strtoull", "system", "wcstombs", "wctomb",
        // <string.h>
        "memchr", "memcmp", "memcpy", "memmove", "memset", "strcat", "strchr", "strcmp", "strcoll",
        "strcpy", "strcspn", "strerror", "strlen", "strncat", "strncmp", "strncpy", "strpbrk",
        "strrchr", "strspn", "strstr", "strtok", "strxfrm",
        // <math.h>
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cbrt", "ceil", "copysign",
        "cos", "cosh", "erf", "erfc", "exp", "exp2", "expm1", "fabs", "fdim", "floor", "fma",
        "fmax", "fmin", "fmod", "frexp", "hypot", "ilogb", "ldexp", "lgamma", "llrint", "llround",
        "log", "log10", "log1p", "log2", "logb", "lrint", "lround", "modf", "nan", "nearbyint",
        "nextafter", "nexttoward", "pow", "remainder", "remquo", "rint", "round", "scalbln",
        "scalbn", "sin", "sinh", "sqrt", "tan", "tanh", "tgamma", "trunc",
        // <stdio.h>
        "fclose", "fflush", "fgetc", "fgets", "fopen", "fprintf", "fputc", "fputs", "fread",
        "fscanf", "fseek", "ftell", "fwrite", "getc", "getchar", "perror", "printf", "putc",
        "putchar", "puts", "remove", "rename", "rewind", "scanf", "snprintf", "sprintf", "sscanf",
        "tmpfile", "ungetc"},
       ""},
      {"is predefined by GNU C++ (-std=gnu++17) as a macro or keyword",
       {"linux", "unix", "i386", "typeof"},
       ""},
  };
  return kTable;
}

bool isSafeIdentifier(llvm::StringRef s, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (s.empty()) return fail("is empty");
  if (s.size() > kMaxIdentifierLength)
    return fail("is longer than " + std::to_string(kMaxIdentifierLength) + " characters");
  if (!(llvm::isAlpha(s.front()) || s.front() == '_') ||
      !llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return fail("is not a C++ identifier ([A-Za-z_][A-Za-z0-9_]*)");
  const std::string_view word(s.data(), s.size());
  for (const ReservedNames& reserved : reservedNameTable()) {
    const bool hit =
        reserved.prefix.empty()
            ? std::find(reserved.names.begin(), reserved.names.end(), word) != reserved.names.end()
            : word.substr(0, reserved.prefix.size()) == reserved.prefix;
    if (hit) return fail(std::string(reserved.why));
  }
  // Reserved identifiers: "__" anywhere, or '_' and a capital first (C and
  // C++). Any leading or trailing '_' would put "__" into the C entry point
  // <ns>_<name>_forward, so those are refused too.
  if (s.contains("__") || s.front() == '_' || s.back() == '_')
    return fail(
        "is reserved or would form a reserved C symbol (no leading, trailing or double "
        "'_')");
  return true;
}

bool isSafeNamespace(llvm::StringRef ns, std::string* why) {
  if (ns.empty()) {
    if (why) *why = "is empty";
    return false;
  }
  llvm::SmallVector<llvm::StringRef, 4> parts;
  ns.split(parts, "::", -1, /*KeepEmpty=*/true);
  for (llvm::StringRef part : parts) {
    std::string part_why;
    if (!isSafeIdentifier(part, &part_why)) {
      if (why) *why = ("has a part '" + part + "' that " + part_why).str();
      return false;
    }
  }
  return true;
}

std::string configFileStem(llvm::StringRef config_name) {
  llvm::StringRef stem = config_name;
  for (llvm::StringRef ext : {".yaml", ".yml"})
    if (stem.size() > ext.size() && stem.consume_back(ext)) break;
  if (stem.empty() || !llvm::isAlnum(stem.front())) return "";
  if (!llvm::all_of(stem, [](char c) { return llvm::isAlnum(c) || c == '_' || c == '-'; }))
    return "";
  return stem.str();
}

}  // namespace convgen
