#include "frontend.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Tooling/Tooling.h"
#include "compiler_args.h"
#include "rules/rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;

// Clang's own errors become [compile] findings.
class CompileErrors : public DiagnosticConsumer {
 public:
  explicit CompileErrors(Session& s) : s_(s) {}
  void HandleDiagnostic(DiagnosticsEngine::Level level, const Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < DiagnosticsEngine::Error) return;
    llvm::SmallString<256> text;
    info.FormatDiagnostic(text);
    if (info.hasSourceManager()) {
      s_.report(info.getSourceManager(), info.getLocation(), "compile", text);
    } else {
      s_.result().findings.push_back(
          {cleanPath(s_.mainPath()), 0, 0, "compile", std::string(text.str())});
    }
  }

 private:
  Session& s_;
};

// Without --isa, the file is parsed for the host target with no ISA flags
// (generated x86 functions carry target attributes, so they need none).
// Only another architecture's intrinsics header, e.g. <arm_neon.h> on an
// x86 host, needs another target: seeing one include it, the probe asks
// for a second parse with that ISA's flags.
class TargetProbe : public PPCallbacks {
 public:
  TargetProbe(Session& s, const SourceManager& sm) : s_(s), sm_(sm) {}
  void InclusionDirective(SourceLocation hash, const Token&, llvm::StringRef name, bool angled,
                          CharSourceRange, const FileEntry*, llvm::StringRef, llvm::StringRef,
                          const Module*, SrcMgr::CharacteristicKind) override {
    if (!angled || s_.parse_isa || s_.retarget || sm_.isInSystemHeader(hash)) return;
    for (const IsaInfo& row : isaTable())
      if (!row.intrinsics_include.empty() && name == llvm::StringRef(row.intrinsics_include.data(),
                                                                     row.intrinsics_include.size()) &&
          !isNativeFamily(row.family)) {
        s_.retarget = row.isa;
        return;
      }
  }

 private:
  Session& s_;
  const SourceManager& sm_;
};

class Checker : public ASTConsumer {
 public:
  Checker(Session& s, std::vector<std::unique_ptr<Rule>> rules)
      : s_(s), rules_(std::move(rules)) {}

  void HandleTranslationUnit(ASTContext& ctx) override {
    if (s_.retarget) return;  // parsed again for the right target
    s_.beginTranslationUnit(ctx);
    ast_matchers::MatchFinder finder;
    for (const auto& rule : rules_) rule->registerMatchers(finder);
    finder.matchAST(ctx);
    for (const auto& rule : rules_) rule->finish();
  }

 private:
  Session& s_;
  std::vector<std::unique_ptr<Rule>> rules_;
};

class VerifyAction : public ASTFrontendAction {
 public:
  explicit VerifyAction(Session& s) : s_(s) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    Preprocessor& pp = ci.getPreprocessor();
    pp.addPPCallbacks(std::make_unique<TargetProbe>(s_, ci.getSourceManager()));
    std::vector<std::unique_ptr<Rule>> rules = makeRules(s_);
    for (const auto& rule : rules) rule->registerPPCallbacks(pp);
    return std::make_unique<Checker>(s_, std::move(rules));
  }

 private:
  Session& s_;
};

}  // namespace

void parseAndCheck(Session& session, const std::vector<std::string>& args,
                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs) {
  auto files = llvm::makeIntrusiveRefCnt<FileManager>(FileSystemOptions(), std::move(fs));
  CompileErrors errors(session);
  tooling::ToolInvocation invocation(args, std::make_unique<VerifyAction>(session), files.get());
  invocation.setDiagnosticConsumer(&errors);
  invocation.run();
}

}  // namespace convgen::verifier
