// Facts about the C and C++ libraries that several rules share: which
// headers are standard, which functions and classes use the free store,
// which builtins are mere hints. (ISA facts are not here: they live in
// convgen/isa.h.)
#pragma once

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/StringRef.h"

namespace convgen::verifier {

bool isStandardHeader(llvm::StringRef name);
// A file name of the kind compilers ship intrinsics in ("avx2intrin.h",
// "arm_neon.h", "mm_malloc.h"), whether or not an ISA may include it.
bool isIntrinsicsHeaderName(llvm::StringRef name);
// Free-store allocation through functions (no-heap reports these, so
// allowed-calls does not report them again).
bool isHeapFunction(const clang::FunctionDecl* fd);
// alloca and its builtins (no-vla reports these).
bool isAllocaFunction(const clang::FunctionDecl* fd);
// The standard class `type` (through references, pointers, arrays) is, if
// it allocates (or may) on the free store.
const clang::CXXRecordDecl* heapClass(clang::QualType type);
// Compiler hints that generate no call and no instruction of their own.
bool isHintBuiltin(llvm::StringRef name);
// Functions the generator declares fully unrolled (straight-line code).
bool isUnrolledName(const clang::FunctionDecl* fd);

}  // namespace convgen::verifier
