// Reading a config: YAML text -> RawConfig (every value with its source
// location) -> validated ModelSpec. The one entry point most callers need is
// loadConfig(); parseConfig()/validateConfig() are the two stages, exposed
// for tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convgen/diagnostics.h"
#include "convgen/spec.h"
#include "convgen/validate.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace convgen {

// Limits that keep every shape, element count and index far from 64-bit
// overflow, and the parser away from pathological inputs.
//
// Every value, and every padded input height and width, is at most
// kMaxDimension; every tensor (input, output, weight) has at most
// kMaxTensorElements elements. So a layer's MACs are below 2^62.
inline constexpr std::int64_t kMaxDimension = (std::int64_t{1} << 31) - 1;
inline constexpr std::int64_t kMaxTensorElements = std::int64_t{1} << 31;
inline constexpr std::size_t kMaxConfigBytes = 16u << 20;
// Collections (mappings and lists) nested in one another, the top-level
// mapping being level 1.
inline constexpr int kMaxNesting = 64;
// LLVM's YAML parser recurses once per ',' in a run of flow entries with no
// value between them ("[,,,]"), and once per "..." document-end marker in a
// row; config_reader.cpp bounds both up front.
inline constexpr std::size_t kMaxCommaRun = 256;
inline constexpr std::size_t kMaxDocumentEndMarkers = 256;
inline constexpr std::size_t kMaxIdentifierLength = 64;
// Layers in one config: far beyond any network, and it bounds what reading a
// hostile config holds (one RawLayer, ~0.5 KB, per layer).
inline constexpr std::size_t kMaxLayers = 100000;

// A config value as written, before validation. `present` is false when the
// key was absent; `ok` is false when it was present but ill-typed (already
// diagnosed, so later rules skip it).
template <typename T>
struct Located {
  T value{};
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;
  bool usable() const { return present && ok; }
};

// An `int` or `[int, ...]` argument (kernel_size, stride, dilation, input_shape).
struct RawInts {
  std::vector<std::int64_t> values;
  bool is_list = false;
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;
  bool usable() const { return present && ok; }
};

// `padding`: an int, a list of ints, a string, or a mapping of the four
// sides (convgen's extension: {top, bottom, left, right}).
struct RawPadding {
  RawInts ints;
  bool is_string = false;
  std::string word;
  bool is_sides = false;
  Located<std::int64_t> top, bottom, left, right;
};

// A list of numbers (batch_norm's inline values).
struct RawFloats {
  std::vector<double> values;
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;
  bool usable() const { return present && ok; }
};

// `batch_norm:` as written: a `prefix` of tensors in the weights file, or
// inline values (validate_weights.cpp decides which rules apply).
struct RawBatchNorm {
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;  // a mapping (its entries have their own flags)
  Located<std::string> prefix;
  Located<double> eps;
  RawFloats weight, bias, running_mean, running_var;
};

// A real number (`negative_slope`, `min`, `max`): a plain decimal scalar,
// finite; `integral` when written as an integer (no '.', no exponent).
struct RawNumber {
  double value = 0;
  bool integral = false;
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;
  bool usable() const { return present && ok; }
};

// `activation:`: a word (`relu`), or a mapping with `type:` and the
// activation's parameters (`{type: leaky_relu, negative_slope: 0.2}`).
struct RawActivation {
  llvm::SMLoc loc;
  bool present = false;
  bool ok = false;  // read without a problem (each one already diagnosed)
  Located<std::string> type;
  RawNumber negative_slope, min, max;
  bool usable() const { return present && ok; }
};

// `backward:`'s values: false, true (the gradient kernels next to the
// forward), only (the gradient kernels without any forward code).
enum class BackwardMode { Off, On, Only };

struct RawLayer {
  llvm::SMLoc loc;  // the layer's mapping (for missing keys)
  Located<std::string> name;
  RawInts input_shape;
  Located<std::int64_t> in_channels, out_channels, groups;
  RawInts kernel_size, stride, dilation;
  RawInts output_padding;  // conv_transpose2d
  RawPadding padding;
  Located<bool> bias;
  Located<std::string> padding_mode, dtype, isa;
  Located<std::string> weights_prefix;
  RawBatchNorm batch_norm;
  // The non-conv ops (pool_spec.h). `op` is the parsed `op:` (conv2d when
  // absent); op_ok is false when `op:` was given but unusable.
  Located<std::string> op_word;
  Op op = Op::Conv2d;
  bool op_ok = true;
  Located<bool> ceil_mode, return_indices, count_include_pad;
  Located<std::int64_t> divisor_override, in_features, out_features;
  RawInts output_size;
  RawActivation activation;
  Located<std::string> residual;
  Located<std::string> input;  // `input:`, a network's connection (validate_network.cpp)
  Located<BackwardMode> backward;  // unset: RawConfig::backward
};

struct RawConfig {
  std::string config_name;
  llvm::SMLoc loc;
  Located<std::string> cpp_namespace, isa;
  Located<std::string> weights;  // the safetensors file, relative to the config
  Located<BackwardMode> backward;  // every layer's default `backward`
  Located<bool> network;   // `network: false`: baked layers without a network (validate.cpp)
  std::vector<RawLayer> layers;
  bool layers_present = false;
};

// Stage 1: YAML structure and value types (unknown, missing and duplicate
// keys, as config_keys.h lists them; tags; nulls; empty flow entries;
// non-decimal integers; too-large values). Returns nullopt only when the file
// cannot be walked at all; otherwise diagnoses and returns what it could read.
std::optional<RawConfig> parseConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags);

// Stage 2: PyTorch's rules and the generator's own. Returns the model only
// when there is no error at all (in `diags`, from either stage).
std::optional<ModelSpec> validateConfig(const RawConfig& raw, Diagnostics& diags);

// Both stages over a buffer already in `sm`.
std::optional<ModelSpec> loadConfig(llvm::SourceMgr& sm, unsigned buffer_id, Diagnostics& diags);

// Reads `path` into `sm`: only a regular file (never a FIFO, a device or a
// directory, which are refused without reading or blocking) of at most
// kMaxConfigBytes. Returns the buffer's id, or nullopt with *error saying why
// (an I/O failure, not a config error).
std::optional<unsigned> readConfigFile(llvm::StringRef path, llvm::SourceMgr& sm,
                                       std::string* error);

// The same discipline for any file: only a regular file of at most
// `max_bytes` (`what` names it in the too-large message, e.g. "config
// file"). Returns false with *error saying why.
bool readRegularFile(llvm::StringRef path, std::uint64_t max_bytes, llvm::StringRef what,
                     std::string* text, std::string* error);

// readConfigFile() and loadConfig(). A file that cannot be read is reported
// as `error: cannot read config 'path': ...`, without a location.
std::optional<ModelSpec> loadConfigFile(llvm::StringRef path, llvm::SourceMgr& sm,
                                        Diagnostics& diags);

}  // namespace convgen
