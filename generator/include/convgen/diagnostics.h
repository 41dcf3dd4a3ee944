// User-facing diagnostics: `file:line:col: error: message`, followed by the
// source line and a caret, as clang prints them. Problems in a config are
// collected (every problem is reported, not only the first) and printed in
// source order. Internal bugs are asserts, never diagnostics.
#pragma once

#include <string>
#include <vector>

#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen {

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

  // Prints every error, in source order. `show_source` adds the source line
  // and a caret under each.
  void print(llvm::raw_ostream& os, bool show_source = true) const;
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

  llvm::SourceMgr& sm_;
  std::vector<Entry> errors_;
};

// `text` (a key or value taken from a config) ready to quote in a message:
// control characters escaped (\n, \t, \xNN) and, past `max_length` bytes,
// cut short with "...".
std::string excerpt(llvm::StringRef text, std::size_t max_length = 80);

}  // namespace convgen
