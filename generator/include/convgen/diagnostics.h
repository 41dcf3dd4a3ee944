// User-facing diagnostics: `file:line:col: error: message`, followed by the
// source line and a caret, as clang prints them. Problems in a config are
// collected (every problem is reported, not only the first) and printed in
// source order. Internal bugs are CONVGEN_CHECKs, never diagnostics.
//
// Printing is bounded whatever the input: at most kMaxShownDiagnostics are
// printed (then one line counts the rest), each source line is clipped to a
// window of kSourceWindow columns around the caret, and the whole text goes
// out in one write. So is memory: only the kMaxStoredDiagnostics earliest in
// source order are kept (a 11 MB config can hold millions of errors); the
// rest are counted.
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
inline constexpr std::size_t kMaxStoredDiagnostics = 10000;

class Diagnostics {
 public:
  // Also captures what LLVM's YAML parser reports through `sm`.
  explicit Diagnostics(llvm::SourceMgr& sm);
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  // Control characters in `message` (a newline in a quoted key, say) are
  // escaped, so that every diagnostic stays on one line.
  void error(llvm::SMLoc loc, const llvm::Twine& message);
  // Counts `n` errors that a reader found but did not pass on (it bounds its
  // own diagnostics the same way).
  void countUnstored(std::size_t n) { unstored_ += n; }
  bool hasErrors() const { return errorCount() != 0; }
  // Every error reported, stored or not.
  std::size_t errorCount() const { return errors_.size() + unstored_; }

  // Prints the first `max_shown` errors in source order, then "N more
  // errors not shown" when there are more. `show_source` adds the source
  // line (clipped around the caret) and a caret under each.
  void print(llvm::raw_ostream& os, bool show_source = true,
             std::size_t max_shown = kMaxShownDiagnostics) const;
  // The `file:line:col: error: message` lines only, in source order, of the
  // stored errors (all of them, up to kMaxStoredDiagnostics).
  std::vector<std::string> lines() const;

  llvm::SourceMgr& sourceMgr() { return sm_; }

 private:
  struct Entry {
    llvm::SMLoc loc;
    std::string message;
    unsigned order;  // arrival order, to keep sorting stable
  };
  static bool earlier(const Entry& a, const Entry& b);  // source order, then arrival
  std::vector<Entry> sorted() const;
  std::string header(const Entry& e) const;
  std::string sourceAndCaret(llvm::SMLoc loc) const;

  llvm::SourceMgr& sm_;
  // Up to kMaxStoredDiagnostics entries; once full, a max-heap by source
  // order, so that a later error can replace the latest one kept.
  std::vector<Entry> errors_;
  bool heap_ = false;
  unsigned arrivals_ = 0;
  std::size_t unstored_ = 0;
};

// `text` (a key or value taken from a config) ready to quote in a message:
// control characters escaped (\n, \t, \xNN) and, past `max_length` bytes,
// cut short with "...".
std::string excerpt(llvm::StringRef text, std::size_t max_length = 80);

}  // namespace convgen
