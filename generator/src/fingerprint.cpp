#include "convgen/fingerprint.h"

#include <cctype>

#include "convgen/internal_error.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

namespace convgen {
namespace {

bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

std::string hexLiteral(std::uint64_t value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::format_hex(value, 18) << "ULL";
  return os.str();
}

}  // namespace

std::uint64_t computeFingerprint(const std::vector<GeneratedFile>& files) {
  // Each file as "<name>\0<size>\0<content>": no two file sets give the same
  // byte string, whatever their names and contents contain.
  std::string message;
  for (const GeneratedFile& file : files) {
    message += file.name;
    message += '\0';
    message += std::to_string(file.content.size());
    message += '\0';
    message += file.content;
  }
  return llvm::xxHash64(message);
}

void addFingerprint(std::vector<GeneratedFile>& files, const std::string& macro) {
  CONVGEN_CHECK(files.size() >= 2, "addFingerprint needs a header and at least one .cpp");
  CONVGEN_CHECK(isCIdentifier(macro), "addFingerprint needs a C identifier as macro name");
  CONVGEN_CHECK(llvm::StringRef(files[0].name).endswith(".h"), "files[0] must be the header");
  const std::string value = hexLiteral(computeFingerprint(files));

  std::string& header = files[0].content;
  const std::size_t guard_end = header.rfind("#endif");
  CONVGEN_CHECK(guard_end != std::string::npos &&
                    header.find('#', guard_end + 1) == std::string::npos,
                "the header's last preprocessor line must close its include guard");
  header.insert(guard_end,
                "// This run's fingerprint: each .cpp generated with this header checks it.\n"
                "#define " + macro + " " + value + "\n\n");

  for (std::size_t i = 1; i < files.size(); ++i) {
    CONVGEN_CHECK(llvm::StringRef(files[i].name).endswith(".cpp"), "files[1..] must be .cpp");
    std::string& cpp = files[i].content;
    CONVGEN_CHECK(!cpp.empty() && cpp.back() == '\n', "a generated .cpp ends with a newline");
    cpp += "\nstatic_assert(" + macro + " == " + value + ", \"" + files[0].name + " and " +
           files[i].name + " come from different convgen runs: regenerate both\");\n";
  }
}

}  // namespace convgen
