#include "convgen/templates.h"

#include <cctype>
#include <set>
#include <utility>

#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

namespace convgen {
namespace {

constexpr std::pair<std::string_view, std::string_view> kTemplates[] = {
#include "templates.inc"
};

bool isNameChar(char c) { return std::islower(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

std::string_view templateText(std::string_view name) {
  for (const auto& [n, text] : kTemplates)
    if (n == name) return text;
  llvm::report_fatal_error(llvm::Twine("convgen internal error: no template '") +
                           llvm::StringRef(name) + "'");
}

std::string renderTemplate(std::string_view name, const TemplateValues& values) {
  const std::string_view text = templateText(name);
  std::string out;
  std::set<std::string> used;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.substr(0, 3) == "{{!") continue;  // a precondition comment
    for (std::size_t i = 0; i < line.size();) {
      // A placeholder is {{name}} with name in [a-z_]+; "{{{x}}}" renders
      // as "{" + x + "}".
      if (line.substr(i, 2) == "{{") {
        std::size_t j = i + 2;
        while (j < line.size() && isNameChar(line[j])) ++j;
        if (j > i + 2 && line.substr(j, 2) == "}}") {
          const std::string key(line.substr(i + 2, j - i - 2));
          auto it = values.find(key);
          if (it == values.end())
            llvm::report_fatal_error(llvm::Twine("convgen internal error: template '") +
                                     llvm::StringRef(name) + "' needs a value for '" + key + "'");
          out += it->second;
          used.insert(key);
          i = j + 2;
          continue;
        }
      }
      out += line[i++];
    }
    out += '\n';
  }
  for (const auto& [key, value] : values)
    if (!used.count(key))
      llvm::report_fatal_error(llvm::Twine("convgen internal error: template '") +
                               llvm::StringRef(name) + "' has no placeholder '" + key + "'");
  return out;
}

}  // namespace convgen
