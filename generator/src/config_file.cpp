// Reading a config file: only a regular file, and never more than the config
// size limit. A FIFO, a device (/dev/zero) or a directory is refused before
// anything is read from it; opening never blocks (O_NONBLOCK until the file
// is known to be regular).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "convgen/config.h"
#include "llvm/Support/MemoryBuffer.h"

namespace convgen {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string tooLarge(llvm::StringRef what, std::uint64_t bytes, bool at_least,
                     std::uint64_t limit) {
  return what.str() + " is too large (" + std::string(at_least ? "more than " : "") +
         std::to_string(bytes) + " bytes; the limit is " + std::to_string(limit) + ")";
}

}  // namespace

bool readRegularFile(llvm::StringRef path, std::uint64_t max_bytes, llvm::StringRef what,
                     std::string* text_out, std::string* error) {
  const std::string name = path.str();
  const FileDescriptor fd(::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    *error = std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file";
    return false;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    *error = tooLarge(what, static_cast<std::uint64_t>(st.st_size), false, max_bytes);
    return false;
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    *error = std::strerror(errno);
    return false;
  }
  // The file may grow after fstat: read at most one byte past the limit.
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (text.size() > max_bytes) {
        *error = tooLarge(what, max_bytes, true, max_bytes);
        return false;
      }
      text.resize(static_cast<std::size_t>(
          std::min<std::uint64_t>(std::uint64_t{text.size()} * 2, max_bytes + 1)));
    }
    const ssize_t n = ::read(fd.get(), &text[used], text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  *text_out = std::move(text);
  return true;
}

std::optional<unsigned> readConfigFile(llvm::StringRef path, llvm::SourceMgr& sm,
                                       std::string* error) {
  std::string text;
  if (!readRegularFile(path, kMaxConfigBytes, "config file", &text, error)) return std::nullopt;
  return sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, path), llvm::SMLoc());
}

std::optional<ModelSpec> loadConfigFile(llvm::StringRef path, llvm::SourceMgr& sm,
                                        Diagnostics& diags) {
  std::string error;
  const std::optional<unsigned> id = readConfigFile(path, sm, &error);
  if (!id) {
    diags.error(llvm::SMLoc(), "cannot read config '" + path + "': " + error);
    return std::nullopt;
  }
  return loadConfig(sm, *id, diags);
}

}  // namespace convgen
