// stack-frame: the local arrays and aggregates of each function, summed;
// a frame over VerifyOptions::max_stack_bytes is an error, and every
// non-empty frame is listed in VerifyResult::frames, largest first.
#include <algorithm>
#include <map>

#include "clang/ASTMatchers/ASTMatchers.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;
using namespace clang::ast_matchers;

class StackFrames : public Rule {
 public:
  using Rule::Rule;

  void registerMatchers(MatchFinder& f) override {
    f.addMatcher(
        varDecl(unless(isExpansionInSystemHeader()), hasLocalStorage(), unless(parmVarDecl()))
            .bind("v"),
        this);
  }

  void check(const MatchFinder::MatchResult& r) override {
    const auto* v = r.Nodes.getNodeAs<VarDecl>("v");
    const QualType type = v->getType();
    if (!s_.isUser(v->getLocation()) || type->isDependentType() || type->isReferenceType() ||
        type->isIncompleteType())
      return;
    if (!type->isConstantArrayType() && !type->isRecordType()) return;
    const auto* fn = dyn_cast_or_null<FunctionDecl>(v->getParentFunctionOrMethod());
    if (!fn) return;
    frame_bytes_[fn->getCanonicalDecl()] += s_.ctx().getTypeSizeInChars(type).getQuantity();
  }

  void finish() override {
    const std::int64_t limit = s_.options().max_stack_bytes;
    std::vector<StackFrame>& frames = s_.result().frames;
    for (const auto& [fn, bytes] : frame_bytes_) {
      const FunctionDecl* def = fn->getDefinition() ? fn->getDefinition() : fn;
      const PresumedLoc p = s_.sm().getPresumedLoc(s_.sm().getFileLoc(def->getLocation()), false);
      StackFrame frame;
      frame.function = s_.name(def);
      frame.file = p.isValid() ? cleanPath(p.getFilename()) : "";
      frame.line = p.isValid() ? p.getLine() : 0;
      frame.bytes = bytes;
      if (limit >= 0 && bytes > limit)
        report(def->getLocation(), "'" + frame.function + "' keeps " + llvm::Twine(bytes) +
                                       " bytes of local arrays and aggregates on the stack, more "
                                       "than --max-stack " +
                                       llvm::Twine(limit));
      frames.push_back(std::move(frame));
    }
    std::sort(frames.begin(), frames.end(), [](const StackFrame& a, const StackFrame& b) {
      return std::tie(b.bytes, a.function, a.file, a.line) <
             std::tie(a.bytes, b.function, b.file, b.line);
    });
  }

 private:
  std::map<const FunctionDecl*, std::int64_t> frame_bytes_;
};

}  // namespace

std::unique_ptr<Rule> makeStackFrame(Session& s, std::string_view name) {
  return std::make_unique<StackFrames>(s, std::string(name));
}

}  // namespace convgen::verifier
