// `convgen golden`'s files (golden.h): the network input read and checked,
// the reference network's data encoded, and the check program rendered
// from templates/golden_main.cpp.in.
#include "convgen/golden.h"

#include <cmath>
#include <cstring>

#include "convgen/internal_error.h"
#include "convgen/shapes.h"
#include "convgen/templates.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/FileSystem.h"

namespace convgen {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void putU64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void putF64(std::string& out, double d) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &d, 8);
  putU64(out, bits);
}
void putF32(std::string& out, float f) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &f, 4);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

std::string goldenData(const NetworkReference& reference) {
  const std::vector<float>& input = reference.input;
  std::string out(kGoldenMagic, 8);
  putU64(out, input.size());
  for (float f : input) putF32(out, f);
  putU64(out, reference.layers.size());
  for (const LayerReference& l : reference.layers) {
    putU64(out, l.name.size());
    out += l.name;
    putU64(out, l.output.size());
    putU64(out, static_cast<std::uint64_t>(l.depth));
    for (const std::vector<double>* v : {&l.output, &l.bound_isolated, &l.bound_chained})
      for (double d : *v) putF64(out, d);
  }
  return out;
}

}  // namespace

std::string checkInputValues(const std::string& what, const std::vector<float>& values,
                             const std::vector<std::int64_t>& shape) {
  const std::int64_t n = elementCount(shape);
  if (static_cast<std::int64_t>(values.size()) != n)
    return what + " holds " + std::to_string(values.size()) + " values, but the network input " +
           shapeText(shape) + " has " + std::to_string(n);
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      return what + " holds a non-finite value (" + (std::isnan(values[i]) ? "nan" : "inf") +
             ") at flat index " + std::to_string(i) + ": a golden input must be finite";
  return "";
}

std::optional<std::vector<float>> readRawInput(const std::string& path,
                                               const std::vector<std::int64_t>& shape,
                                               std::string* error) {
  const std::int64_t n = elementCount(shape);
  // Only a regular file of exactly the size expected is read at all.
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status)) {
    *error = "input '" + path + "': " + ec.message();
    return std::nullopt;
  }
  if (status.type() != llvm::sys::fs::file_type::regular_file) {
    *error = "input '" + path + "' is not a regular file";
    return std::nullopt;
  }
  const std::uint64_t want = static_cast<std::uint64_t>(n) * 4;
  if (status.getSize() != want) {
    *error = "input '" + path + "' has " + std::to_string(status.getSize()) +
             " bytes, but the network input " + shapeText(shape) + " is " + std::to_string(n) +
             " float32 values (" + std::to_string(want) +
             " bytes, raw little-endian)" +
             (status.getSize() % 4 != 0 ? "; the size is not even a multiple of 4" : "");
    return std::nullopt;
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) {
    *error = "input '" + path + "': " + buf.getError().message();
    return std::nullopt;
  }
  const llvm::StringRef bytes = (*buf)->getBuffer();
  if (bytes.size() != want) {  // changed since stat
    *error = "input '" + path + "' changed size while being read";
    return std::nullopt;
  }
  std::vector<float> values(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t bits = 0;
    for (int b = 3; b >= 0; --b)
      bits = (bits << 8) | static_cast<unsigned char>(bytes[4 * i + static_cast<std::size_t>(b)]);
    std::memcpy(&values[i], &bits, 4);
  }
  if (std::string e = checkInputValues("input '" + path + "'", values, shape); !e.empty()) {
    *error = e;
    return std::nullopt;
  }
  return values;
}

std::vector<GeneratedFile> goldenFiles(const ModelSpec& model, const NetworkReference& reference) {
  const std::string stem = configStem(model.config_name);
  CONVGEN_CHECK(!stem.empty(), "golden files need a config name that can name files");
  std::string steps;
  for (const LayerReference& l : reference.layers) {
    const std::string f = "&net::" + l.name + "::forward";
    steps += "    {\"" + l.name + "\", " + std::to_string(l.input) + ", " +
             std::to_string(l.residual) + ", elements(net::" + l.name + "::output_shape), " +
             (l.residual < 0 ? f + ", nullptr" : "nullptr, " + f) + "},\n";
  }
  if (!steps.empty()) steps.pop_back();
  const std::string data = stem + "_golden.bin";
  std::string program = renderTemplate("golden_main", {{"config", model.config_name},
                                                       {"header", stem + ".h"},
                                                       {"namespace", model.cpp_namespace},
                                                       {"stem", stem},
                                                       {"steps", steps},
                                                       {"data", data}});
  return {{stem + "_golden.cpp", std::move(program)}, {data, goldenData(reference)}};
}

}  // namespace convgen
