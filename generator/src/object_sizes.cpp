#include "convgen/object_sizes.h"

#include "emit_code.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace convgen {
namespace {

// Runs `program args...`, its standard output into `out`; "" or what failed.
std::string run(llvm::StringRef program, const std::vector<std::string>& args, std::string* out) {
  llvm::SmallString<128> out_path;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("convgen-report", "txt", out_path))
    return "cannot create a temporary file: " + ec.message();
  llvm::FileRemover remove_out(out_path);
  std::vector<llvm::StringRef> argv = {program};
  for (const std::string& a : args) argv.push_back(a);
  const llvm::Optional<llvm::StringRef> redirects[] = {llvm::None, llvm::StringRef(out_path),
                                                       llvm::None};
  std::string error;
  const int rc = llvm::sys::ExecuteAndWait(program, argv, llvm::None, redirects, 0, 0, &error);
  if (rc != 0) return (program + " failed (exit " + llvm::Twine(rc) + ") " + error).str();
  if (out) {
    auto text = llvm::MemoryBuffer::getFile(out_path);
    if (!text) return "cannot read the output of " + program.str();
    *out = (*text)->getBuffer().str();
  }
  return "";
}

}  // namespace

ObjectSizes measureObjectSizes(const ModelSpec& model, const GeneratedModel& generated,
                               const ObjectSizeRequest& request) {
  ObjectSizes result;
  auto cxx = llvm::sys::findProgramByName(request.compiler);
  if (!cxx) {
    result.error = "--report-compiler: cannot find '" + request.compiler + "'";
    result.usage_error = true;
    return result;
  }
  auto nm = llvm::sys::findProgramByName("llvm-nm-14");
  if (!nm) nm = llvm::sys::findProgramByName("llvm-nm");
  if (!nm) {
    result.error = "--report-compiler needs llvm-nm (Debian package llvm-14)";
    return result;
  }
  std::vector<std::string> c_prefixes;  // each layer's C entry point
  for (const LayerSpec& layer : model.layers)
    c_prefixes.push_back(detail::cName(model, layer));
  std::vector<std::int64_t> bytes(model.layers.size(), 0);
  for (const GeneratedFile& file : generated.files) {
    if (!llvm::StringRef(file.name).endswith(".cpp")) continue;
    llvm::SmallString<256> source(request.out_dir);
    llvm::sys::path::append(source, file.name);
    llvm::SmallString<128> object;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("convgen-report", "o", object)) {
      result.error = "cannot create a temporary file: " + ec.message();
      return result;
    }
    llvm::FileRemover remove_object(object);
    std::vector<std::string> args = {"-std=c++17",        "-O2", "-c",           std::string(source),
                                     "-o", std::string(object), "-I", request.out_dir};
    args.insert(args.end(), request.flags.begin(), request.flags.end());
    if (std::string error = run(*cxx, args, nullptr); !error.empty()) {
      result.error = error;
      return result;
    }
    std::string symbols;
    if (std::string error = run(
            *nm, {"--print-size", "--defined-only", "--demangle", std::string(object)}, &symbols);
        !error.empty()) {
      result.error = error;
      return result;
    }
    llvm::SmallVector<llvm::StringRef, 64> lines;
    llvm::StringRef(symbols).split(lines, '\n', -1, false);
    for (llvm::StringRef line : lines) {
      // llvm-nm's "<address> <size> <type> <name>"
      llvm::SmallVector<llvm::StringRef, 4> f;
      line.split(f, ' ', 3, false);
      std::uint64_t size = 0;
      if (f.size() < 4 || f[1].getAsInteger(16, size) || !llvm::StringRef("Tt").contains(f[2]))
        continue;
      for (std::size_t i = 0; i < model.layers.size(); ++i)
        if (f[3].startswith(model.cpp_namespace + "::" + model.layers[i].name + "::") ||
            f[3] == c_prefixes[i])
          bytes[i] += static_cast<std::int64_t>(size);
    }
  }
  result.layer_bytes = std::move(bytes);
  return result;
}

}  // namespace convgen
