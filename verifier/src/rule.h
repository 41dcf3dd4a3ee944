// One rule of the generated-code contract (clang-tidy's "check"): a class
// that registers the AST matchers (and preprocessor callbacks) it needs,
// inspects their matches in check(), and may finish its work in finish()
// once the whole translation unit has been matched. Every rule reports
// under its own name only; rules/rules.cpp lists them all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Preprocessor.h"
#include "session.h"

namespace convgen::verifier {

class Rule : public clang::ast_matchers::MatchFinder::MatchCallback {
 public:
  Rule(Session& session, std::string name) : s_(session), name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  // Before preprocessing starts.
  virtual void registerPPCallbacks(clang::Preprocessor&) {}
  // After Clang has built the AST and the session knows the file's ISA.
  virtual void registerMatchers(clang::ast_matchers::MatchFinder&) {}
  virtual void check(const clang::ast_matchers::MatchFinder::MatchResult&) {}
  // After every matcher ran.
  virtual void finish() {}

  void run(const clang::ast_matchers::MatchFinder::MatchResult& result) final { check(result); }

 protected:
  void report(clang::SourceLocation loc, const llvm::Twine& message) {
    s_.report(loc, name_, message);
  }
  Session& s_;

 private:
  std::string name_;
};

}  // namespace convgen::verifier
