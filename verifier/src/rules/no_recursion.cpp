// no-recursion: cycles in the file's call graph, direct or indirect. LLVM's
// SCC iterator and the shortest-cycle search below both use explicit
// worklists: a deep call chain is no deep recursion here.
#include <map>
#include <set>

#include "clang/AST/Expr.h"
#include "llvm/ADT/SCCIterator.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;

class NoRecursion : public Rule {
 public:
  using Rule::Rule;

  void finish() override {
    const CallGraph& graph = s_.callGraph();
    for (auto it = llvm::scc_begin(&graph); !it.isAtEnd(); ++it)
      if (it.hasCycle()) reportCycle(*it);
  }

 private:
  using Node = const CallGraphNode;

  void reportCycle(const std::vector<Node*>& scc) {
    // Start at the user function defined first in the file.
    auto defined_at = [](const FunctionDecl* fn) {
      return fn->getDefinition() ? fn->getDefinition()->getLocation() : fn->getLocation();
    };
    Node* start = nullptr;
    for (Node* node : scc) {
      const FunctionDecl* fn = s_.userFunction(node);
      if (!fn) continue;
      if (!start || s_.sm().isBeforeInTranslationUnit(defined_at(fn),
                                                      defined_at(s_.userFunction(start))))
        start = node;
    }
    if (!start) return;
    // A shortest path start -> ... -> start within the component.
    const std::set<Node*> members(scc.begin(), scc.end());
    std::map<Node*, std::pair<Node*, const Expr*>> came_from;
    std::vector<Node*> queue = {start};
    const Expr* first_call = nullptr;
    Node* last = nullptr;
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
    std::vector<std::string> backwards;  // last, ..., the function start calls
    for (Node* n = last; n != start; n = came_from[n].first) {
      backwards.push_back(n->getDecl()->getAsFunction()->getNameAsString());
      if (came_from[n].first == start) first_call = came_from[n].second;
    }
    std::vector<std::string> path = {s_.userFunction(start)->getNameAsString()};
    path.insert(path.end(), backwards.rbegin(), backwards.rend());
    std::string text;
    for (const std::string& p : path) text += p + " -> ";
    text += path.front();
    const FunctionDecl* fn = s_.userFunction(start);
    report(first_call ? first_call->getBeginLoc() : fn->getLocation(),
           "'" + fn->getNameAsString() + "' is recursive (" + text +
               "): generated code's stack use must be bounded");
  }
};

}  // namespace

std::unique_ptr<Rule> makeNoRecursion(Session& s, std::string_view name) {
  return std::make_unique<NoRecursion>(s, std::string(name));
}

}  // namespace convgen::verifier
