// The verifier's checks: Clang parses a generated file as the compiler would
// for its ISA, AST matchers find what the contract forbids, the call graph
// finds recursion and loops reached from unrolled code, and a walk over the
// layer namespaces checks the public API. This is the only translation unit
// that includes Clang's headers (each costs ~20 s to compile).
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Analysis/CallGraph.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/TargetInfo.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/Tooling.h"
#include "convgen/verify.h"
#include "llvm/ADT/SCCIterator.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"

namespace convgen {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

// Node matchers Clang 14 does not provide.
const internal::VariadicDynCastAllOfMatcher<Stmt, CXXTypeidExpr> cxxTypeidExpr;
const internal::VariadicDynCastAllOfMatcher<Stmt, IndirectGotoStmt> indirectGotoStmt;

// ---------------------------------------------------------------------------
// What each ISA may use.

// Headers whose intrinsics an ISA may call (basenames in Clang's resource
// include directory).
bool intrinsicHeaderAllowed(Isa isa, llvm::StringRef header) {
  static const std::set<std::string> kX86 = {"xmmintrin.h", "emmintrin.h",  "pmmintrin.h",
                                             "tmmintrin.h", "smmintrin.h",  "nmmintrin.h",
                                             "avxintrin.h", "avx2intrin.h", "fmaintrin.h"};
  switch (isa) {
    case Isa::Scalar:
      return false;
    case Isa::Avx2:
      return kX86.count(header.str()) > 0;
    case Isa::Avx512:
      return kX86.count(header.str()) > 0 ||
             (header.startswith("avx512") && header.endswith("intrin.h"));
    case Isa::Neon:
      return header == "arm_neon.h" || header == "arm_fp16.h";
  }
  return false;
}

const char* isaIntrinsicsSummary(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return "a scalar file uses no intrinsics";
    case Isa::Avx2:
      return "avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only";
    case Isa::Avx512:
      return "avx512 files use SSE to SSE4.2, AVX, AVX2, FMA and AVX-512 intrinsics only";
    case Isa::Neon:
      return "neon files use <arm_neon.h> intrinsics only";
  }
  return "";
}

// The intrinsics headers an ISA's files may include.
bool intrinsicsIncludeAllowed(Isa isa, llvm::StringRef header) {
  if (isa == Isa::Avx2 || isa == Isa::Avx512)
    return header == "immintrin.h" || intrinsicHeaderAllowed(isa, header);
  return isa == Isa::Neon && header == "arm_neon.h";
}

std::string isaName(Isa isa) { return std::string(toString(isa)); }

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

// Free-store allocation through functions (no-heap reports these, so
// allowed-calls does not report them again).
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

// Standard classes that allocate (or may) on the free store.
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

// Compiler hints that generate no call and no instruction of their own.
bool isHintBuiltin(llvm::StringRef name) {
  return name == "__builtin_expect" || name == "__builtin_assume_aligned" ||
         name == "__builtin_assume" || name == "__builtin_unreachable";
}

const char* loopKind(const Stmt* s) {
  if (isa<ForStmt>(s) || isa<CXXForRangeStmt>(s)) return "'for' loop";
  if (isa<WhileStmt>(s)) return "'while' loop";
  if (isa<DoStmt>(s)) return "'do' loop";
  return "'goto'";
}

bool isUnrolledName(const FunctionDecl* fd) {
  return fd->getIdentifier() && fd->getName().startswith("unrolled_");
}

std::string cleanPath(llvm::StringRef path) {
  llvm::SmallString<256> p(path);
  llvm::sys::path::remove_dots(p, /*remove_dot_dot=*/false);
  return std::string(p.str());
}

bool isHeaderPath(llvm::StringRef path) {
  const llvm::StringRef ext = llvm::sys::path::extension(path);
  return ext == ".h" || ext == ".hh" || ext == ".hpp" || ext == ".hxx";
}

// ---------------------------------------------------------------------------
// One file's verification.

struct Session {
  const VerifyOptions& options;
  Isa isa;
  std::string main_path;
  std::string resource_include;  // real path of <resource dir>/include
  VerifyResult& result;

  // Adds a finding at `loc` (its file location; for macros, where the macro
  // is used).
  void report(const SourceManager& sm, SourceLocation loc, llvm::StringRef rule,
              const llvm::Twine& message) {
    VerifyFinding f;
    f.rule = rule.str();
    f.message = message.str();
    f.file = cleanPath(main_path);
    if (loc.isValid()) {
      const PresumedLoc p = sm.getPresumedLoc(sm.getFileLoc(loc), /*UseLineDirectives=*/false);
      if (p.isValid()) {
        f.file = cleanPath(p.getFilename());
        f.line = p.getLine();
        f.column = p.getColumn();
      }
    }
    result.findings.push_back(std::move(f));
  }
};

// Clang's own errors become [compile] findings.
class CompileErrors : public DiagnosticConsumer {
 public:
  explicit CompileErrors(Session& s) : s_(s) {}
  void HandleDiagnostic(DiagnosticsEngine::Level level, const Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < DiagnosticsEngine::Error) return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    if (info.hasSourceManager()) {
      s_.report(info.getSourceManager(), info.getLocation(), "compile", text);
    } else {
      VerifyFinding f;
      f.file = cleanPath(s_.main_path);
      f.rule = "compile";
      f.message = std::string(text.str());
      s_.result.findings.push_back(std::move(f));
    }
  }

 private:
  Session& s_;
};

// allowed-includes: standard headers, the ISA's intrinsics header, and the
// generated code's own headers.
class IncludeChecker : public PPCallbacks {
 public:
  IncludeChecker(Session& s, const SourceManager& sm) : s_(s), sm_(sm) {}
  void InclusionDirective(SourceLocation hash, const Token&, llvm::StringRef name, bool angled,
                          CharSourceRange, const FileEntry* file, llvm::StringRef, llvm::StringRef,
                          const Module*, SrcMgr::CharacteristicKind kind) override {
    if (sm_.isInSystemHeader(hash)) return;
    const char* rule = "allowed-includes";
    if (!angled) {
      if (file && kind != SrcMgr::C_User)
        s_.report(sm_, hash, rule,
                  "\"" + name + "\" resolves to a system header: include it with <...>");
      return;
    }
    if (isStandardHeader(name)) return;
    if (intrinsicsIncludeAllowed(s_.isa, name)) return;
    if (isIntrinsicsHeaderName(name)) {
      s_.report(sm_, hash, rule,
                "<" + name + "> is not an intrinsics header " + isaName(s_.isa) +
                    " files may include: " + isaIntrinsicsSummary(s_.isa));
      return;
    }
    s_.report(sm_, hash, rule,
              "<" + name +
                  "> is not a standard header: generated code includes only standard "
                  "headers, its ISA's intrinsics header and its own header");
  }

 private:
  Session& s_;
  const SourceManager& sm_;
};

class LambdaCallback : public MatchFinder::MatchCallback {
 public:
  using Fn = std::function<void(const MatchFinder::MatchResult&)>;
  explicit LambdaCallback(Fn fn) : fn_(std::move(fn)) {}
  void run(const MatchFinder::MatchResult& result) override { fn_(result); }

 private:
  Fn fn_;
};

