#include "library.h"

#include <set>
#include <string>

namespace convgen::verifier {

using namespace clang;

bool isStandardHeader(llvm::StringRef name) {
  static const std::set<std::string> kHeaders = {
      // C++17
      "algorithm", "any", "array", "atomic", "bitset", "cassert", "ccomplex", "cctype", "cerrno",
      "cfenv", "cfloat", "charconv", "chrono", "cinttypes", "ciso646", "climits", "clocale",
      "cmath", "codecvt", "complex", "condition_variable", "csetjmp", "csignal", "cstdalign",
      "cstdarg", "cstdbool", "cstddef", "cstdint", "cstdio", "cstdlib", "cstring", "ctgmath",
      "ctime", "cuchar", "cwchar", "cwctype", "deque", "exception", "execution", "filesystem",
      "forward_list", "fstream", "functional", "future", "initializer_list", "iomanip", "ios",
      "iosfwd", "iostream", "istream", "iterator", "limits", "list", "locale", "map", "memory",
      "memory_resource", "mutex", "new", "numeric", "optional", "ostream", "queue", "random",
      "ratio", "regex", "scoped_allocator", "set", "shared_mutex", "sstream", "stack", "stdexcept",
      "streambuf", "string", "string_view", "strstream", "system_error", "thread", "tuple",
      "type_traits", "typeindex", "typeinfo", "unordered_map", "unordered_set", "utility",
      "valarray", "variant", "vector",
      // C, as C++ includes them
      "assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h", "inttypes.h", "iso646.h",
      "limits.h", "locale.h", "math.h", "setjmp.h", "signal.h", "stdalign.h", "stdarg.h",
      "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h", "tgmath.h", "time.h",
      "uchar.h", "wchar.h", "wctype.h"};
  return kHeaders.count(name.str()) > 0;
}

bool isIntrinsicsHeaderName(llvm::StringRef name) {
  return name.endswith("intrin.h") || name.startswith("arm_") || name == "mm_malloc.h";
}

bool isHeapFunction(const FunctionDecl* fd) {
  // clang-format off
  static const std::set<std::string> kNames = {
      "malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign", "memalign",
      "valloc", "pvalloc", "reallocarray", "strdup", "strndup", "_mm_malloc", "_mm_free",
      "operator new", "operator new[]", "operator delete", "operator delete[]", "std::make_unique",
      "std::make_shared", "std::allocate_shared"};
  // clang-format on
  return kNames.count(fd->getQualifiedNameAsString()) > 0;
}

bool isAllocaFunction(const FunctionDecl* fd) {
  const std::string name = fd->getQualifiedNameAsString();
  return name == "alloca" || name == "__builtin_alloca" || name == "__builtin_alloca_with_align";
}

const CXXRecordDecl* heapClass(QualType type) {
  // clang-format off
  static const std::set<std::string> kClasses = {
      "vector", "deque", "list", "forward_list", "map", "multimap", "set", "multiset",
      "unordered_map", "unordered_multimap", "unordered_set", "unordered_multiset", "basic_string",
      "stack", "queue", "priority_queue", "function", "unique_ptr", "shared_ptr", "weak_ptr", "any",
      "valarray", "allocator", "basic_stringbuf", "basic_stringstream", "basic_istringstream",
      "basic_ostringstream", "basic_regex"};
  // clang-format on
  for (int depth = 0; depth < 16 && !type.isNull(); ++depth) {
    type = type.getNonReferenceType().getCanonicalType();
    if (const auto* pointer = type->getAs<PointerType>()) {
      type = pointer->getPointeeType();
    } else if (const ArrayType* array = type->getAsArrayTypeUnsafe()) {
      type = array->getElementType();
    } else {
      break;
    }
  }
  if (type.isNull()) return nullptr;
  const CXXRecordDecl* record = type->getAsCXXRecordDecl();
  if (!record || !record->isInStdNamespace() || !record->getIdentifier()) return nullptr;
  return kClasses.count(record->getName().str()) ? record : nullptr;
}

bool isHintBuiltin(llvm::StringRef name) {
  return name == "__builtin_expect" || name == "__builtin_assume_aligned" ||
         name == "__builtin_assume" || name == "__builtin_unreachable";
}

bool isUnrolledName(const FunctionDecl* fd) {
  return fd->getIdentifier() && fd->getName().startswith("unrolled_");
}

}  // namespace convgen::verifier
