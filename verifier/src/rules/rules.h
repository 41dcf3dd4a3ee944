// The verifier's rules: one class per rule, each in its own file here,
// built through the single list in rules.cpp.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "../rule.h"

namespace convgen::verifier {

struct RuleEntry {
  std::string_view name;  // printed in brackets in every diagnostic
  std::unique_ptr<Rule> (*make)(Session&, std::string_view name);
};

// Every rule, in the order the documentation lists them (convgen/verify.h).
const std::vector<RuleEntry>& ruleList();
std::vector<std::unique_ptr<Rule>> makeRules(Session& session);

// One factory per rule file.
std::unique_ptr<Rule> makeNoHeap(Session&, std::string_view);
std::unique_ptr<Rule> makeNoExceptions(Session&, std::string_view);
std::unique_ptr<Rule> makeNoRtti(Session&, std::string_view);
std::unique_ptr<Rule> makeNoMutableState(Session&, std::string_view);
std::unique_ptr<Rule> makeNoRecursion(Session&, std::string_view);
std::unique_ptr<Rule> makeNoVla(Session&, std::string_view);
std::unique_ptr<Rule> makeAllowedCalls(Session&, std::string_view);
std::unique_ptr<Rule> makeAllowedIncludes(Session&, std::string_view);
std::unique_ptr<Rule> makeUnrolledNoLoop(Session&, std::string_view);
std::unique_ptr<Rule> makePublicApi(Session&, std::string_view);
std::unique_ptr<Rule> makeStackFrame(Session&, std::string_view);

}  // namespace convgen::verifier