class Checker : public ASTConsumer {
 public:
  explicit Checker(Session& s) : s_(s) {}

  void HandleTranslationUnit(ASTContext& ctx) override {
    ctx_ = &ctx;
    sm_ = &ctx.getSourceManager();
    policy_ = std::make_unique<PrintingPolicy>(ctx.getLangOpts());
    policy_->SuppressUnwrittenScope = true;  // no "(anonymous namespace)::"
    policy_->SuppressTagKeyword = true;
    collectLayerIsas();
    MatchFinder finder;
    addHeapMatchers(finder);
    addExceptionAndRttiMatchers(finder);
    addStateMatchers(finder);
    addCallMatchers(finder);
    addLoopMatchers(finder);
    addStackMatchers(finder);
    finder.matchAST(ctx);
    checkCallGraph();
    checkStackFrames();
    checkPublicApi();
  }

 private:
  // ----- helpers -----------------------------------------------------------
  bool isUser(SourceLocation loc) const {
    return loc.isValid() && !sm_->isInSystemHeader(sm_->getExpansionLoc(loc));
  }
  bool isUser(const Decl* d) const { return d && isUser(d->getLocation()); }
  // Findings are about the generated code only, never about system headers
  // (the matchers exclude those too; this also covers nodes whose begin
  // location the matchers see differently).
  void report(SourceLocation loc, llvm::StringRef rule, const llvm::Twine& message) {
    if (loc.isValid() && !isUser(loc)) return;
    s_.report(*sm_, loc, rule, message);
  }
  std::string name(const NamedDecl* d) const {
    std::string out;
    llvm::raw_string_ostream os(out);
    d->printQualifiedName(os, *policy_);
    return os.str();
  }
  std::string typeName(QualType t) const { return t.getAsString(*policy_); }

  template <typename M>
  void on(MatchFinder& finder, const M& matcher, LambdaCallback::Fn fn) {
    callbacks_.push_back(std::make_unique<LambdaCallback>(std::move(fn)));
    finder.addMatcher(matcher, callbacks_.back().get());
  }

  // The basename of the resource-dir header `loc` is in, or "".
  std::string resourceHeader(SourceLocation loc) const {
    if (loc.isInvalid()) return "";
    const llvm::StringRef file = sm_->getFilename(sm_->getSpellingLoc(loc));
    if (file.empty()) return "";
    const llvm::StringRef dir = llvm::sys::path::parent_path(file);
    auto it = real_dirs_.find(dir.str());
    if (it == real_dirs_.end()) {
      llvm::SmallString<256> real;
      if (llvm::sys::fs::real_path(dir, real)) real = dir;
      it = real_dirs_.emplace(dir.str(), std::string(real.str())).first;
    }
    if (it->second != s_.resource_include) return "";
    return llvm::sys::path::filename(file).str();
  }

  // The header that declares `d`, as it would be included ("stdio.h").
  std::string headerOf(const Decl* d) const {
    const llvm::StringRef file = sm_->getFilename(sm_->getFileLoc(d->getLocation()));
    return file.empty() ? "<built-in>" : "<" + llvm::sys::path::filename(file).str() + ">";
  }

  // The first feature of `required` ("a,b|c": a and (b or c)) that the
  // ISA's flags do not enable, or "".
  std::string missingFeature(llvm::StringRef required) const {
    const llvm::StringMap<bool>& enabled = ctx_->getTargetInfo().getTargetOpts().FeatureMap;
    llvm::SmallVector<llvm::StringRef, 4> all;
    required.split(all, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef group : all) {
      llvm::SmallVector<llvm::StringRef, 4> any;
      group.split(any, '|', -1, false);
      const bool ok = std::any_of(any.begin(), any.end(),
                                  [&](llvm::StringRef f) { return enabled.lookup(f.trim("() ")); });
      if (!ok) return any.empty() ? group.str() : any.front().trim("() ").str();
    }
    return "";
  }

  std::string missingFeature(const FunctionDecl* callee, unsigned builtin) const {
    if (builtin) return missingFeature(ctx_->BuiltinInfo.getRequiredFeatures(builtin));
    const auto* attr = callee->getAttr<TargetAttr>();
    if (!attr) return "";
    const llvm::StringMap<bool>& enabled = ctx_->getTargetInfo().getTargetOpts().FeatureMap;
    const ParsedTargetAttr parsed = ctx_->filterFunctionTargetAttrs(attr);
    for (const std::string& f : parsed.Features)
      if (!f.empty() && f[0] == '+' && !enabled.lookup(f.substr(1))) return f.substr(1);
    return "";
  }

  std::string isaFlags() const {
    std::string flags;
    for (const std::string& f : isaParseFlags(s_.isa)) flags += (flags.empty() ? "" : " ") + f;
    return flags.empty() ? "no ISA flags" : flags;
  }

  // Each layer's ISA, from the kernel name in its `info` constant
  // ("conv1__avx2_direct_..."): a file may hold layers of several ISAs, and
  // a scalar layer in an avx2 file still uses no intrinsics.
  void collectLayerIsas() {
    std::vector<const NamespaceDecl*> namespaces;
    std::set<const NamespaceDecl*> seen;
    collectNamespaces(ctx_->getTranslationUnitDecl(), namespaces, seen);
    for (const NamespaceDecl* ns : namespaces) {
      const auto* info = dyn_cast_or_null<VarDecl>(lookupOne(ns, "info"));
      const RecordDecl* record = info ? info->getType()->getAsRecordDecl() : nullptr;
      const auto* list = info && info->getInit()
                             ? dyn_cast<InitListExpr>(info->getInit()->IgnoreImplicit())
                             : nullptr;
      if (!record || !list) continue;
      unsigned index = 0;
      for (const FieldDecl* field : record->fields()) {
        if (field->getName() == "kernel" && index < list->getNumInits())
          if (const auto* str = dyn_cast<StringLiteral>(list->getInit(index)->IgnoreImplicit())) {
            const llvm::StringRef kernel = str->getString();
            const std::size_t at = kernel.find("__");
            if (at != llvm::StringRef::npos) {
              const llvm::StringRef word = kernel.substr(at + 2).split('_').first;
              if (std::optional<Isa> isa = parseIsaName(std::string_view(word.data(), word.size())))
                layer_isa_.emplace(ns, std::make_pair(*isa, name(ns)));
            }
          }
        ++index;
      }
    }
  }

  // The ISA whose intrinsics code at `loc` may call: its layer's, else the file's.
  std::pair<Isa, std::string> isaAt(const Stmt* s) const {
    DynTypedNodeList parents = ctx_->getParents(*s);
    for (int depth = 0; depth < 256 && !parents.empty(); ++depth) {
      if (const auto* fn = parents[0].get<FunctionDecl>()) {
        for (const DeclContext* dc = fn->getDeclContext(); dc; dc = dc->getParent())
          if (const auto* ns = dyn_cast<NamespaceDecl>(dc)) {
            auto it = layer_isa_.find(ns->getOriginalNamespace());
            if (it != layer_isa_.end()) return it->second;
          }
        break;
      }
      parents = ctx_->getParents(parents[0]);
    }
    return {s_.isa, ""};
  }

