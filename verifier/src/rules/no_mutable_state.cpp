// no-mutable-state: non-const variables of static or thread storage
// (namespace scope, static locals, static members) and uses of mutable
// globals declared in system headers.
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class NoMutableState : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(varDecl(unless(isExpansionInSystemHeader())).bind("var"), this);
    f.addMatcher(declRefExpr(unless(isExpansionInSystemHeader()),
                             to(varDecl(hasGlobalStorage(), isExpansionInSystemHeader()).bind("v")))
                     .bind("ref"),
                 this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* v = r.Nodes.getNodeAs<VarDecl>("var")) {
      if (v->isImplicit() || !v->hasGlobalStorage() || !v->isCanonicalDecl() || !isMutable(v))
        return;
      const char* what = v->getTLSKind() != VarDecl::TLS_None ? "thread_local variable"
                         : v->isStaticLocal()                 ? "static local variable"
                         : v->isStaticDataMember()            ? "static data member"
                                                              : "namespace-scope variable";
      report(v->getLocation(), llvm::Twine(what) + " '" + v->getNameAsString() +
                                   "' is mutable state shared by every call: the kernel would "
                                   "not be re-entrant (make it constexpr, or a local)");
    } else if (const auto* ref = r.Nodes.getNodeAs<DeclRefExpr>("ref")) {
      const auto* v = r.Nodes.getNodeAs<VarDecl>("v");
      if (!isMutable(v)) return;
      report(ref->getBeginLoc(), "uses the mutable global '" + s_.name(v) + "' (declared in " +
                                     s_.headerOf(v) + ")");
    }
  }

 private:
  bool isMutable(const VarDecl* v) const {
    const QualType type = v->getType();
    if (type->isReferenceType()) return false;  // a reference itself cannot change
    if (!type.isConstant(s_.ctx()) && !v->isConstexpr()) return true;
    const CXXRecordDecl* record = s_.ctx().getBaseElementType(type)->getAsCXXRecordDecl();
    return record && record->hasDefinition() && record->hasMutableFields();
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoMutableState(Session& s, std::string_view name) {
  return std::make_unique<NoMutableState>(s, std::string(name));
}

}  // namespace convgen::verifier
