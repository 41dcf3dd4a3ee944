// no-vla: variable-length arrays, alloca.
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "library.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class NoVla : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(varDecl(unless(isExpansionInSystemHeader())).bind("var"), this);
    f.addMatcher(callExpr(unless(isExpansionInSystemHeader()), callee(functionDecl().bind("fn")))
                     .bind("call"),
                 this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* v = r.Nodes.getNodeAs<VarDecl>("var")) {
      if (!v->isImplicit() && s_.ctx().getAsVariableArrayType(v->getType()))
        report(v->getLocation(), "'" + v->getNameAsString() +
                                     "' is a variable-length array: its stack use is unbounded");
    } else if (const auto* call = r.Nodes.getNodeAs<CallExpr>("call")) {
      if (isAllocaFunction(r.Nodes.getNodeAs<FunctionDecl>("fn")))
        report(call->getBeginLoc(),
               "'alloca' is a variable-size stack allocation: its stack use is unbounded");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoVla(Session& s, std::string_view name) {
  return std::make_unique<NoVla>(s, std::string(name));
}

}  // namespace convgen::verifier
