// allowed-includes: <standard headers>, the ISA's intrinsics header, and the
// file's own headers: regular files next to it. The directives are recorded
// while Clang preprocesses and judged once the file's ISA is known (it may
// come from the layers' `info` constants, declared after the includes).
#include "clang/Basic/FileEntry.h"
#include "clang/Lex/PPCallbacks.h"
#include "library.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "rules.h"

namespace convgen::verifier {
namespace {

using namespace clang;

struct Directive {
  SourceLocation hash;
  std::string name;
  bool angled = false;
  std::string resolved;  // the file it names, "" when none was opened
  bool system = false;   // resolved to a system header
};

// The directory `path` is in, real when it exists on disk.
std::string directoryOf(llvm::StringRef path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  llvm::sys::path::remove_filename(p);
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(p, real)) return std::string(real.str());
  return cleanPath(p);
}

class AllowedIncludes : public Rule {
 public:
  using Rule::Rule;

  void registerPPCallbacks(Preprocessor& pp) override {
    sm_ = &pp.getSourceManager();
    pp.addPPCallbacks(std::make_unique<Recorder>(*this));
  }

  void finish() override {
    const std::string own_dir = directoryOf(s_.mainPath());
    const std::string tail =
        ": generated code includes only standard headers, its ISA's intrinsics header and its "
        "own header";
    for (const Directive& d : directives_) {
      const std::string spelled = d.angled ? "<" + d.name + ">" : "\"" + d.name + "\"";
      if (d.resolved.empty()) {
        if (const std::string* why = refusal(d.name)) {
          add(d, spelled + " is " + *why + tail);
          continue;
        }
      }
      if (!d.angled) {
        if (d.resolved.empty()) continue;  // Clang reports it as not found
        if (d.system)
          add(d, spelled + " resolves to a system header: include it with <...>");
        else if (directoryOf(d.resolved) != own_dir)
          add(d, spelled + " resolves to '" + d.resolved +
                     "', outside the directory of the file being verified: generated code "
                     "includes only its own header, next to it");
        continue;
      }
      if (isStandardHeader(d.name) || isaAllowsInclude(s_.isa(), d.name)) continue;
      if (isIntrinsicsHeaderName(d.name)) {
        add(d, spelled + " is not an intrinsics header " + isaName(s_.isa()) +
                   " files may include: " + isaSummary(s_.isa()));
        continue;
      }
      add(d, spelled + " is not a standard header" + tail);
    }
  }

 private:
  class Recorder : public PPCallbacks {
   public:
    explicit Recorder(AllowedIncludes& rule) : rule_(rule) {}
    void InclusionDirective(SourceLocation hash, const Token&, llvm::StringRef name, bool angled,
                            CharSourceRange, const FileEntry* file, llvm::StringRef,
                            llvm::StringRef, const Module*,
                            SrcMgr::CharacteristicKind kind) override {
      if (rule_.sm_->isInSystemHeader(hash)) return;
      Directive d;
      d.hash = hash;
      d.name = name.str();
      d.angled = angled;
      if (file) d.resolved = file->getName().str();
      d.system = file && kind != SrcMgr::C_User;
      rule_.directives_.push_back(std::move(d));
    }

   private:
    AllowedIncludes& rule_;
  };

  // Why the guarded file system refused the file `name` names, if it did.
  const std::string* refusal(llvm::StringRef name) const {
    for (const auto& [path, why] : s_.refused_files) {
      const llvm::StringRef p(path);
      if (p == name || (p.endswith(name) && llvm::sys::path::is_separator(
                                                p[p.size() - name.size() - 1])))
        return &why;
    }
    return nullptr;
  }

  void add(const Directive& d, const std::string& message) {
    s_.report(*sm_, d.hash, name(), message);
  }

  const SourceManager* sm_ = nullptr;
  std::vector<Directive> directives_;
};

}  // namespace

std::unique_ptr<Rule> makeAllowedIncludes(Session& s, std::string_view name) {
  return std::make_unique<AllowedIncludes>(s, std::string(name));
}

}  // namespace convgen::verifier