  // An intrinsic call (a function or builtin macro from header `header`).
  void checkIntrinsic(const Stmt* call, const std::string& intrinsic, const std::string& header,
                      const FunctionDecl* callee, unsigned builtin) {
    const char* rule = "allowed-calls";
    const SourceLocation loc = call->getBeginLoc();
    const auto [isa, layer] = isaAt(call);
    const std::string whose =
        layer.empty() || isa == s_.isa ? "" : " (layer '" + layer + "' is " + isaName(isa) + ")";
    if (isa == Isa::Scalar) {
      report(loc, rule,
             "'" + intrinsic + "' is an intrinsic (<" + header +
                 ">): " + isaIntrinsicsSummary(isa) + whose);
      return;
    }
    if (!intrinsicHeaderAllowed(isa, header)) {
      report(loc, rule,
             "'" + intrinsic + "' (<" + header + ">) is outside the " + isaName(isa) +
                 " intrinsics: " + isaIntrinsicsSummary(isa) + whose);
      return;
    }
    const std::string missing = missingFeature(callee, builtin);
    if (!missing.empty())
      report(loc, rule,
             "'" + intrinsic + "' needs target feature '" + missing + "', which " +
                 isaName(s_.isa) + " files are not compiled with (" + isaFlags() + ")");
  }

