#include "session.h"

#include <algorithm>
#include <set>

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/GlobalDecl.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/TargetInfo.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace convgen::verifier {

using namespace clang;

std::string cleanPath(llvm::StringRef path) {
  llvm::SmallString<256> p(path);
  llvm::sys::path::remove_dots(p, /*remove_dot_dot=*/false);
  return std::string(p.str());
}

bool isaAllowsIntrinsicsFrom(Isa isa, llvm::StringRef header) {
  for (std::string_view h : isaInfo(isa).intrinsic_headers) {
    const llvm::StringRef entry(h.data(), h.size());
    if (entry.endswith("*") ? header.startswith(entry.drop_back()) : header == entry) return true;
  }
  return false;
}

bool isaAllowsInclude(Isa isa, llvm::StringRef header) {
  const std::string_view include = isaInfo(isa).intrinsics_include;
  return (!include.empty() && header == llvm::StringRef(include.data(), include.size())) ||
         isaAllowsIntrinsicsFrom(isa, header);
}

std::string isaName(Isa isa) { return std::string(toString(isa)); }
std::string isaSummary(Isa isa) { return std::string(isaInfo(isa).intrinsics_summary); }

std::string Session::parseFlagsText() const {
  std::string flags;
  if (parse_isa)
    for (std::string_view f : isaInfo(*parse_isa).clang_parse_flags)
      flags += (flags.empty() ? "" : " ") + std::string(f);
  return flags.empty() ? "no ISA flags" : flags;
}

void Session::report(const SourceManager& sm, SourceLocation loc, llvm::StringRef rule,
                     const llvm::Twine& message) {
  VerifyFinding f;
  f.rule = rule.str();
  f.message = message.str();
  f.file = cleanPath(main_path_);
  if (loc.isValid()) {
    const PresumedLoc p = sm.getPresumedLoc(sm.getFileLoc(loc), /*UseLineDirectives=*/false);
    if (p.isValid()) {
      f.file = cleanPath(p.getFilename());
      f.line = p.getLine();
      f.column = p.getColumn();
    }
  }
  result_.findings.push_back(std::move(f));
}

void Session::beginTranslationUnit(ASTContext& ctx) {
  ctx_ = &ctx;
  policy_ = std::make_unique<PrintingPolicy>(ctx.getLangOpts());
  policy_->SuppressUnwrittenScope = true;  // no "(anonymous namespace)::"
  policy_->SuppressTagKeyword = true;
  // The user namespaces in declaration order (preorder), by an explicit
  // stack: no recursion on nesting.
  std::set<const NamespaceDecl*> seen;
  std::vector<const DeclContext*> work = {ctx.getTranslationUnitDecl()};
  while (!work.empty()) {
    const DeclContext* dc = work.back();
    work.pop_back();
    if (const auto* ns = dyn_cast<NamespaceDecl>(dc))
      if (seen.insert(ns->getOriginalNamespace()).second)
        namespaces_.push_back(ns->getOriginalNamespace());
    std::vector<const DeclContext*> inner;
    for (const Decl* d : dc->decls())
      if (const auto* ns = dyn_cast<NamespaceDecl>(d))
        if (!ns->isAnonymousNamespace() && isUser(ns->getLocation())) inner.push_back(ns);
    work.insert(work.end(), inner.rbegin(), inner.rend());
  }
  collectLayerIsas();
  // The file's ISA: --isa; else the widest of its layers' (a float64 layer
  // of an avx2 file is scalar); else the ISA the file had to be parsed for.
  if (options_.isa) {
    isa_ = *options_.isa;
  } else {
    std::optional<Isa> widest;
    for (const auto& [ns, layer] : layer_isas_)
      if (layer.isa && (!widest || isaInfo(*layer.isa).lanes > isaInfo(*widest).lanes))
        widest = layer.isa;
    isa_ = widest ? *widest : parse_isa.value_or(Isa::Scalar);
  }
  result_.isa = isa_;
}

// Each layer's ISA, from the `isa` field of its `info` constant, found by
// field name through the struct's declaration: a file may hold layers of
// several ISAs, and a scalar layer in an avx2 file uses no intrinsics.
void Session::collectLayerIsas() {
  for (const NamespaceDecl* ns : namespaces_) {
    const auto* info = dyn_cast_or_null<VarDecl>(lookupOne(ns, "info"));
    const RecordDecl* record = info ? info->getType()->getAsRecordDecl() : nullptr;
    const auto* list = info && info->getInit()
                           ? dyn_cast<InitListExpr>(info->getInit()->IgnoreImplicit())
                           : nullptr;
    if (!record || !list) continue;
    unsigned index = 0;
    for (const FieldDecl* field : record->fields()) {
      if (field->getName() == "isa" && index < list->getNumInits()) {
        LayerIsa layer;
        layer.layer = name(ns);
        if (const auto* str = dyn_cast<StringLiteral>(list->getInit(index)->IgnoreImplicit())) {
          if (str->getCharByteWidth() == 1) layer.spelled = str->getString().str();
          for (const IsaInfo& row : isaTable())
            if (row.name == layer.spelled) layer.isa = row.isa;
        }
        layer_isas_.emplace(ns, std::move(layer));
      }
      ++index;
    }
  }
}

bool Session::isUser(SourceLocation loc) const {
  return loc.isValid() && !sm().isInSystemHeader(sm().getExpansionLoc(loc));
}

void Session::report(SourceLocation loc, llvm::StringRef rule, const llvm::Twine& message) {
  if (loc.isValid() && !isUser(loc)) return;
  report(sm(), loc, rule, message);
}

std::string Session::name(const NamedDecl* d) const {
  std::string out;
  llvm::raw_string_ostream os(out);
  d->printQualifiedName(os, *policy_);
  return os.str();
}

std::string Session::typeName(QualType t) const { return t.getAsString(*policy_); }

std::string Session::resourceHeader(SourceLocation loc) const {
  if (loc.isInvalid()) return "";
  const llvm::StringRef file = sm().getFilename(sm().getSpellingLoc(loc));
  if (file.empty()) return "";
  const llvm::StringRef dir = llvm::sys::path::parent_path(file);
  auto it = real_dirs_.find(dir.str());
  if (it == real_dirs_.end()) {
    llvm::SmallString<256> real;
    if (llvm::sys::fs::real_path(dir, real)) real = dir;
    it = real_dirs_.emplace(dir.str(), std::string(real.str())).first;
  }
  if (it->second != resource_include_) return "";
  return llvm::sys::path::filename(file).str();
}

std::string Session::headerOf(const Decl* d) const {
  const llvm::StringRef file = sm().getFilename(sm().getFileLoc(d->getLocation()));
  return file.empty() ? "<built-in>" : "<" + llvm::sys::path::filename(file).str() + ">";
}

NamedDecl* Session::lookupOne(const DeclContext* dc, llvm::StringRef n) const {
  const DeclContextLookupResult found = dc->lookup(&ctx_->Idents.get(n));
  return found.empty() ? nullptr : found.front();
}

std::vector<FunctionDecl*> Session::lookupFunctions(const DeclContext* dc,
                                                    llvm::StringRef n) const {
  std::vector<FunctionDecl*> out;
  for (NamedDecl* d : dc->lookup(&ctx_->Idents.get(n)))
    if (auto* fn = dyn_cast<FunctionDecl>(d)) out.push_back(fn);
  return out;
}

const FunctionDecl* Session::enclosingFunction(const Stmt* s) const {
  DynTypedNodeList parents = ctx_->getParents(*s);
  for (int depth = 0; depth < 1024 && !parents.empty(); ++depth) {
    if (const auto* fn = parents[0].get<FunctionDecl>()) return fn;
    parents = ctx_->getParents(parents[0]);
  }
  return nullptr;
}

std::pair<Isa, std::string> Session::isaAt(const Stmt* s) const {
  if (const FunctionDecl* fn = enclosingFunction(s))
    for (const DeclContext* dc = fn->getDeclContext(); dc; dc = dc->getParent())
      if (const auto* ns = dyn_cast<NamespaceDecl>(dc)) {
        auto it = layer_isas_.find(ns->getOriginalNamespace());
        if (it != layer_isas_.end() && it->second.isa) return {*it->second.isa, it->second.layer};
      }
  return {isa_, ""};
}

// The parse flags' features, plus those of the enclosing function's
// target attribute (generated x86 functions carry one instead of needing
// -m flags).
llvm::StringMap<bool> Session::featuresAt(const Stmt* s) const {
  const FunctionDecl* fn = enclosingFunction(s);
  if (!fn || !fn->hasAttr<TargetAttr>()) return ctx_->getTargetInfo().getTargetOpts().FeatureMap;
  llvm::StringMap<bool> features;
  GlobalDecl gd(fn);
  if (const auto* ctor = dyn_cast<CXXConstructorDecl>(fn)) gd = GlobalDecl(ctor, Ctor_Complete);
  if (const auto* dtor = dyn_cast<CXXDestructorDecl>(fn)) gd = GlobalDecl(dtor, Dtor_Complete);
  ctx_->getFunctionFeatureMap(features, gd);
  return features;
}

std::string Session::missingFeature(const Stmt* s, llvm::StringRef required) const {
  const llvm::StringMap<bool> enabled = featuresAt(s);
  llvm::SmallVector<llvm::StringRef, 4> all;
  required.split(all, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef group : all) {
    llvm::SmallVector<llvm::StringRef, 4> any;
    group.split(any, '|', -1, false);
    const bool ok = std::any_of(any.begin(), any.end(),
                                [&](llvm::StringRef f) { return enabled.lookup(f.trim("() ")); });
    if (!ok) return any.empty() ? group.str() : any.front().trim("() ").str();
  }
  return "";
}

std::string Session::missingFeature(const Stmt* s, const FunctionDecl* callee,
                                    unsigned builtin) const {
  if (builtin) return missingFeature(s, ctx_->BuiltinInfo.getRequiredFeatures(builtin));
  const auto* attr = callee->getAttr<TargetAttr>();
  if (!attr) return "";
  const llvm::StringMap<bool> enabled = featuresAt(s);
  const ParsedTargetAttr parsed = ctx_->filterFunctionTargetAttrs(attr);
  for (const std::string& f : parsed.Features)
    if (!f.empty() && f[0] == '+' && !enabled.lookup(f.substr(1))) return f.substr(1);
  return "";
}

const CallGraph& Session::callGraph() {
  if (!call_graph_) {
    call_graph_ = std::make_unique<CallGraph>();
    call_graph_->addToCallGraph(ctx_->getTranslationUnitDecl());
  }
  return *call_graph_;
}

const FunctionDecl* Session::userFunction(const CallGraphNode* node) const {
  const auto* fn = dyn_cast_or_null<FunctionDecl>(node ? node->getDecl() : nullptr);
  return fn && isUser(fn->getLocation()) ? fn : nullptr;
}

}  // namespace convgen::verifier
