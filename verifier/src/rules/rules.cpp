#include "rules.h"

#include "convgen/verify.h"

namespace convgen {
namespace verifier {

// The one list of rules. A new rule is a file in this directory, a line
// here, a line in convgen/verify.h's list and a source in
// tests/verify/violations/ that breaks it.
const std::vector<RuleEntry>& ruleList() {
  static const std::vector<RuleEntry> kRules = {
      {"no-heap", makeNoHeap},
      {"no-exceptions", makeNoExceptions},
      {"no-rtti", makeNoRtti},
      {"no-mutable-state", makeNoMutableState},
      {"no-recursion", makeNoRecursion},
      {"no-vla", makeNoVla},
      {"allowed-calls", makeAllowedCalls},
      {"allowed-includes", makeAllowedIncludes},
      {"unrolled-no-loop", makeUnrolledNoLoop},
      {"public-api", makePublicApi},
      {"stack-frame", makeStackFrame},
  };
  return kRules;
}

std::vector<std::unique_ptr<Rule>> makeRules(Session& session) {
  std::vector<std::unique_ptr<Rule>> rules;
  for (const RuleEntry& entry : ruleList()) rules.push_back(entry.make(session, entry.name));
  return rules;
}

}  // namespace verifier

std::vector<std::string> verifyRuleNames() {
  std::vector<std::string> names;
  for (const verifier::RuleEntry& entry : verifier::ruleList()) names.emplace_back(entry.name);
  return names;
}

}  // namespace convgen