  // ----- no-heap -------------------------------------------------------------
  void addHeapMatchers(MatchFinder& f) {
    const char* rule = "no-heap";
    on(f, cxxNewExpr(unless(isExpansionInSystemHeader())).bind("e"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* e = r.Nodes.getNodeAs<CXXNewExpr>("e");
         report(e->getBeginLoc(), rule,
                e->getNumPlacementArgs() ? "placement 'new': generated code constructs nothing "
                                           "dynamically"
                                         : "'new' allocates on the heap");
       });
    on(f, cxxDeleteExpr(unless(isExpansionInSystemHeader())).bind("e"),
       [this, rule](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<CXXDeleteExpr>("e")->getBeginLoc(), rule,
                "'delete' frees heap memory");
       });
    on(f,
       callExpr(unless(isExpansionInSystemHeader()), callee(functionDecl().bind("fn")))
           .bind("call"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* fn = r.Nodes.getNodeAs<FunctionDecl>("fn");
         if (!isHeapFunction(fn)) return;
         const std::string n = fn->getQualifiedNameAsString();
         const bool frees = n == "free" || n == "_mm_free" || n.rfind("operator delete", 0) == 0;
         report(r.Nodes.getNodeAs<CallExpr>("call")->getBeginLoc(), rule,
                "call to '" + n + (frees ? "' frees heap memory" : "' allocates on the heap"));
       });
    // Declarations and temporaries of standard classes that allocate.
    on(f, declaratorDecl(unless(isExpansionInSystemHeader())).bind("d"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* d = r.Nodes.getNodeAs<DeclaratorDecl>("d");
         if (d->isImplicit()) return;
         QualType type = d->getType();
         const char* what = "variable";
         if (const auto* fn = dyn_cast<FunctionDecl>(d)) {
           type = fn->getReturnType();
           what = "function";
         } else if (isa<ParmVarDecl>(d)) {
           what = "parameter";
         } else if (isa<FieldDecl>(d)) {
           what = "member";
         }
         const CXXRecordDecl* heap = heapClass(type);
         if (!heap) return;
         report(d->getLocation(), rule,
                llvm::Twine(what) + " '" + d->getNameAsString() + "' " +
                    (isa<FunctionDecl>(d) ? "returns" : "has type") + " '" + typeName(type) +
                    "': std::" + heap->getName() + " allocates on the heap");
       });
    on(f, cxxConstructExpr(unless(isExpansionInSystemHeader())).bind("e"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* e = r.Nodes.getNodeAs<CXXConstructExpr>("e");
         const CXXRecordDecl* heap = heapClass(e->getType());
         if (!heap || initializesDeclOfClass(e, heap)) return;
         report(e->getBeginLoc(), rule,
                "temporary '" + typeName(e->getType()) + "': std::" + heap->getName() +
                    " allocates on the heap");
       });
  }

  // Whether `e` is (through implicit nodes) the initializer of a variable
  // whose own declaration is reported already.
  bool initializesDeclOfClass(const Expr* e, const CXXRecordDecl* heap) const {
    DynTypedNodeList parents = ctx_->getParents(*e);
    for (int depth = 0; depth < 8 && !parents.empty(); ++depth) {
      const DynTypedNode& p = parents[0];
      if (const auto* var = p.get<VarDecl>()) return heapClass(var->getType()) == heap;
      if (const auto* field = p.get<FieldDecl>()) return heapClass(field->getType()) == heap;
      const Expr* parent = p.get<Expr>();
      if (!parent || !(isa<ExprWithCleanups, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
                           ImplicitCastExpr, CXXFunctionalCastExpr, ParenExpr>(parent) ||
                       (isa<CXXConstructExpr>(parent) && heapClass(parent->getType()) == heap)))
        return false;
      parents = ctx_->getParents(p);
    }
    return false;
  }

  // ----- no-exceptions, no-rtti ---------------------------------------------
  void addExceptionAndRttiMatchers(MatchFinder& f) {
    on(f, cxxThrowExpr(unless(isExpansionInSystemHeader())).bind("s"),
       [this](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<Stmt>("s")->getBeginLoc(), "no-exceptions",
                "'throw': generated code throws nothing and builds with -fno-exceptions");
       });
    on(f, cxxTryStmt(unless(isExpansionInSystemHeader())).bind("s"),
       [this](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<Stmt>("s")->getBeginLoc(), "no-exceptions",
                "'try' block: generated code throws nothing and builds with -fno-exceptions");
       });
    on(f, cxxTypeidExpr(unless(isExpansionInSystemHeader())).bind("s"),
       [this](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<Stmt>("s")->getBeginLoc(), "no-rtti",
                "'typeid' needs RTTI: generated code builds with -fno-rtti");
       });
    on(f, cxxDynamicCastExpr(unless(isExpansionInSystemHeader())).bind("s"),
       [this](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<Stmt>("s")->getBeginLoc(), "no-rtti",
                "'dynamic_cast' needs RTTI: generated code builds with -fno-rtti");
       });
  }

  // ----- no-mutable-state, no-vla -------------------------------------------
  bool isMutable(const VarDecl* v) const {
    const QualType type = v->getType();
    if (type->isReferenceType()) return false;  // a reference itself cannot change
    if (!type.isConstant(*ctx_) && !v->isConstexpr()) return true;
    const CXXRecordDecl* record = ctx_->getBaseElementType(type)->getAsCXXRecordDecl();
    return record && record->hasDefinition() && record->hasMutableFields();
  }

  void addStateMatchers(MatchFinder& f) {
    on(f, varDecl(unless(isExpansionInSystemHeader())).bind("v"),
       [this](const MatchFinder::MatchResult& r) {
         const auto* v = r.Nodes.getNodeAs<VarDecl>("v");
         if (v->isImplicit()) return;
         if (ctx_->getAsVariableArrayType(v->getType()))
           report(v->getLocation(), "no-vla",
                  "'" + v->getNameAsString() +
                      "' is a variable-length array: its stack use is unbounded");
         if (!v->hasGlobalStorage() || !v->isCanonicalDecl() || !isMutable(v)) return;
         const char* what = v->getTLSKind() != VarDecl::TLS_None ? "thread_local variable"
                            : v->isStaticLocal()                 ? "static local variable"
                            : v->isStaticDataMember()            ? "static data member"
                                                                 : "namespace-scope variable";
         report(v->getLocation(), "no-mutable-state",
                llvm::Twine(what) + " '" + v->getNameAsString() +
                    "' is mutable state shared by every call: the kernel would not be "
                    "re-entrant (make it constexpr, or a local)");
       });
    on(f,
       declRefExpr(unless(isExpansionInSystemHeader()),
                   to(varDecl(hasGlobalStorage(), isExpansionInSystemHeader()).bind("v")))
           .bind("ref"),
       [this](const MatchFinder::MatchResult& r) {
         const auto* v = r.Nodes.getNodeAs<VarDecl>("v");
         if (!isMutable(v)) return;
         report(r.Nodes.getNodeAs<DeclRefExpr>("ref")->getBeginLoc(), "no-mutable-state",
                "uses the mutable global '" + name(v) + "' (declared in " + headerOf(v) + ")");
       });
    on(f,
       callExpr(unless(isExpansionInSystemHeader()), callee(functionDecl().bind("fn")))
           .bind("call"),
       [this](const MatchFinder::MatchResult& r) {
         if (!isAllocaFunction(r.Nodes.getNodeAs<FunctionDecl>("fn"))) return;
         report(r.Nodes.getNodeAs<CallExpr>("call")->getBeginLoc(), "no-vla",
                "'alloca' is a variable-size stack allocation: its stack use is unbounded");
       });
  }

  // ----- allowed-calls -------------------------------------------------------
  // Calls that run at compile time only need no check.
  bool inConstantContext(const Stmt* s) const {
    DynTypedNodeList parents = ctx_->getParents(*s);
    for (int depth = 0; depth < 64 && !parents.empty(); ++depth) {
      const DynTypedNode& p = parents[0];
      if (p.get<ConstantExpr>() || p.get<StaticAssertDecl>()) return true;
      if (const auto* unary = p.get<UnaryExprOrTypeTraitExpr>()) return !unary->isArgumentType();
      if (const auto* var = p.get<VarDecl>()) return var->isConstexpr();
      if (p.get<FunctionDecl>() || p.get<TranslationUnitDecl>()) return false;
      parents = ctx_->getParents(p);
    }
    return false;
  }

  void addCallMatchers(MatchFinder& f) {
    const char* rule = "allowed-calls";
    on(f, callExpr(unless(isExpansionInSystemHeader())).bind("call"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* call = r.Nodes.getNodeAs<CallExpr>("call");
         if (call->isInstantiationDependent() || inConstantContext(call)) return;
         const SourceLocation loc = call->getBeginLoc();
         const FunctionDecl* callee = call->getDirectCallee();
         if (!callee) {
           if (!isa<CXXPseudoDestructorExpr>(call->getCallee()->IgnoreParenImpCasts()))
             report(loc, rule,
                    "indirect call (through a pointer or reference): only direct calls to the "
                    "file's own functions can be verified");
           return;
         }
         if (isHeapFunction(callee) || isAllocaFunction(callee)) return;  // no-heap, no-vla
         if (const auto* method = dyn_cast<CXXMethodDecl>(callee);
             method && method->isVirtual() && !isa<CXXOperatorCallExpr>(call)) {
           const auto* member = dyn_cast<MemberExpr>(call->getCallee()->IgnoreParenImpCasts());
           if (!member || !member->hasQualifier()) {
             report(loc, rule,
                    "virtual call to '" + name(method) +
                        "': only direct calls to the file's own functions can be verified");
             return;
           }
         }
         // Clang declares a builtin where it is first used, so its location
         // may be in the generated file: builtins are recognized by ID.
         const unsigned builtin = callee->getBuiltinID();
         if (builtin && (callee->isImplicit() || !isUser(callee->getLocation()))) {
           // A builtin that an intrinsics macro expands to, or one called by name.
           const std::string header = resourceHeader(call->getCallee()->getBeginLoc());
           if (!header.empty()) {
             const SourceLocation use = sm_->getExpansionLoc(loc);
             const std::string macro = Lexer::getSourceText(CharSourceRange::getTokenRange(use),
                                                            *sm_, ctx_->getLangOpts())
                                           .str();
             checkIntrinsic(call, macro.empty() ? callee->getName().str() : macro, header, callee,
                            builtin);
             return;
           }
           const llvm::StringRef builtin_name = callee->getName();
           if (builtin_name.startswith("__builtin") || builtin_name.startswith("__sync") ||
               builtin_name.startswith("__atomic")) {
             if (isHintBuiltin(builtin_name)) return;
             report(loc, rule,
                    "'" + builtin_name + "' is a compiler builtin: " +
                        (s_.isa == Isa::Scalar ? std::string(isaIntrinsicsSummary(s_.isa))
                                               : "call the intrinsic, not its builtin"));
             return;
           }
         }
         if (isUser(callee->getLocation())) {
           if (!callee->isDefined())
             report(loc, rule,
                    "call to '" + name(callee) +
                        "', which this file declares but does not define: generated code calls "
                        "only its own functions");
           return;
         }
         const std::string header = resourceHeader(callee->getLocation());
         if (!header.empty()) {
           checkIntrinsic(call, callee->getName().str(), header, callee, builtin);
           return;
         }
         report(loc, rule,
                "call to '" + name(callee) + "' (declared in " + headerOf(callee) +
                    "): generated code calls only its own functions" +
                    (s_.isa == Isa::Scalar ? std::string()
                                           : " and " + isaName(s_.isa) + " intrinsics"));
       });
    // Library constructors run library code too (heap classes are reported
    // by no-heap).
    on(f, cxxConstructExpr(unless(isExpansionInSystemHeader())).bind("e"),
       [this, rule](const MatchFinder::MatchResult& r) {
         const auto* e = r.Nodes.getNodeAs<CXXConstructExpr>("e");
         const CXXConstructorDecl* ctor = e->getConstructor();
         if (!ctor || ctor->isTrivial() || !ctor->isUserProvided() || isUser(ctor->getLocation()) ||
             heapClass(e->getType()) || inConstantContext(e))
           return;
         report(e->getBeginLoc(), rule,
                "constructs '" + typeName(e->getType()) +
                    "', which runs library code (declared in " + headerOf(ctor) + ")");
       });
    on(f, asmStmt(unless(isExpansionInSystemHeader())).bind("s"),
       [this, rule](const MatchFinder::MatchResult& r) {
         report(r.Nodes.getNodeAs<Stmt>("s")->getBeginLoc(), rule,
                "inline assembly: generated code uses only intrinsics, which the verifier can "
                "check");
       });
  }

  // ----- unrolled-no-loop ----------------------------------------------------
  void addLoopMatchers(MatchFinder& f) {
    auto loop = stmt(
        unless(isExpansionInSystemHeader()),
        anyOf(forStmt(), whileStmt(), doStmt(), cxxForRangeStmt(), gotoStmt(), indirectGotoStmt()));
    on(f, loop.bind("loop"), [this](const MatchFinder::MatchResult& r) {
      const auto* s = r.Nodes.getNodeAs<Stmt>("loop");
      if (!isUser(s->getBeginLoc())) return;
      // Every function the loop is inside (a lambda's, then its enclosing).
      DynTypedNodeList parents = ctx_->getParents(*s);
      bool innermost = true;
      for (int depth = 0; depth < 256 && !parents.empty(); ++depth) {
        const DynTypedNode& p = parents[0];
        if (const auto* fn = p.get<FunctionDecl>()) {
          if (innermost) has_loop_.emplace(fn->getCanonicalDecl(), s);
          innermost = false;
          if (isUnrolledName(fn)) {
            report(s->getBeginLoc(), "unrolled-no-loop",
                   llvm::Twine(loopKind(s)) + " inside '" + fn->getName() +
                       "', which the generator declares fully unrolled (straight-line code)");
            return;
          }
        }
        parents = ctx_->getParents(p);
      }
    });
  }

  // ----- stack frames --------------------------------------------------------
  void addStackMatchers(MatchFinder& f) {
    on(f,
       varDecl(unless(isExpansionInSystemHeader()), hasLocalStorage(), unless(parmVarDecl()))
           .bind("v"),
       [this](const MatchFinder::MatchResult& r) {
         const auto* v = r.Nodes.getNodeAs<VarDecl>("v");
         const QualType type = v->getType();
         if (!isUser(v->getLocation()) || type->isDependentType() || type->isReferenceType() ||
             type->isIncompleteType())
           return;
         if (!type->isConstantArrayType() && !type->isRecordType()) return;
         const auto* fn = dyn_cast_or_null<FunctionDecl>(v->getParentFunctionOrMethod());
         if (!fn) return;
         frame_bytes_[fn->getCanonicalDecl()] += ctx_->getTypeSizeInChars(type).getQuantity();
       });
  }

  void checkStackFrames() {
    for (const auto& [fn, bytes] : frame_bytes_) {
      const FunctionDecl* def = fn->getDefinition() ? fn->getDefinition() : fn;
      const PresumedLoc p = sm_->getPresumedLoc(sm_->getFileLoc(def->getLocation()), false);
      StackFrame frame;
      frame.function = name(def);
      frame.file = p.isValid() ? cleanPath(p.getFilename()) : "";
      frame.line = p.isValid() ? p.getLine() : 0;
      frame.bytes = bytes;
      if (s_.options.max_stack_bytes >= 0 && bytes > s_.options.max_stack_bytes)
        report(def->getLocation(), "stack-frame",
               "'" + frame.function + "' keeps " + llvm::Twine(bytes) +
                   " bytes of local arrays and aggregates on the stack, more than --max-stack " +
                   llvm::Twine(s_.options.max_stack_bytes));
      s_.result.frames.push_back(std::move(frame));
    }
    std::sort(s_.result.frames.begin(), s_.result.frames.end(),
              [](const StackFrame& a, const StackFrame& b) {
                return std::tie(b.bytes, a.function, a.file, a.line) <
                       std::tie(a.bytes, b.function, b.file, b.line);
              });
  }

  // ----- no-recursion, unrolled code reaching loops --------------------------
  const FunctionDecl* userFunction(const CallGraphNode* node) const {
    const auto* fn = dyn_cast_or_null<FunctionDecl>(node ? node->getDecl() : nullptr);
    return fn && isUser(fn->getLocation()) ? fn : nullptr;
  }

  void checkCallGraph() {
    CallGraph graph;
    graph.addToCallGraph(ctx_->getTranslationUnitDecl());
    for (auto it = llvm::scc_begin(&graph); !it.isAtEnd(); ++it) {
      if (!it.hasCycle()) continue;
      const std::vector<CallGraphNode*>& scc = *it;
      reportCycle(scc);
    }
    checkUnrolledCalls(graph);
  }

  void reportCycle(const std::vector<CallGraphNode*>& scc) {
    // Start at the user function defined first in the file.
    auto defined_at = [](const FunctionDecl* fn) {
      return fn->getDefinition() ? fn->getDefinition()->getLocation() : fn->getLocation();
    };
    CallGraphNode* start = nullptr;
    for (CallGraphNode* node : scc) {
      const FunctionDecl* fn = userFunction(node);
      if (!fn) continue;
      if (!start || sm_->isBeforeInTranslationUnit(defined_at(fn), defined_at(userFunction(start))))
        start = node;
    }
    if (!start) return;
    // A shortest path start -> ... -> start within the component.
    const std::set<CallGraphNode*> members(scc.begin(), scc.end());
    std::map<CallGraphNode*, std::pair<CallGraphNode*, const Expr*>> came_from;
    std::vector<CallGraphNode*> queue = {start};
    const Expr* first_call = nullptr;
    CallGraphNode* last = nullptr;
    for (std::size_t i = 0; i < queue.size() && !last; ++i) {
      for (const CallGraphNode::CallRecord& call : *queue[i]) {
        if (!members.count(call.Callee)) continue;
        if (call.Callee == start) {
          last = queue[i];
          if (last == start) first_call = call.CallExpr;
          break;
        }
        if (came_from.emplace(call.Callee, std::make_pair(queue[i], call.CallExpr)).second)
          queue.push_back(call.Callee);
      }
    }
    if (!last) return;
    std::vector<std::string> path = {userFunction(start)->getNameAsString()};
    for (CallGraphNode* n = last; n != start; n = came_from[n].first) {
      path.insert(path.begin() + 1, n->getDecl()->getAsFunction()->getNameAsString());
      if (came_from[n].first == start) first_call = came_from[n].second;
    }
    std::string text;
    for (const std::string& p : path) text += p + " -> ";
    text += path.front();
    const FunctionDecl* fn = userFunction(start);
    report(first_call ? first_call->getBeginLoc() : fn->getLocation(), "no-recursion",
           "'" + fn->getNameAsString() + "' is recursive (" + text +
               "): generated code's stack use must be bounded");
  }

  // Whether `fn` or a function it calls has a loop; memoized.
  bool reachesLoop(const CallGraph& graph, const FunctionDecl* fn,
                   std::set<const FunctionDecl*>& visiting) {
    fn = fn->getCanonicalDecl();
    if (auto it = reaches_loop_.find(fn); it != reaches_loop_.end()) return it->second;
    if (has_loop_.count(fn)) return reaches_loop_[fn] = true;
    if (!visiting.insert(fn).second) return false;  // recursion: reported elsewhere
    bool result = false;
    if (const CallGraphNode* node = graph.getNode(fn))
      for (const CallGraphNode::CallRecord& call : *node)
        if (const FunctionDecl* callee = userFunction(call.Callee))
          if (reachesLoop(graph, callee, visiting)) result = true;
    visiting.erase(fn);
    return reaches_loop_[fn] = result;
  }

  void checkUnrolledCalls(const CallGraph& graph) {
    for (const auto& entry : graph) {
      const FunctionDecl* fn = userFunction(entry.second.get());
      if (!fn || !isUnrolledName(fn)) continue;
      for (const CallGraphNode::CallRecord& call : *entry.second) {
        const FunctionDecl* callee = userFunction(call.Callee);
        if (!callee || isUnrolledName(callee) || !call.CallExpr) continue;
        std::set<const FunctionDecl*> visiting;
        if (reachesLoop(graph, callee, visiting))
          report(call.CallExpr->getBeginLoc(), "unrolled-no-loop",
                 "'" + fn->getNameAsString() + "' calls '" + callee->getNameAsString() +
                     "', which loops: functions named unrolled_* must be straight-line code");
      }
    }
  }

  // ----- public-api ----------------------------------------------------------
  NamedDecl* lookupOne(const DeclContext* dc, llvm::StringRef n) const {
    const DeclContextLookupResult found = dc->lookup(&ctx_->Idents.get(n));
    return found.empty() ? nullptr : found.front();
  }

  std::vector<FunctionDecl*> lookupFunctions(const DeclContext* dc, llvm::StringRef n) const {
    std::vector<FunctionDecl*> out;
    for (NamedDecl* d : dc->lookup(&ctx_->Idents.get(n)))
      if (auto* fn = dyn_cast<FunctionDecl>(d)) out.push_back(fn);
    return out;
  }

  bool isSigned64(QualType t) const {
    t = t.getCanonicalType();
    return t->isIntegerType() && t->isSignedIntegerType() && !t->isEnumeralType() &&
           !t->isAnyCharacterType() && ctx_->getTypeSize(t) == 64;
  }

  // N if `t` is std::array<std::int64_t, N>.
  std::optional<std::uint64_t> int64ArraySize(QualType t) const {
    const auto* spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
        t.getCanonicalType()->getAsCXXRecordDecl());
    if (!spec || !spec->isInStdNamespace() || spec->getName() != "array") return std::nullopt;
    const TemplateArgumentList& args = spec->getTemplateArgs();
    if (args.size() != 2 || args[0].getKind() != TemplateArgument::Type ||
        args[1].getKind() != TemplateArgument::Integral || !isSigned64(args[0].getAsType()))
      return std::nullopt;
    return args[1].getAsIntegral().getZExtValue();
  }

  // The elements of a constexpr std::array constant, if Clang can evaluate it.
  std::optional<std::vector<std::int64_t>> arrayValues(VarDecl* v) const {
    const APValue* value = v->evaluateValue();
    if (!value || !value->isStruct() || value->getStructNumFields() != 1) return std::nullopt;
    const APValue& elems = value->getStructField(0);
    if (!elems.isArray()) return std::nullopt;
    std::vector<std::int64_t> out;
    for (unsigned i = 0; i < elems.getArraySize(); ++i) {
      const APValue& e = i < elems.getArrayInitializedElts() ? elems.getArrayInitializedElt(i)
                                                             : elems.getArrayFiller();
      if (!e.isInt()) return std::nullopt;
      out.push_back(e.getInt().getSExtValue());
    }
    return out;
  }

  // Checks the pieces of the layer API in namespace `ns`; problems are
  // reported at `where`. `in_cpp`: the file is a .cpp that defines the
  // layer's forward, so the extern "C" entry must be defined here too.
  void checkLayer(const NamespaceDecl* ns, SourceLocation where, bool in_cpp) {
    const char* rule = "public-api";
    const std::string layer = name(ns);
    s_.result.layers.push_back(layer);
    auto problem = [&](const llvm::Twine& text) {
      report(where, rule, "layer '" + layer + "': " + text);
    };

    QualType value_type;
    if (const auto* alias = dyn_cast_or_null<TypedefNameDecl>(lookupOne(ns, "value_type"))) {
      value_type = alias->getUnderlyingType().getCanonicalType();
      const bool ok = value_type->isSpecificBuiltinType(BuiltinType::Float) ||
                      value_type->isSpecificBuiltinType(BuiltinType::Double) ||
                      (value_type->isSignedIntegerType() && !value_type->isAnyCharacterType() &&
                       (ctx_->getTypeSize(value_type) == 32 || isSigned64(value_type)));
      if (!ok)
        problem("value_type is '" + typeName(value_type) +
                "', not float, double, std::int32_t or std::int64_t");
    } else {
      problem("no 'using value_type = ...;'");
    }

    std::map<std::string, std::vector<std::int64_t>> shapes;
    std::map<std::string, std::uint64_t> ranks;
    for (const char* shape : {"input_shape", "weight_shape", "output_shape"}) {
      auto* v = dyn_cast_or_null<VarDecl>(lookupOne(ns, shape));
      if (!v) {
        problem(llvm::Twine("no shape constant '") + shape + "'");
        continue;
      }
      const std::optional<std::uint64_t> rank = int64ArraySize(v->getType());
      if (!v->isConstexpr() || !rank) {
        problem(llvm::Twine("'") + shape + "' is '" + typeName(v->getType()) +
                "', not constexpr std::array<std::int64_t, R>");
        continue;
      }
      ranks[shape] = *rank;
      if (std::optional<std::vector<std::int64_t>> values = arrayValues(v)) shapes[shape] = *values;
    }
    if (ranks.count("weight_shape") && ranks["weight_shape"] != 4)
      problem("weight_shape has rank " + llvm::Twine(ranks["weight_shape"]) +
              ", not 4 (out, in/groups, kh, kw)");
    for (const char* shape : {"input_shape", "output_shape"})
      if (ranks.count(shape) && ranks[shape] != 3 && ranks[shape] != 4)
        problem(llvm::Twine(shape) + " has rank " + llvm::Twine(ranks[shape]) +
                ", not 4 (NCHW) or 3 (CHW)");
    if (ranks.count("input_shape") && ranks.count("output_shape") &&
        ranks["input_shape"] != ranks["output_shape"])
      problem("input_shape and output_shape have different ranks");
    checkShapeValues(shapes, problem);

    if (auto* info = dyn_cast_or_null<VarDecl>(lookupOne(ns, "info"))) {
      const CXXRecordDecl* record = info->getType()->getAsCXXRecordDecl();
      if (!info->isConstexpr() || !record || name(record) != "convgen::generated::LayerInfo")
        problem("'info' is '" + typeName(info->getType()) +
                "', not constexpr convgen::generated::LayerInfo");
    } else {
      problem("no 'info' constant (convgen::generated::LayerInfo)");
    }

    std::vector<FunctionDecl*> forwards = lookupFunctions(ns, "forward");
    if (forwards.empty()) {
      problem("no 'forward' function");
      return;
    }
    // The declared forward: the one whose declaration is in a header.
    const FunctionDecl* forward = forwards.front();
    std::vector<QualType> params;
    if (!value_type.isNull()) {
      const QualType in = ctx_->getPointerType(ctx_->getConstType(value_type));
      params = {in, in, in, ctx_->getPointerType(value_type)};
      if (!forward->getReturnType()->isVoidType() || forward->getNumParams() != 4 ||
          !std::equal(params.begin(), params.end(), forward->param_begin(),
                      [&](QualType want, const ParmVarDecl* p) {
                        return ctx_->hasSameType(want, p->getType());
                      }))
        problem("forward is '" + typeName(forward->getType()) + "', not 'void (const " +
                typeName(value_type) + " *, const " + typeName(value_type) + " *, const " +
                typeName(value_type) + " *, " + typeName(value_type) + " *) noexcept'");
      const auto* proto = forward->getType()->getAs<FunctionProtoType>();
      if (proto && !proto->isNothrow()) problem("forward is not noexcept");
    }

    std::string c_name = layer;
    for (std::size_t at = c_name.find("::"); at != std::string::npos; at = c_name.find("::"))
      c_name.replace(at, 2, "_");
    c_name += "_forward";
    std::vector<FunctionDecl*> entries = lookupFunctions(ctx_->getTranslationUnitDecl(), c_name);
    if (entries.empty()) {
      problem("no extern \"C\" entry point '" + c_name + "'");
      return;
    }
    const FunctionDecl* entry = entries.front();
    if (!entry->isExternC()) problem("'" + c_name + "' is not declared extern \"C\"");
    if (!params.empty() && (!entry->getReturnType()->isVoidType() || entry->getNumParams() != 4 ||
                            !std::equal(params.begin(), params.end(), entry->param_begin(),
                                        [&](QualType want, const ParmVarDecl* p) {
                                          return ctx_->hasSameType(want, p->getType());
                                        })))
      problem("'" + c_name + "' is '" + typeName(entry->getType()) +
              "', not forward's parameters returning void");
    if (in_cpp) {
      const FunctionDecl* def = entry->getDefinition();
      if (!def || !sm_->isInMainFile(sm_->getExpansionLoc(def->getLocation())))
        problem("forward is defined here but '" + c_name + "' is not");
    }
  }

  template <typename Problem>
  void checkShapeValues(std::map<std::string, std::vector<std::int64_t>>& shapes,
                        const Problem& problem) {
    for (const auto& [shape, values] : shapes)
      for (std::int64_t v : values)
        if (v <= 0) {
          problem(shape + " has a non-positive dimension");
          break;
        }
    if (!shapes.count("input_shape") || !shapes.count("output_shape") ||
        !shapes.count("weight_shape"))
      return;
    const std::vector<std::int64_t>& in = shapes["input_shape"];
    const std::vector<std::int64_t>& out = shapes["output_shape"];
    const std::vector<std::int64_t>& w = shapes["weight_shape"];
    if (in.size() != out.size() || w.size() != 4 || in.size() < 3) return;
    const std::size_t c = in.size() == 4 ? 1 : 0;
    if (out[c] != w[0])
      problem("output_shape has " + llvm::Twine(out[c]) + " channels but weight_shape has " +
              llvm::Twine(w[0]) + " output channels");
    if (w[1] <= 0 || in[c] % w[1] != 0)
      problem("input_shape's " + llvm::Twine(in[c]) +
              " channels are not a multiple of weight_shape's " + llvm::Twine(w[1]) +
              " input channels per group");
    if (c == 1 && in[0] != out[0]) problem("input_shape and output_shape have different batches");
  }

  void collectNamespaces(const DeclContext* dc, std::vector<const NamespaceDecl*>& out,
                         std::set<const NamespaceDecl*>& seen) const {
    for (const Decl* d : dc->decls()) {
      const auto* ns = dyn_cast<NamespaceDecl>(d);
      if (!ns || ns->isAnonymousNamespace() || !isUser(ns->getLocation())) continue;
      if (seen.insert(ns->getOriginalNamespace()).second) out.push_back(ns->getOriginalNamespace());
      collectNamespaces(ns, out, seen);
    }
  }

  void checkPublicApi() {
    std::vector<const NamespaceDecl*> namespaces;
    std::set<const NamespaceDecl*> seen;
    collectNamespaces(ctx_->getTranslationUnitDecl(), namespaces, seen);
    const bool header = isHeaderPath(s_.main_path);
    std::size_t checked = 0;
    for (const NamespaceDecl* ns : namespaces) {
      const bool is_layer = !lookupFunctions(ns, "forward").empty() ||
                            lookupOne(ns, "value_type") || lookupOne(ns, "input_shape") ||
                            lookupOne(ns, "output_shape") || lookupOne(ns, "weight_shape");
      if (!is_layer) continue;
      if (header) {
        // The namespace as the header (the main file) declares it.
        SourceLocation where = ns->getLocation();
        for (const NamespaceDecl* redecl : ns->redecls())
          if (sm_->isInMainFile(sm_->getExpansionLoc(redecl->getLocation()))) {
            where = redecl->getLocation();
            break;
          }
        checkLayer(ns, where, /*in_cpp=*/false);
        ++checked;
        continue;
      }
      // A .cpp checks the layers whose forward it defines (a shard defines
      // some of its header's layers).
      for (const FunctionDecl* fn : lookupFunctions(ns, "forward")) {
        for (const FunctionDecl* redecl : fn->redecls()) {
          if (!redecl->isThisDeclarationADefinition() ||
              !sm_->isInMainFile(sm_->getExpansionLoc(redecl->getLocation())))
            continue;
          if (!redecl->getPreviousDecl())
            report(redecl->getLocation(), "public-api",
                   "'" + name(redecl) +
                       "' is defined here but not declared in the header (different parameters "
                       "or return type?)");
          else
            checkLayer(ns, redecl->getLocation(), /*in_cpp=*/true);
          ++checked;
        }
      }
    }
    if (checked == 0 && header)
      report(sm_->getLocForStartOfFile(sm_->getMainFileID()), "public-api",
             "no layer API: a generated header declares, per layer, value_type, the shape "
             "constants and forward in namespace <namespace>::<layer>");
  }

  Session& s_;
  ASTContext* ctx_ = nullptr;
  SourceManager* sm_ = nullptr;
  std::unique_ptr<PrintingPolicy> policy_;
  std::vector<std::unique_ptr<LambdaCallback>> callbacks_;
  mutable std::map<std::string, std::string> real_dirs_;
  std::map<const FunctionDecl*, const Stmt*> has_loop_;  // canonical decl -> its first loop
  std::map<const FunctionDecl*, bool> reaches_loop_;
  std::map<const FunctionDecl*, std::int64_t> frame_bytes_;
  std::map<const NamespaceDecl*, std::pair<Isa, std::string>> layer_isa_;  // layer -> ISA, name
};

