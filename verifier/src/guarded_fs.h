// The file system Clang reads through: the real one, except that it opens
// only regular files of at most kVerifyMaxFileBytes. A FIFO would block
// Clang's open(), a device (/dev/zero) never ends, a huge file exhausts
// memory; each refused path is recorded, with the reason, for the
// allowed-includes rule to report.
#pragma once

#include <map>
#include <string>

#include "llvm/Support/VirtualFileSystem.h"

namespace convgen::verifier {

// Why `status` may not be read: "not a regular file", "larger than ...",
// or "" when it may.
std::string refusalReason(llvm::sys::fs::file_type type, std::uint64_t size);

class GuardedFileSystem : public llvm::vfs::ProxyFileSystem {
 public:
  GuardedFileSystem(llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs,
                    std::map<std::string, std::string>& refused)
      : ProxyFileSystem(std::move(fs)), refused_(refused) {}

  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>> openFileForRead(
      const llvm::Twine& path) override;

 private:
  std::map<std::string, std::string>& refused_;
};

}  // namespace convgen::verifier
