// An ONNX TensorProto file (`.pb`, as ONNX's test data's
// test_data_set_*/input_0.pb) as the network input of `convgen import
// --golden`: parsed by ONNX's own protobuf classes, its values read by the
// importer's floatTensor (dtype, counts, NaN checked), its dims required to
// be the network input's shape.
#include "convgen/import.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "onnx_context.h"

namespace convgen {

std::optional<std::vector<float>> readOnnxTensorFile(const std::string& path,
                                                     const std::vector<std::int64_t>& shape,
                                                     std::string* error) {
  // A tensor of the network input is small; anything near protobuf's 2 GiB
  // limit is not one.
  constexpr std::uint64_t kMaxTensorFileBytes = std::uint64_t{1} << 30;
  const std::string what = "input '" + path + "'";
  if (!llvm::sys::fs::is_regular_file(path)) {
    *error = what + " is not a regular file (or is missing)";
    return std::nullopt;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) {
    *error = what + ": " + buf.getError().message();
    return std::nullopt;
  }
  if ((*buf)->getBufferSize() > kMaxTensorFileBytes) {
    *error = what + " is over " + std::to_string(kMaxTensorFileBytes) + " bytes";
    return std::nullopt;
  }
  onnx::TensorProto t;
  if (!t.ParseFromArray((*buf)->getBufferStart(), static_cast<int>((*buf)->getBufferSize()))) {
    *error = what + " is not an ONNX TensorProto: protobuf parsing failed (truncated or corrupt?)";
    return std::nullopt;
  }
  std::vector<std::int64_t> dims(t.dims().begin(), t.dims().end());
  if (dims != shape) {
    std::string have = "[", want = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) have += (i ? ", " : "") + std::to_string(dims[i]);
    for (std::size_t i = 0; i < shape.size(); ++i) want += (i ? ", " : "") + std::to_string(shape[i]);
    *error = what + " has dims " + have + "], but the network input is " + want + "]";
    return std::nullopt;
  }
  import::Model m;  // external data, if any, lies next to the tensor file
  m.path = path;
  m.dir = llvm::sys::path::parent_path(path).str();
  if (m.dir.empty()) m.dir = ".";
  try {
    return import::floatTensor(m, t, what).data;
  } catch (const import::ImportError& e) {
    *error = e.message;
    return std::nullopt;
  }
}

}  // namespace convgen
