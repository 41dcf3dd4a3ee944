// safetensors (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length, a JSON header (keys sorted, padded with
// spaces so the data starts 8-byte aligned), then every tensor's float32
// little-endian bytes, contiguous, in key order. Deterministic.
#include <cstring>

#include "convgen/internal_error.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include "network.h"

namespace convgen::import {

std::string writeSafetensors(const std::map<std::string, Tensor>& tensors) {
  llvm::json::Object header;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    std::uint64_t n = 1;
    llvm::json::Array shape;
    for (std::int64_t d : t.shape) {
      n *= static_cast<std::uint64_t>(d);
      shape.push_back(d);
    }
    CONVGEN_CHECK(n == t.data.size(), "a tensor whose data does not match its shape");
    const std::uint64_t end = offset + 4 * n;
    header[name] = llvm::json::Object{{"dtype", "F32"},
                                      {"shape", std::move(shape)},
                                      {"data_offsets", llvm::json::Array{offset, end}}};
    offset = end;
  }
  std::string json;
  llvm::raw_string_ostream os(json);
  os << llvm::json::Value(std::move(header));  // llvm::json prints object keys sorted
  os.flush();
  while ((8 + json.size()) % 8 != 0) json += ' ';
  std::string out(8, '\0');
  llvm::support::endian::write64le(&out[0], json.size());
  out += json;
  out.reserve(out.size() + offset);
  for (const auto& entry : tensors)
    for (float f : entry.second.data) {
      char bytes[4];
      std::uint32_t bits;
      std::memcpy(&bits, &f, 4);
      llvm::support::endian::write32le(bytes, bits);
      out.append(bytes, 4);
    }
  return out;
}

}  // namespace convgen::import
