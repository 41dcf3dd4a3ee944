// formatGeneratedCode: clang::format::reformat over the whole file, then the
// replacements applied. Kept to this one translation unit because Clang's
// headers are slow to compile.
#include "convgen/format.h"

#include "convgen/templates.h"

#include "clang/Format/Format.h"
#include "clang/Tooling/Core/Replacement.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

namespace convgen {
namespace {

// The style is templates/clang-format.yaml, embedded with the templates.

[[noreturn]] void internalError(const llvm::Twine& what) {
  llvm::report_fatal_error("convgen internal error: formatting generated code: " + what);
}

}  // namespace

std::string_view generatedCodeStyle() { return templateText("clang-format"); }

std::string formatGeneratedCode(const std::string& code, const std::string& file_name) {
  return formatGeneratedCode(code, file_name, generatedCodeStyle());
}

std::string formatGeneratedCode(const std::string& code, const std::string& file_name,
                                std::string_view style_yaml) {
  clang::format::FormatStyle style =
      clang::format::getLLVMStyle(clang::format::FormatStyle::LK_Cpp);
  if (std::error_code ec = clang::format::parseConfiguration(
          llvm::StringRef(style_yaml.data(), style_yaml.size()), &style))
    internalError("the style does not parse: " + ec.message());
  const clang::tooling::Range all(0, static_cast<unsigned>(code.size()));
  const clang::tooling::Replacements replacements =
      clang::format::reformat(style, code, {all}, file_name);
  llvm::Expected<std::string> formatted = clang::tooling::applyAllReplacements(code, replacements);
  if (!formatted) internalError(llvm::toString(formatted.takeError()));
  return std::move(*formatted);
}

}  // namespace convgen
