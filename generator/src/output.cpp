#include "convgen/output.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen {

std::string writeFilesIfChanged(const std::string& dir, const std::vector<GeneratedFile>& files) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return "cannot create output directory '" + dir + "': " + ec.message();
  for (const GeneratedFile& file : files) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, file.name);
    if (auto existing = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
        existing && (*existing)->getBuffer() == file.content)
      continue;
    llvm::SmallString<256> temp_model(path);
    temp_model += ".tmp-%%%%%%";
    int fd = -1;
    llvm::SmallString<256> temp;
    if (std::error_code ec = llvm::sys::fs::createUniqueFile(temp_model, fd, temp))
      return "cannot write '" + std::string(path) + "': " + ec.message();
    {
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << file.content;
      os.close();
      if (os.has_error()) {
        llvm::sys::fs::remove(temp);
        return "cannot write '" + std::string(temp) + "': " + os.error().message();
      }
    }
    if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
      llvm::sys::fs::remove(temp);
      return "cannot replace '" + std::string(path) + "': " + ec.message();
    }
  }
  return "";
}

}  // namespace convgen
