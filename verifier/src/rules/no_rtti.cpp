// no-rtti: typeid, dynamic_cast.
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

// A node matcher Clang 14 does not provide.
const internal::VariadicDynCastAllOfMatcher<Stmt, CXXTypeidExpr> cxxTypeidExpr;

class NoRtti : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(cxxTypeidExpr(unless(isExpansionInSystemHeader())).bind("typeid"), this);
    f.addMatcher(cxxDynamicCastExpr(unless(isExpansionInSystemHeader())).bind("cast"), this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* s = r.Nodes.getNodeAs<Stmt>("typeid"))
      report(s->getBeginLoc(), "'typeid' needs RTTI: generated code builds with -fno-rtti");
    if (const auto* s = r.Nodes.getNodeAs<Stmt>("cast"))
      report(s->getBeginLoc(), "'dynamic_cast' needs RTTI: generated code builds with -fno-rtti");
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoRtti(Session& s, std::string_view name) {
  return std::make_unique<NoRtti>(s, std::string(name));
}

}  // namespace convgen::verifier
