#include "convgen/internal_error.h"

#include <cstdlib>

#include "llvm/Support/raw_ostream.h"

namespace convgen {

void internalError(const char* what, const char* file, int line) {
  // Not exit(1): that is a config error's status. abort() makes a bug a
  // crash that no test or CI run can mistake for a rejected config.
  llvm::errs() << "convgen: internal error: " << what << " (" << file << ":" << line
               << "); please report this as a bug\n";
  llvm::errs().flush();
  std::abort();
}

}  // namespace convgen
