// Reading a safetensors file (https://github.com/huggingface/safetensors):
// 8 bytes little-endian unsigned N, then N bytes of JSON header, then the raw
// tensor data. The header is one object: each key a tensor name whose value
// is {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]} (offsets
// relative to the data, end exclusive), and an optional "__metadata__"
// object of string values.
//
// The file is untrusted: every length, offset and shape is checked before
// use, and a problem is an error message naming the file and the tensor,
// never an out-of-bounds read. The rules are the format's own reference
// implementation's (the Rust crate's `SafeTensors::deserialize`): the header
// at most 100,000,000 bytes, tensors' data exactly tiling the data section
// in offset order (no overlap, no gap, nothing after the last), each
// tensor's byte size its shape's element count times its dtype's size;
// plus duplicate keys (JSON parsers keep one silently; this reader rejects
// them) and bounds that keep memory and arithmetic small (kMaxWeightsBytes,
// kMaxTensorRank, the header's nesting and number of values).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace convgen {

// The largest weights file read (1 GiB): far beyond a microcontroller's
// flash, and what reading one holds in memory.
inline constexpr std::uint64_t kMaxWeightsBytes = std::uint64_t{1} << 30;
// The format's own limit on the header's length.
inline constexpr std::uint64_t kMaxSafetensorsHeader = 100000000;
inline constexpr std::size_t kMaxTensorRank = 8;

// The dtypes of the format, with their sizes in bytes.
struct SafeDTypeInfo {
  std::string_view name;  // "F32", ...
  unsigned bytes;
};
const std::vector<SafeDTypeInfo>& safetensorsDTypeTable();

struct SafeTensor {
  std::string name;
  std::string dtype;  // a name of safetensorsDTypeTable()
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0, end = 0;  // bytes within the data section
  std::int64_t elements() const;
};

struct SafeTensorsFile {
  std::string display_name;  // as messages name the file
  std::string bytes;         // the whole file
  std::uint64_t data_start = 0;
  std::vector<SafeTensor> tensors;  // sorted by name
  std::string sha256;               // of the whole file, lowercase hex

  const SafeTensor* find(llvm::StringRef name) const;
  // The tensor's bytes (validated to lie inside the file).
  llvm::StringRef data(const SafeTensor& t) const;
  // The values of an F32 tensor, decoded little-endian.
  std::vector<float> floats(const SafeTensor& t) const;
};

// Parses a whole file held in `bytes`. On a problem returns nullopt and
// appends to *errors messages of the form "weights file 'NAME': ...".
std::optional<SafeTensorsFile> parseSafetensors(std::string bytes, std::string display_name,
                                                std::vector<std::string>* errors);

// Reads `path` like readConfigFile: only a regular file (FIFOs, devices and
// directories refused without reading or blocking), at most
// kMaxWeightsBytes. An I/O problem is one message in *errors.
std::optional<SafeTensorsFile> readSafetensorsFile(llvm::StringRef path,
                                                   std::string display_name,
                                                   std::vector<std::string>* errors);

}  // namespace convgen
