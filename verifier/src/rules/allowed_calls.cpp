// allowed-calls: calls only to functions defined in the file and to the
// intrinsics its ISA allows (isa.h's intrinsic_headers), each with the
// target features enabled where it is called; no indirect or virtual calls,
// no inline assembly, no library constructors.
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "clang/Lex/Lexer.h"
#include "library.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class AllowedCalls : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(callExpr(unless(isExpansionInSystemHeader())).bind("call"), this);
    // Library constructors run library code too (heap classes are reported
    // by no-heap).
    f.addMatcher(cxxConstructExpr(unless(isExpansionInSystemHeader())).bind("construct"), this);
    f.addMatcher(asmStmt(unless(isExpansionInSystemHeader())).bind("asm"), this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* call = r.Nodes.getNodeAs<CallExpr>("call")) {
      checkCall(call);
    } else if (const auto* e = r.Nodes.getNodeAs<CXXConstructExpr>("construct")) {
      const CXXConstructorDecl* ctor = e->getConstructor();
      if (!ctor || ctor->isTrivial() || !ctor->isUserProvided() ||
          s_.isUser(ctor->getLocation()) || heapClass(e->getType()) || inConstantContext(e))
        return;
      report(e->getBeginLoc(), "constructs '" + s_.typeName(e->getType()) +
                                   "', which runs library code (declared in " +
                                   s_.headerOf(ctor) + ")");
    } else if (const auto* s = r.Nodes.getNodeAs<Stmt>("asm")) {
      report(s->getBeginLoc(),
             "inline assembly: generated code uses only intrinsics, which the verifier can "
             "check");
    }
  }

 private:
  // Calls that run at compile time only need no check.
  bool inConstantContext(const Stmt* s) const {
    ASTContext& ctx = s_.ctx();
    DynTypedNodeList parents = ctx.getParents(*s);
    for (int depth = 0; depth < 64 && !parents.empty(); ++depth) {
      const DynTypedNode& p = parents[0];
      if (p.get<ConstantExpr>() || p.get<StaticAssertDecl>()) return true;
      if (const auto* unary = p.get<UnaryExprOrTypeTraitExpr>()) return !unary->isArgumentType();
      if (const auto* var = p.get<VarDecl>()) return var->isConstexpr();
      if (p.get<FunctionDecl>() || p.get<TranslationUnitDecl>()) return false;
      parents = ctx.getParents(p);
    }
    return false;
  }

  void checkCall(const CallExpr* call) {
    if (call->isInstantiationDependent() || inConstantContext(call)) return;
    const SourceLocation loc = call->getBeginLoc();
    const FunctionDecl* callee = call->getDirectCallee();
    if (!callee) {
      if (!isa<CXXPseudoDestructorExpr>(call->getCallee()->IgnoreParenImpCasts()))
        report(loc,
               "indirect call (through a pointer or reference): only direct calls to the "
               "file's own functions can be verified");
      return;
    }
    if (isHeapFunction(callee) || isAllocaFunction(callee)) return;  // no-heap, no-vla
    if (const auto* method = dyn_cast<CXXMethodDecl>(callee);
        method && method->isVirtual() && !isa<CXXOperatorCallExpr>(call)) {
      const auto* member = dyn_cast<MemberExpr>(call->getCallee()->IgnoreParenImpCasts());
      if (!member || !member->hasQualifier()) {
        report(loc, "virtual call to '" + s_.name(method) +
                        "': only direct calls to the file's own functions can be verified");
        return;
      }
    }
    // Clang declares a builtin where it is first used, so its location may
    // be in the generated file: builtins are recognized by ID.
    const unsigned builtin = callee->getBuiltinID();
    if (builtin && (callee->isImplicit() || !s_.isUser(callee->getLocation()))) {
      // A builtin that an intrinsics macro expands to, or one called by name.
      const std::string header = s_.resourceHeader(call->getCallee()->getBeginLoc());
      if (!header.empty()) {
        const SourceLocation use = s_.sm().getExpansionLoc(loc);
        const std::string macro = Lexer::getSourceText(CharSourceRange::getTokenRange(use),
                                                       s_.sm(), s_.ctx().getLangOpts())
                                      .str();
        checkIntrinsic(call, macro.empty() ? callee->getName().str() : macro, header, callee,
                       builtin);
        return;
      }
      const llvm::StringRef builtin_name = callee->getName();
      if (builtin_name.startswith("__builtin") || builtin_name.startswith("__sync") ||
          builtin_name.startswith("__atomic")) {
        if (isHintBuiltin(builtin_name)) return;
        report(loc, "'" + builtin_name + "' is a compiler builtin: " +
                        (isaInfo(s_.isa()).intrinsic_headers.empty() ? isaSummary(s_.isa())
                                                 : "call the intrinsic, not its builtin"));
        return;
      }
    }
    if (s_.isUser(callee->getLocation())) {
      if (!callee->isDefined())
        report(loc, "call to '" + s_.name(callee) +
                        "', which this file declares but does not define: generated code calls "
                        "only its own functions");
      return;
    }
    const std::string header = s_.resourceHeader(callee->getLocation());
    if (!header.empty()) {
      checkIntrinsic(call, callee->getName().str(), header, callee, builtin);
      return;
    }
    report(loc, "call to '" + s_.name(callee) + "' (declared in " + s_.headerOf(callee) +
                    "): generated code calls only its own functions" +
                    (isaInfo(s_.isa()).intrinsic_headers.empty() ? std::string()
                                             : " and " + isaName(s_.isa()) + " intrinsics"));
  }

  // An intrinsic call (a function or builtin macro from header `header`).
  void checkIntrinsic(const Stmt* call, const std::string& intrinsic, const std::string& header,
                      const FunctionDecl* callee, unsigned builtin) {
    const SourceLocation loc = call->getBeginLoc();
    const auto [isa, layer] = s_.isaAt(call);
    const std::string whose =
        layer.empty() || isa == s_.isa() ? "" : " (layer '" + layer + "' is " + isaName(isa) + ")";
    if (isaInfo(isa).intrinsic_headers.empty()) {
      report(loc, "'" + intrinsic + "' is an intrinsic (<" + header + ">): " + isaSummary(isa) +
                      whose);
      return;
    }
    if (!isaAllowsIntrinsicsFrom(isa, header)) {
      report(loc, "'" + intrinsic + "' (<" + header + ">) is outside the " + isaName(isa) +
                      " intrinsics: " + isaSummary(isa) + whose);
      return;
    }
    const std::string missing = s_.missingFeature(call, callee, builtin);
    if (!missing.empty())
      report(loc, "'" + intrinsic + "' needs target feature '" + missing + "', which " +
                      isaName(s_.isa()) + " files are not compiled with (" +
                      s_.parseFlagsText() + ")");
  }
};

}  // namespace

std::unique_ptr<Rule> makeAllowedCalls(Session& s, std::string_view name) {
  return std::make_unique<AllowedCalls>(s, std::string(name));
}

}  // namespace convgen::verifier
