// User-facing diagnostics: `file:line:col: error: message`, followed by the
// source line and a caret, as clang prints them. Problems in a config are
// collected (every problem is reported, not only the first) and printed in
// source order. Internal bugs are CONVGEN_CHECKs, never diagnostics.
//
// Printing is bounded whatever the input: at most kMaxShownDiagnostics are
// printed (then one line counts the rest), each source line is clipped to a
// window of kSourceWindow columns around the caret, and the whole text goes
// out in one write.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen {

inline constexpr std::size_t kMaxShownDiagnostics = 100;
inline constexpr std::size_t kSourceWindow = 80;

class Diagnostics {
 public:
  // Also captures what LLVM's YAML parser reports through `sm`.
  explicit Diagnostics(llvm::SourceMgr& sm);
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  // Control characters in `message` (a newline in a quoted key, say) are
  // escaped, so that every diagnostic stays on one line.
  void error(llvm::SMLoc loc, const llvm::Twine& message);
  bool hasErrors() const { return !errors_.empty(); }
  std::size_t errorCount() const { return errors_.size(); }

  // Prints the first `max_shown` errors in source order, then "N more
  // errors not shown" when there are more. `show_source` adds the source
  // line (clipped around the caret) and a caret under each.
  void print(llvm::raw_ostream& os, bool show_source = true,
             std::size_t max_shown = kMaxShownDiagnostics) const;
  // The `file:line:col: error: message` lines only, in source order.
  std::vector<std::string> lines() const;

  llvm::SourceMgr& sourceMgr() { return sm_; }

 private:
  struct Entry {
    llvm::SMLoc loc;
    std::string message;
    unsigned order;  // arrival order, to keep sorting stable
  };
  std::vector<Entry> sorted() const;
  std::string header(const Entry& e) const;
  std::string sourceAndCaret(llvm::SMLoc loc) const;

  llvm::SourceMgr& sm_;
  std::vector<Entry> errors_;
};

// `text` (a key or value taken from a config) ready to quote in a message:
// control characters escaped (\n, \t, \xNN) and, past `max_length` bytes,
// cut short with "...".
std::string excerpt(llvm::StringRef text, std::size_t max_length = 80);

}  // namespace convgen
