// The state one file's verification shares between its rules (clang-tidy's
// "context"): the options, the ISA policy, the parsed AST once Clang has
// built it, the findings, and the helpers every rule needs to name things
// and to find the file's layers. Rules (rule.h, rules/) own nothing but
// what they compute themselves.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Analysis/CallGraph.h"
#include "convgen/isa.h"
#include "convgen/verify.h"

namespace convgen::verifier {

// A layer namespace's ISA, read from the typed `isa` field of its `info`
// constant (LayerInfo v2).
struct LayerIsa {
  std::optional<Isa> isa;  // none: the field names no ISA of isaTable()
  std::string spelled;     // the field's string, as written
  std::string layer;       // the namespace, qualified
};

std::string cleanPath(llvm::StringRef path);

// The ISA policy, as isa.h states it: whether code of `isa` may call the
// intrinsics of resource-dir header `header` (an intrinsic_headers entry
// ending in '*' is a prefix), and may include it.
bool isaAllowsIntrinsicsFrom(Isa isa, llvm::StringRef header);
bool isaAllowsInclude(Isa isa, llvm::StringRef header);
std::string isaName(Isa isa);
std::string isaSummary(Isa isa);

class Session {
 public:
  Session(const VerifyOptions& options, std::string main_path, std::string resource_include,
          VerifyResult& result)
      : options_(options),
        main_path_(std::move(main_path)),
        resource_include_(std::move(resource_include)),
        result_(result) {}

  const VerifyOptions& options() const { return options_; }
  VerifyResult& result() { return result_; }
  const std::string& mainPath() const { return main_path_; }

  // The ISA whose clang_parse_flags the file is parsed with: --isa, or the
  // ISA a probe found needing another target (see verifier.cpp); none:
  // the host target without ISA flags.
  std::optional<Isa> parse_isa;
  // Set while parsing without --isa when the file includes another
  // family's intrinsics header: the file must be parsed again for it.
  std::optional<Isa> retarget;
  // Paths the guarded file system refused to open, with the reason.
  std::map<std::string, std::string> refused_files;

  // The file's ISA: what code outside a layer with a known ISA may use.
  // Final once beginTranslationUnit() has run.
  Isa isa() const { return isa_; }
  // "-mavx2 -mfma", or "no ISA flags".
  std::string parseFlagsText() const;

  // Adds a finding at `loc` (its file location; for macros, where the
  // macro is used); at the main file when `loc` is invalid.
  void report(const clang::SourceManager& sm, clang::SourceLocation loc, llvm::StringRef rule,
              const llvm::Twine& message);

  // ----- once the AST is built ---------------------------------------------
  void beginTranslationUnit(clang::ASTContext& ctx);
  clang::ASTContext& ctx() const { return *ctx_; }
  clang::SourceManager& sm() const { return ctx_->getSourceManager(); }

  // Whether `loc` is in the generated code (not in a system header).
  bool isUser(clang::SourceLocation loc) const;
  bool isUser(const clang::Decl* d) const { return d && isUser(d->getLocation()); }
  // Reports about the generated code only, never about system headers.
  void report(clang::SourceLocation loc, llvm::StringRef rule, const llvm::Twine& message);

  std::string name(const clang::NamedDecl* d) const;  // qualified, no anonymous namespaces
  std::string typeName(clang::QualType t) const;
  // The basename of the resource-dir header `loc` is in, or "".
  std::string resourceHeader(clang::SourceLocation loc) const;
  // The header that declares `d`, as it would be included ("<stdio.h>").
  std::string headerOf(const clang::Decl* d) const;

  clang::NamedDecl* lookupOne(const clang::DeclContext* dc, llvm::StringRef n) const;
  std::vector<clang::FunctionDecl*> lookupFunctions(const clang::DeclContext* dc,
                                                    llvm::StringRef n) const;
  // Every named namespace declared in the generated code, outermost first.
  const std::vector<const clang::NamespaceDecl*>& userNamespaces() const { return namespaces_; }
  // Layer namespace (original declaration) -> its ISA.
  const std::map<const clang::NamespaceDecl*, LayerIsa>& layerIsas() const { return layer_isas_; }

  // The innermost function whose body holds `s`, if found within a bounded
  // walk up the AST (hostile nesting is not walked to its end).
  const clang::FunctionDecl* enclosingFunction(const clang::Stmt* s) const;
  // The ISA whose intrinsics code at `s` may call, with the layer it comes
  // from ("" when it is the file's ISA).
  std::pair<Isa, std::string> isaAt(const clang::Stmt* s) const;
  // Whether the features enabled for code at `s` (the parse flags plus the
  // enclosing function's target attribute) lack one of `required`
  // ("a,b|c": a and (b or c)): the first missing one, or "".
  std::string missingFeature(const clang::Stmt* s, llvm::StringRef required) const;
  std::string missingFeature(const clang::Stmt* s, const clang::FunctionDecl* callee,
                             unsigned builtin) const;

  // The file's call graph, built on first use.
  const clang::CallGraph& callGraph();
  const clang::FunctionDecl* userFunction(const clang::CallGraphNode* node) const;

 private:
  void collectLayerIsas();
  llvm::StringMap<bool> featuresAt(const clang::Stmt* s) const;

  const VerifyOptions& options_;
  std::string main_path_;
  std::string resource_include_;  // real path of <resource dir>/include
  VerifyResult& result_;
  Isa isa_ = Isa::Scalar;

  clang::ASTContext* ctx_ = nullptr;
  std::unique_ptr<clang::PrintingPolicy> policy_;
  std::vector<const clang::NamespaceDecl*> namespaces_;
  std::map<const clang::NamespaceDecl*, LayerIsa> layer_isas_;
  std::unique_ptr<clang::CallGraph> call_graph_;
  mutable std::map<std::string, std::string> real_dirs_;
};

}  // namespace convgen::verifier
