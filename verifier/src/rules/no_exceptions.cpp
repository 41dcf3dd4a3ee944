// no-exceptions: throw, try.
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class NoExceptions : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(cxxThrowExpr(unless(isExpansionInSystemHeader())).bind("throw"), this);
    f.addMatcher(cxxTryStmt(unless(isExpansionInSystemHeader())).bind("try"), this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    if (const auto* s = r.Nodes.getNodeAs<Stmt>("throw"))
      report(s->getBeginLoc(),
             "'throw': generated code throws nothing and builds with -fno-exceptions");
    if (const auto* s = r.Nodes.getNodeAs<Stmt>("try"))
      report(s->getBeginLoc(),
             "'try' block: generated code throws nothing and builds with -fno-exceptions");
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoExceptions(Session& s, std::string_view name) {
  return std::make_unique<NoExceptions>(s, std::string(name));
}

}  // namespace convgen::verifier
