// The output transaction of output.h, on POSIX file descriptors: flock for
// the directory lock, fsync for durability, O_NONBLOCK + fstat so that a
// FIFO or device in the way is reported instead of blocking an open().
#include "convgen/output.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

namespace convgen {
namespace {

constexpr const char* kLockName = ".convgen.lock";
constexpr llvm::StringLiteral kTempInfix(".tmp-");
constexpr std::size_t kTempRandomChars = 6;  // the %'s below

std::string reason(int error) { return std::error_code(error, std::generic_category()).message(); }

std::string joinPath(const std::string& dir, const std::string& name) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

// Closes its descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now; close() can report a write error (NFS), so it is checked.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Opens `path` without blocking and checks that it is a regular file.
// Returns "" or the error; `fd` is open only on success. `open_errno`, when
// given, is set to open()'s errno when open() itself failed, else to 0.
std::string openRegular(const std::string& path, int flags, Fd& fd, int* open_errno = nullptr) {
  int raw;
  do {
    raw = ::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC, 0666);
  } while (raw < 0 && errno == EINTR);
  const int saved = raw < 0 ? errno : 0;
  if (open_errno) *open_errno = saved;
  if (raw < 0) return path + ": " + reason(saved);
  fd.reset(raw);
  struct stat st;
  if (::fstat(raw, &st) != 0) return path + ": " + reason(errno);
  if (!S_ISREG(st.st_mode)) {
    fd.reset(-1);
    return path + ": exists and is not a regular file";
  }
  return "";
}

// Whether `path` holds exactly `content`. Sets `error` on a read failure or
// when the path exists but is not a regular file.
bool hasContent(const std::string& path, const std::string& content, std::string& error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) error = path + ": " + reason(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path + ": exists and is not a regular file";
    return false;
  }
  if (static_cast<std::uint64_t>(st.st_size) != content.size()) return false;
  Fd fd;
  if ((error = openRegular(path, O_RDONLY, fd)) != "") return false;
  std::string text(content.size() + 1, '\0');  // one more: notices a file that grew
  std::size_t have = 0;
  while (have < text.size()) {
    const ssize_t n = ::read(fd.get(), &text[have], text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": cannot read: " + reason(errno);
      return false;
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  return have == content.size() && text.compare(0, have, content) == 0;
}

// `name` is a temporary this code creates for a file of config stem `stem`:
// STEM.h, STEM.cpp or STEM_<k>.cpp (or convgen import's STEM.yaml and
// STEM.safetensors), then ".tmp-" and six lowercase hex digits.
bool isTemporaryOf(llvm::StringRef name, llvm::StringRef stem) {
  const std::size_t at = name.rfind(kTempInfix);
  if (at == llvm::StringRef::npos) return false;
  const llvm::StringRef random = name.substr(at + kTempInfix.size());
  if (random.size() != kTempRandomChars ||
      random.find_first_not_of("0123456789abcdef") != llvm::StringRef::npos)
    return false;
  llvm::StringRef target = name.substr(0, at);
  if (!target.consume_front(stem)) return false;
  if (target == ".h" || target == ".cpp") return true;
  if (target == ".yaml" || target == ".safetensors") return true;  // convgen import's
  if (target == ".bin") return true;                                // convgen golden's
  if (!target.consume_front("_") || !target.consume_back(".cpp") || target.empty()) return false;
  return target.find_first_not_of("0123456789") == llvm::StringRef::npos;
}

std::string removeStaleTemporaries(const std::string& dir, const std::string& stem) {
  std::error_code ec;
  std::vector<std::string> stale;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (isTemporaryOf(llvm::sys::path::filename(it->path()), stem)) stale.push_back(it->path());
  if (ec) return dir + ": cannot list: " + ec.message();
  for (const std::string& path : stale)
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return path + ": cannot remove a stale temporary file: " + reason(errno);
  return "";
}

std::string writeAll(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return reason(errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return reason(errno);
  return "";
}

// The temporaries of one run: removed (and unregistered from LLVM's
// remove-on-signal list) unless committed.
class Temporaries {
 public:
  ~Temporaries() {
    for (const Pending& p : pending_)
      if (!p.renamed) {
        ::unlink(p.temp.c_str());
        llvm::sys::DontRemoveFileOnSignal(p.temp);
      }
  }
  struct Pending {
    std::string temp, path;
    bool renamed = false;
  };
  std::vector<Pending>& list() { return pending_; }

 private:
  std::vector<Pending> pending_;
};

int killAfterRenamesHook() {
  const char* value = std::getenv("CONVGEN_TEST_KILL_AFTER_RENAMES");
  return value ? std::atoi(value) : 0;
}

}  // namespace

std::string writeFilesIfChanged(const std::string& dir, const std::string& stem,
                                const std::vector<GeneratedFile>& files) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return dir + ": cannot create the output directory: " + ec.message();
  if (!llvm::sys::fs::is_directory(dir)) return dir + ": exists and is not a directory";

  // 1. The directory's lock, until `lock` is closed on return.
  const std::string lock_path = joinPath(dir, kLockName);
  Fd lock;
  int open_errno = 0;
  if (std::string error =
          openRegular(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW, lock, &open_errno);
      !error.empty()) {
    // A read-only directory that is already up to date is not an error:
    // there is nothing to write, so nothing to lock.
    if (open_errno == EACCES || open_errno == EROFS || open_errno == EPERM) {
      std::string read_error;
      bool all_current = true;
      for (const GeneratedFile& file : files)
        all_current = all_current && hasContent(joinPath(dir, file.name), file.content, read_error);
      if (all_current) return "";
    }
    return error;
  }
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return lock_path + ": cannot lock: " + reason(errno);

  // 2. What killed runs left.
  if (std::string error = removeStaleTemporaries(dir, stem); !error.empty()) return error;

  // 3. Every changed file to a temporary, synced.
  Temporaries temps;
  for (const GeneratedFile& file : files) {
    const std::string path = joinPath(dir, file.name);
    std::string error;
    if (hasContent(path, file.content, error)) continue;
    if (!error.empty()) return error;
    int raw = -1;
    llvm::SmallString<256> temp;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(
            path + kTempInfix + std::string(kTempRandomChars, '%'), raw, temp))
      return path + ": cannot create a temporary file: " + ec.message() + " (no file was replaced)";
    Fd fd(raw);
    temps.list().push_back({std::string(temp), path});
    llvm::sys::RemoveFileOnSignal(temp);
    if (std::string why = writeAll(fd.get(), file.content); !why.empty())
      return path + ": cannot write: " + why + " (no file was replaced)";
    if (fd.close() != 0)
      return path + ": cannot write: " + reason(errno) + " (no file was replaced)";
  }
  if (temps.list().empty()) return "";

  // 4. The renames: the header (files[0], listed first if changed) last.
  std::vector<Temporaries::Pending>& pending = temps.list();
  if (pending.front().path == joinPath(dir, files.front().name))
    std::rotate(pending.begin(), pending.begin() + 1, pending.end());
  const int kill_after = killAfterRenamesHook();
  int renamed = 0;
  for (Temporaries::Pending& p : pending) {
    if (::rename(p.temp.c_str(), p.path.c_str()) != 0)
      return p.path + ": cannot replace: " + reason(errno) + " (" + std::to_string(renamed) +
             " of " + std::to_string(pending.size()) +
             " files were replaced; they no longer compile with the others: run convgen again)";
    p.renamed = true;
    llvm::sys::DontRemoveFileOnSignal(p.temp);
    if (++renamed == kill_after) std::raise(SIGKILL);
  }
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // EINVAL: a file system that cannot sync a directory; the renames are done.
  if (dir_fd.get() < 0 || (::fsync(dir_fd.get()) != 0 && errno != EINVAL))
    return dir + ": cannot sync the directory: " + reason(errno);
  return "";
}

}  // namespace convgen