class VerifyAction : public ASTFrontendAction {
 public:
  explicit VerifyAction(Session& s) : s_(s) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    ci.getPreprocessor().addPPCallbacks(
        std::make_unique<IncludeChecker>(s_, ci.getSourceManager()));
    return std::make_unique<Checker>(s_);
  }

 private:
  Session& s_;
};

// ---------------------------------------------------------------------------
// Compiler arguments.

std::string realPath(const std::string& path) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real)) return path;
  return std::string(real.str());
}

// Where parsing for aarch64 finds its C++ headers: the cross libstdc++ when
// installed (g++-aarch64-linux-gnu), else the host's libstdc++ and glibc
// headers, whose only x86-specific gap is a stub header mapped in memory.
constexpr const char* kStubDir = "/convgen-verify-stubs";

bool haveAarch64CrossHeaders() {
  return llvm::sys::fs::is_directory("/usr/lib/gcc-cross/aarch64-linux-gnu") &&
         llvm::sys::fs::is_directory("/usr/aarch64-linux-gnu/include");
}

std::vector<std::string> hostHeaderArgs() {
  // The newest /usr/include/c++/<version> with its multiarch config.
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it("/usr/include/c++", ec), end; it != end && !ec;
       it.increment(ec)) {
    const std::string version = llvm::sys::path::filename(it->path()).str();
    int major = 0;
    if (llvm::StringRef(version).getAsInteger(10, major)) continue;
    if (major > best_version) {
      best_version = major;
      best = version;
    }
  }
  if (best.empty()) return {};
  return {"--gcc-toolchain=/nonexistent",
          "-nostdinc++",
          "-isystem",
          "/usr/include/c++/" + best,
          "-isystem",
          "/usr/include/x86_64-linux-gnu/c++/" + best,
          "-isystem",
          "/usr/include/x86_64-linux-gnu",
          "-isystem",
          kStubDir};
}

