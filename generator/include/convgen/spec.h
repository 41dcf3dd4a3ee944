// The validated description of a model: what every later stage (shape
// inference, planning, emission) consumes. A LayerSpec only exists for a
// layer PyTorch would accept and convgen can generate; see validate.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convgen/isa.h"

namespace convgen {

enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
enum class DType { Float32, Float64, Int32, Int64 };
// How the user wrote `padding`; the numbers are always in LayerSpec::pad.
enum class PaddingKind { Explicit, Same, Valid };

struct Hw {
  std::int64_t h = 0, w = 0;
  friend bool operator==(const Hw& a, const Hw& b) { return a.h == b.h && a.w == b.w; }
};

// Per-side padding, already resolved ('same' puts an odd extra at the end).
struct Padding4 {
  std::int64_t top = 0, bottom = 0, left = 0, right = 0;
  friend bool operator==(const Padding4& a, const Padding4& b) {
    return a.top == b.top && a.bottom == b.bottom && a.left == b.left && a.right == b.right;
  }
};

struct LayerSpec {
  std::string name;        // a C++ identifier, unique within the model
  bool batched = true;     // false: input_shape was [C, H, W]
  std::int64_t batch = 1;  // N (1 when unbatched)
  std::int64_t in_channels = 0;
  std::int64_t in_height = 0, in_width = 0;
  std::int64_t out_channels = 0;
  Hw kernel{1, 1}, stride{1, 1}, dilation{1, 1};
  PaddingKind padding_kind = PaddingKind::Explicit;
  Padding4 pad;
  std::int64_t groups = 1;
  bool bias = true;
  PaddingMode padding_mode = PaddingMode::Zeros;
  DType dtype = DType::Float32;
  Isa isa = Isa::Scalar;
  bool backward = false;  // also emit the gradient kernels (issue 13)
};

struct ModelSpec {
  std::string config_name;    // the config file's name, no directories
  std::string cpp_namespace;  // "a" or "a::b"
  std::vector<LayerSpec> layers;
};

// The spellings of each enumeration, one table each: the config reader, the
// validator (its messages list them), toString() and the README's key table
// all read these. A row's order is the order messages list the words in.
struct PaddingModeName {
  PaddingMode mode;
  std::string_view name;  // configs' `padding_mode:`
};
struct DTypeName {
  DType dtype;
  std::string_view name;        // configs' `dtype:`
  std::string_view cpp_type;    // the C++ type in generated code
  std::string_view torch_name;  // PyTorch's scalar type name in its messages
};
struct PaddingWord {
  PaddingKind kind;
  std::string_view name;  // "valid", "same"; "explicit" for numbers
  bool in_config;         // a word a config may give as `padding:`
};
const std::vector<PaddingModeName>& paddingModeTable();
const std::vector<DTypeName>& dtypeTable();
const std::vector<PaddingWord>& paddingWordTable();

// A config word, or nullopt when the table lacks it (exact spelling).
std::optional<PaddingMode> parsePaddingMode(std::string_view word);
std::optional<DType> parseDType(std::string_view word);
// Only the words a config may give ("valid", "same").
std::optional<PaddingKind> parsePaddingWord(std::string_view word);
// "zeros, reflect, ..." with each word in `quote`, in table order.
std::string paddingModeList(std::string_view quote = "");
std::string dtypeList(std::string_view quote = "");
std::string paddingWordList(std::string_view quote = "");

// Spellings used in configs, diagnostics and generated banners.
std::string_view toString(PaddingMode m);
std::string_view toString(DType t);
std::string_view toString(PaddingKind k);
// The C++ type a dtype maps to in generated code ("float", "std::int32_t", ...).
std::string_view cppType(DType t);
// PyTorch's scalar type name in its error messages ('Float', 'Long', ...).
std::string_view torchTypeName(DType t);

}  // namespace convgen
