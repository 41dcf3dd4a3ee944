#include "guarded_fs.h"

#include "convgen/verify.h"

namespace convgen::verifier {

std::string refusalReason(llvm::sys::fs::file_type type, std::uint64_t size) {
  if (type != llvm::sys::fs::file_type::regular_file) return "not a regular file";
  if (size > kVerifyMaxFileBytes)
    return "larger than the verifier's limit of " + std::to_string(kVerifyMaxFileBytes >> 20) +
           " MiB";
  return "";
}

llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>> GuardedFileSystem::openFileForRead(
    const llvm::Twine& path) {
  // status() is a stat(): it neither opens nor blocks.
  llvm::ErrorOr<llvm::vfs::Status> status = getUnderlyingFS().status(path);
  if (!status) return status.getError();
  const std::string why = refusalReason(status->getType(), status->getSize());
  if (!why.empty()) {
    refused_[path.str()] = why;
    return std::make_error_code(std::errc::permission_denied);
  }
  return getUnderlyingFS().openFileForRead(path);
}

}  // namespace convgen::verifier
