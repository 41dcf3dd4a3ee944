// no-heap: new/delete, malloc and friends, standard containers, strings,
// smart pointers, std::function.
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "library.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class NoHeap : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(cxxNewExpr(unless(isExpansionInSystemHeader())).bind("new"), this);
    f.addMatcher(cxxDeleteExpr(unless(isExpansionInSystemHeader())).bind("delete"), this);
    f.addMatcher(callExpr(unless(isExpansionInSystemHeader()), callee(functionDecl().bind("fn")))
                     .bind("call"),
                 this);
    // Declarations and temporaries of standard classes that allocate.
    f.addMatcher(declaratorDecl(unless(isExpansionInSystemHeader())).bind("decl"), this);
    f.addMatcher(cxxConstructExpr(unless(isExpansionInSystemHeader())).bind("construct"), this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* e = r.Nodes.getNodeAs<CXXNewExpr>("new")) {
      report(e->getBeginLoc(), e->getNumPlacementArgs()
                                   ? "placement 'new': generated code constructs nothing "
                                     "dynamically"
                                   : "'new' allocates on the heap");
    } else if (const auto* e = r.Nodes.getNodeAs<CXXDeleteExpr>("delete")) {
      report(e->getBeginLoc(), "'delete' frees heap memory");
    } else if (const auto* call = r.Nodes.getNodeAs<CallExpr>("call")) {
      const auto* fn = r.Nodes.getNodeAs<FunctionDecl>("fn");
      if (!isHeapFunction(fn)) return;
      const std::string n = fn->getQualifiedNameAsString();
      const bool frees = n == "free" || n == "_mm_free" || n.rfind("operator delete", 0) == 0;
      report(call->getBeginLoc(),
             "call to '" + n + (frees ? "' frees heap memory" : "' allocates on the heap"));
    } else if (const auto* d = r.Nodes.getNodeAs<DeclaratorDecl>("decl")) {
      checkDecl(d);
    } else if (const auto* e = r.Nodes.getNodeAs<CXXConstructExpr>("construct")) {
      const CXXRecordDecl* heap = heapClass(e->getType());
      if (!heap || initializesDeclOfClass(e, heap)) return;
      report(e->getBeginLoc(), "temporary '" + s_.typeName(e->getType()) + "': std::" +
                                   heap->getName() + " allocates on the heap");
    }
  }

 private:
  void checkDecl(const DeclaratorDecl* d) {
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
    report(d->getLocation(), llvm::Twine(what) + " '" + d->getNameAsString() + "' " +
                                 (isa<FunctionDecl>(d) ? "returns" : "has type") + " '" +
                                 s_.typeName(type) + "': std::" + heap->getName() +
                                 " allocates on the heap");
  }

  // Whether `e` is (through implicit nodes) the initializer of a variable
  // whose own declaration is reported already.
  bool initializesDeclOfClass(const Expr* e, const CXXRecordDecl* heap) const {
    ASTContext& ctx = s_.ctx();
    DynTypedNodeList parents = ctx.getParents(*e);
    for (int depth = 0; depth < 8 && !parents.empty(); ++depth) {
      const DynTypedNode& p = parents[0];
      if (const auto* var = p.get<VarDecl>()) return heapClass(var->getType()) == heap;
      if (const auto* field = p.get<FieldDecl>()) return heapClass(field->getType()) == heap;
      const Expr* parent = p.get<Expr>();
      if (!parent || !(isa<ExprWithCleanups, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
                           ImplicitCastExpr, CXXFunctionalCastExpr, ParenExpr>(parent) ||
                       (isa<CXXConstructExpr>(parent) && heapClass(parent->getType()) == heap)))
        return false;
      parents = ctx.getParents(p);
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoHeap(Session& s, std::string_view name) {
  return std::make_unique<NoHeap>(s, std::string(name));
}

}  // namespace convgen::verifier
