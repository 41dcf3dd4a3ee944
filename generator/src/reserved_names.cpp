// Names a generated file cannot use, one table of classes. A layer name or a
// namespace component becomes a C++ namespace, part of an extern "C" symbol
// `<ns>_<name>_forward`, and sits next to the code's own names and what its
// headers (<stdint.h>, <array>, <cstdint>, <immintrin.h> with glibc's
// <stdlib.h>, <arm_neon.h>) declare; under -std=gnu++17 GCC also predefines `linux` and `unix` as
// macros. Each class's names either break the build or change the meaning
// of the generated code.
#include <algorithm>

#include "convgen/config.h"
#include "convgen/validate.h"
#include "llvm/ADT/StringExtras.h"

namespace convgen {
namespace {

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// <arm_neon.h>'s 4,350 functions (GCC 12) are all v<name>_<type><bits>,
// optionally _x2/_x3/_x4 (vld1q_f32, vaddq_s8, vld1_f32_x2); its types are
// <int|uint|float|poly|bfloat><bits>[x<lanes>[x<count>]]_t.
bool isNeonName(std::string_view s) {
  const bool lower = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!lower) return false;
  if (s.size() > 2 && s.substr(s.size() - 2) == "_t") {
    std::string_view t = s.substr(0, s.size() - 2);
    bool base = false;
    for (std::string_view b : {"bfloat", "float", "poly", "uint", "int"})
      if (t.substr(0, b.size()) == b) {
        t.remove_prefix(b.size());
        base = true;
        break;
      }
    if (!base) return false;
    // <bits>, then any number of x<count>
    for (std::size_t x = t.find('x');; x = t.find('x')) {
      if (!allDigits(t.substr(0, x))) return false;
      if (x == std::string_view::npos) return true;
      t.remove_prefix(x + 1);
    }
  }
  if (s.size() < 4 || s[0] != 'v') return false;
  std::string_view t = s;
  if (t.size() > 3 && t.substr(t.size() - 3, 2) == "_x" && t.back() >= '2' && t.back() <= '4')
    t.remove_suffix(3);
  const std::size_t last = t.rfind('_');
  if (last == std::string_view::npos || last < 2) return false;
  std::string_view suffix = t.substr(last + 1);
  bool type = false;
  for (std::string_view k : {"bf", "s", "u", "f", "p"})
    if (suffix.substr(0, k.size()) == k) {
      suffix.remove_prefix(k.size());
      type = true;
      break;
    }
  if (!type) return false;
  for (std::string_view bits : {"8", "16", "32", "64", "128"})
    if (suffix == bits) return true;
  return false;
}

}  // namespace

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
      {"is a macro or type of the C headers generated code includes (<stdint.h>, <stddef.h>, "
       "<limits.h>, <stdlib.h>)",
       {// <stdlib.h> and what glibc's pulls in (<sys/types.h>, <sys/select.h>,
        // pthread types)
        "div_t", "ldiv_t", "lldiv_t", "blkcnt_t", "blkcnt64_t", "blksize_t", "caddr_t", "clock_t",
        "clockid_t", "comparison_fn_t", "daddr_t", "dev_t", "fd_mask", "fd_set", "fsblkcnt_t",
        "fsblkcnt64_t", "fsfilcnt_t", "fsfilcnt64_t", "fsid_t", "gid_t", "id_t", "ino_t", "ino64_t",
        "key_t", "locale_t", "loff_t", "mode_t", "nlink_t", "off_t", "off64_t", "pid_t",
        "pthread_attr_t", "pthread_barrier_t", "pthread_barrierattr_t", "pthread_cond_t",
        "pthread_condattr_t", "pthread_key_t", "pthread_mutex_t", "pthread_mutexattr_t",
        "pthread_once_t", "pthread_rwlock_t", "pthread_rwlockattr_t", "pthread_spinlock_t",
        "pthread_t", "quad_t", "register_t", "sigset_t", "suseconds_t", "time_t", "timer_t",
        "u_char", "u_int", "u_int8_t", "u_int16_t", "u_int32_t", "u_int64_t", "u_long", "u_quad_t",
        "u_short", "uid_t", "uint", "ulong", "useconds_t", "ushort", "timespec", "timeval",
        "drand48_data", "random_data", "EXIT_FAILURE", "EXIT_SUCCESS", "RAND_MAX", "MB_CUR_MAX",
        // <stdint.h>, <stddef.h>
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
      {"is a C library function",
       {// <stdlib.h> (<immintrin.h> includes it), with glibc's extensions
        "a64l", "alloca", "arc4random", "arc4random_buf", "arc4random_uniform",
        "canonicalize_file_name", "clearenv", "drand48", "drand48_r", "ecvt", "ecvt_r", "erand48",
        "erand48_r", "fcvt", "fcvt_r", "gcvt", "getloadavg", "getpt", "getsubopt", "grantpt",
        "initstate", "initstate_r", "jrand48", "jrand48_r", "l64a", "lcong48", "lcong48_r",
        "lrand48", "lrand48_r", "mkdtemp", "mkostemp", "mkostemp64", "mkostemps", "mkostemps64",
        "mkstemp", "mkstemp64", "mkstemps", "mkstemps64", "mktemp", "mrand48", "mrand48_r",
        "nrand48", "nrand48_r", "on_exit", "posix_openpt", "pselect", "ptsname", "ptsname_r",
        "putenv", "qecvt", "qecvt_r", "qfcvt", "qfcvt_r", "qgcvt", "qsort_r", "rand_r", "random",
        "random_r", "reallocarray", "realpath", "rpmatch", "secure_getenv", "seed48", "seed48_r",
        "select", "setenv", "setstate", "setstate_r", "srand48", "srand48_r", "srandom",
        "srandom_r", "strfromd", "strfromf", "strfromf32", "strfromf64", "strfromf128",
        "strfromf32x", "strfromf64x", "strtof32", "strtof64", "strtof128", "strtof32x", "strtof64x",
        "strtof32_l", "strtof64_l", "strtof128_l", "strtof32x_l", "strtof64x_l", "strfroml",
        "strtod_l", "strtof_l", "strtol_l", "strtold_l", "strtoll_l", "strtoq", "strtoul_l",
        "strtoull_l", "strtouq", "unlockpt", "unsetenv", "valloc", "abort", "abs", "aligned_alloc",
        "at_quick_exit", "atexit", "atof", "atoi", "atol", "atoll", "bsearch", "calloc", "div",
        "exit", "free", "getenv", "labs", "ldiv", "llabs", "lldiv", "malloc", "mblen", "mbstowcs",
        "mbtowc", "posix_memalign", "qsort", "quick_exit", "rand", "realloc", "srand", "strtod",
        "strtof", "strtol", "strtold", "strtoll", "strtoul", "strtoull", "system", "wcstombs",
        "wctomb",
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
      {"is an <arm_neon.h> intrinsic or type name (v..._f32, float32x4_t, ...)",
       {},
       "",
       &isNeonName},
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
        (reserved.matches && reserved.matches(word)) ||
        (!reserved.prefix.empty() && word.substr(0, reserved.prefix.size()) == reserved.prefix) ||
        std::find(reserved.names.begin(), reserved.names.end(), word) != reserved.names.end();
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