std::string resourceDir(const VerifyOptions& options) {
  return options.resource_dir.empty() ? std::string(CONVGEN_CLANG_RESOURCE_DIR)
                                      : options.resource_dir;
}

std::string absolute(const std::string& path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  return std::string(p.str());
}

VerifyResult run(std::string_view code, const std::string& path_as_given,
                 const VerifyOptions& options,
                 const std::vector<std::pair<std::string, std::string>>& more_files,
                 bool in_memory) {
  VerifyResult result;
  result.file = cleanPath(path_as_given);
  // In-memory files need absolute paths; Clang still reports them as given.
  std::string path = path_as_given;
  if (in_memory) path = absolute(path_as_given);
  result.isa = options.isa ? *options.isa : isaFromBanner(code).value_or(Isa::Scalar);
  const std::string resource = resourceDir(options);
  if (!llvm::sys::fs::is_directory(resource + "/include")) {
    result.findings.push_back(
        {result.file, 0, 0, "compile",
         "Clang's resource directory '" + resource + "' has no include/ (pass --resource-dir)"});
    return result;
  }

  bool stubs = false;
  // -w and -fno-caret-diagnostics: only errors matter, and Clang then
  // prints no "N warnings generated" of its own.
  std::vector<std::string> args = {
      "convgen-verify",         "-fsyntax-only", "-std=c++17", "-xc++", "-w",
      "-fno-caret-diagnostics", "-resource-dir", resource};
  for (const std::string& flag : isaParseFlags(result.isa)) args.push_back(flag);
  if (result.isa == Isa::Neon && (options.neon_host_headers || !haveAarch64CrossHeaders())) {
    for (const std::string& a : hostHeaderArgs()) args.push_back(a);
    stubs = true;
  }
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  args.push_back("-I" + (dir.empty() ? std::string(".") : dir.str()));
  for (const std::string& a : options.extra_args) args.push_back(a);
  result.compiler_args.assign(args.begin() + 1, args.end());
  args.push_back(path);

  auto overlay =
      llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(llvm::vfs::getRealFileSystem());
  auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  overlay->pushOverlay(memory);
  if (in_memory) memory->addFile(path, 0, llvm::MemoryBuffer::getMemBufferCopy(code));
  for (const auto& [name, text] : more_files)
    memory->addFile(absolute(name), 0, llvm::MemoryBuffer::getMemBufferCopy(text));
  if (stubs)
    memory->addFile(std::string(kStubDir) + "/gnu/stubs-32.h", 0,
                    llvm::MemoryBuffer::getMemBufferCopy("/* glibc stubs: none */\n"));
  auto files = llvm::makeIntrusiveRefCnt<FileManager>(FileSystemOptions(), overlay);

  Session session{options, result.isa, path, realPath(resource + "/include"), result};
  CompileErrors errors(session);
  tooling::ToolInvocation invocation(args, std::make_unique<VerifyAction>(session), files.get());
  invocation.setDiagnosticConsumer(&errors);
  invocation.run();

  std::sort(result.findings.begin(), result.findings.end(),
            [](const VerifyFinding& a, const VerifyFinding& b) {
              return std::tie(a.file, a.line, a.column, a.rule, a.message) <
                     std::tie(b.file, b.line, b.column, b.rule, b.message);
            });
  result.findings.erase(std::unique(result.findings.begin(), result.findings.end(),
                                    [](const VerifyFinding& a, const VerifyFinding& b) {
                                      return std::tie(a.file, a.line, a.column, a.rule,
                                                      a.message) ==
                                             std::tie(b.file, b.line, b.column, b.rule, b.message);
                                    }),
                        result.findings.end());
  return result;
}

}  // namespace

