// unrolled-no-loop: no for/while/do/goto inside functions named unrolled_*,
// and no call from them to a function that has a loop or calls one (through
// any chain of calls: found by a worklist over the call graph, backwards
// from the functions that loop, so a deep chain is no deep recursion).
#include <map>
#include <set>

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include "library.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

// A node matcher Clang 14 does not provide.
const internal::VariadicDynCastAllOfMatcher<Stmt, IndirectGotoStmt> indirectGotoStmt;

const char* loopKind(const Stmt* s) {
  if (isa<ForStmt>(s) || isa<CXXForRangeStmt>(s)) return "'for' loop";
  if (isa<WhileStmt>(s)) return "'while' loop";
  if (isa<DoStmt>(s)) return "'do' loop";
  return "'goto'";
}

class UnrolledNoLoop : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    // The node kinds first: the system-header test asks for a statement's
    // begin location, which is linear in the depth of a left-nested
    // expression, so it must not run on every statement.
    f.addMatcher(stmt(anyOf(forStmt(), whileStmt(), doStmt(), cxxForRangeStmt(), gotoStmt(),
                            indirectGotoStmt()),
                      unless(isExpansionInSystemHeader()))
                     .bind("loop"),
                 this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    const auto* s = r.Nodes.getNodeAs<Stmt>("loop");
    if (!s_.isUser(s->getBeginLoc())) return;
    // Every function the loop is inside (a lambda's, then its enclosing).
    DynTypedNodeList parents = s_.ctx().getParents(*s);
    bool innermost = true;
    for (int depth = 0; depth < 256 && !parents.empty(); ++depth) {
      const DynTypedNode& p = parents[0];
      if (const auto* fn = p.get<FunctionDecl>()) {
        if (innermost) has_loop_.insert(fn->getCanonicalDecl());
        innermost = false;
        if (isUnrolledName(fn)) {
          report(s->getBeginLoc(),
                 llvm::Twine(loopKind(s)) + " inside '" + fn->getName() +
                     "', which the generator declares fully unrolled (straight-line code)");
          return;
        }
      }
      parents = s_.ctx().getParents(p);
    }
  }

  void finish() override {
    const CallGraph& graph = s_.callGraph();
    const std::set<const FunctionDecl*> loops = reachesLoop(graph);
    for (const auto& entry : graph) {
      const FunctionDecl* fn = s_.userFunction(entry.second.get());
      if (!fn || !isUnrolledName(fn)) continue;
      for (const CallGraphNode::CallRecord& call : *entry.second) {
        const FunctionDecl* callee = s_.userFunction(call.Callee);
        if (!callee || isUnrolledName(callee) || !call.CallExpr) continue;
        if (loops.count(callee->getCanonicalDecl()))
          report(call.CallExpr->getBeginLoc(),
                 "'" + fn->getNameAsString() + "' calls '" + callee->getNameAsString() +
                     "', which loops: functions named unrolled_* must be straight-line code");
      }
    }
  }

 private:
  // The user functions (canonical declarations) that have a loop or call,
  // directly or not, one that has: the functions with loops, then their
  // callers, breadth first over the reversed call graph.
  std::set<const FunctionDecl*> reachesLoop(const CallGraph& graph) const {
    std::map<const FunctionDecl*, std::vector<const FunctionDecl*>> callers;
    for (const auto& entry : graph) {
      const FunctionDecl* caller = s_.userFunction(entry.second.get());
      if (!caller) continue;
      for (const CallGraphNode::CallRecord& call : *entry.second)
        if (const FunctionDecl* callee = s_.userFunction(call.Callee))
          callers[callee->getCanonicalDecl()].push_back(caller->getCanonicalDecl());
    }
    std::set<const FunctionDecl*> reached(has_loop_.begin(), has_loop_.end());
    std::vector<const FunctionDecl*> work(has_loop_.begin(), has_loop_.end());
    while (!work.empty()) {
      const FunctionDecl* fn = work.back();
      work.pop_back();
      auto it = callers.find(fn);
      if (it == callers.end()) continue;
      for (const FunctionDecl* caller : it->second)
        if (reached.insert(caller).second) work.push_back(caller);
    }
    return reached;
  }

  std::set<const FunctionDecl*> has_loop_;  // canonical declarations
};

}  // namespace

std::unique_ptr<Rule> makeUnrolledNoLoop(Session& s, std::string_view name) {
  return std::make_unique<UnrolledNoLoop>(s, std::string(name));
}

}  // namespace convgen::verifier