std::string formatFinding(const VerifyFinding& f) {
  std::string out = f.file + ":";
  if (f.line) out += std::to_string(f.line) + ":" + std::to_string(f.column) + ":";
  return out + " error: [" + f.rule + "] " + f.message;
}

std::vector<std::string> isaParseFlags(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return {};
    case Isa::Avx2:
      return {"-mavx2", "-mfma"};
    case Isa::Avx512:
      return {"-mavx512f"};
    case Isa::Neon:
      return {"--target=aarch64-linux-gnu"};
  }
  return {};
}

std::optional<Isa> isaFromBanner(std::string_view code) {
  // "// Generated by convgen 0.1.0 from net.yaml (avx2 + scalar). Do not edit:"
  // within the first lines. A file with layers of several ISAs is compiled
  // with the flags of the widest.
  llvm::StringRef text(code.data(), std::min<std::size_t>(code.size(), 2048));
  const std::size_t at = text.find("Generated by convgen");
  if (at == llvm::StringRef::npos) return std::nullopt;
  llvm::StringRef line = text.substr(at).split('\n').first;
  const std::size_t open = line.find(" (");
  if (open == llvm::StringRef::npos) return std::nullopt;
  const llvm::StringRef targets = line.substr(open + 2).split(')').first;
  llvm::SmallVector<llvm::StringRef, 4> names;
  targets.split(names, '+', -1, /*KeepEmpty=*/false);
  std::optional<Isa> widest;
  auto rank = [](Isa isa) {
    switch (isa) {
      case Isa::Scalar:
        return 0;
      case Isa::Neon:
      case Isa::Avx2:
        return 1;
      case Isa::Avx512:
        return 2;
    }
    return 0;
  };
  for (llvm::StringRef name : names) {
    // The first word: "scalar C++17" names scalar.
    name = name.trim().take_until([](char c) { return c == ' '; });
    const std::optional<Isa> isa = parseIsaName(std::string_view(name.data(), name.size()));
    if (isa && (!widest || rank(*isa) > rank(*widest))) widest = isa;
  }
  return widest;
}

VerifyResult verifyCode(std::string_view code, const std::string& path,
                        const VerifyOptions& options,
                        const std::vector<std::pair<std::string, std::string>>& more_files) {
  return run(code, path, options, more_files, /*in_memory=*/true);
}

VerifyResult verifyFile(const std::string& path, const VerifyOptions& options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    VerifyResult result;
    result.file = cleanPath(path);
    result.isa = options.isa.value_or(Isa::Scalar);
    result.findings.push_back(
        {result.file, 0, 0, "compile", "cannot read the file: " + buffer.getError().message()});
    return result;
  }
  const llvm::StringRef code = (*buffer)->getBuffer();
  return run(std::string_view(code.data(), code.size()), path, options, {}, /*in_memory=*/false);
}

}  // namespace convgen
