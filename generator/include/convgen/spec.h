// The validated description of a model: what every later stage (shape
// inference, planning, emission) consumes. A LayerSpec only exists for a
// layer PyTorch would accept and convgen can generate; see validate.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convgen/isa.h"
#include "convgen/pool_spec.h"

namespace convgen {

enum class PaddingMode { Zeros, Reflect, Replicate, Circular };
enum class DType : int { Float32, Float64, Int32, Int64 };
// How the user wrote `padding`; the numbers are always in LayerSpec::pad.
enum class PaddingKind { Explicit, Same, Valid };
// The activation of a layer's fused epilogue (docs/semantics.md section 14).
enum class Activation { None, Relu, Relu6, LeakyRelu, Clamp, Hardswish };

// What a layer does to its conv2d + bias before the store (the fused
// epilogue): output = activation(conv2d(x, w) + bias + residual).
struct Epilogue {
  Activation activation = Activation::None;
  double negative_slope = 0.01;  // leaky_relu (nn.LeakyReLU's default)
  // clamp's bounds (torch.clamp: either may be absent, not both); relu6 is
  // clamp(0, 6). For an integer layer they are integers.
  bool has_min = false, has_max = false;
  double min = 0, max = 0;
  std::string residual;  // the earlier layer whose output is added; "" for none
  bool hasResidual() const { return !residual.empty(); }
  bool any() const { return activation != Activation::None || hasResidual(); }
};

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

// A layer's trained weights, baked into the generated code (`weights:`):
// PyTorch's layout, BatchNorm already folded in (validate_weights.cpp).
struct BakedTensors {
  std::vector<float> weight;  // (out, in/groups, kh, kw)
  std::vector<float> bias;    // (out), or empty without a bias
  std::string origin;         // which tensors, for the generated comment
  // With `batch_norm:`, what the user gave before folding, for the
  // layer-by-layer reference (reference_network.h), which applies
  // BatchNorm unfused: the conv's own tensors, and BatchNorm2d's.
  // Without it (nullopt), `weight` and `bias` are the file's own.
  struct Unfolded {
    std::vector<float> weight, bias;  // bias empty: the conv has none
    std::vector<double> bn_weight, bn_bias, running_mean, running_var;
    double eps = 1e-5;
  };
  std::optional<Unfolded> unfolded;
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
  std::shared_ptr<const BakedTensors> baked;  // set exactly when the config has `weights:`
  // The config's `op`: conv2d, or linear lowered to this conv (kernel = the
  // input's H x W, no padding; the header then gives output_shape [N, out]).
  Op source_op = Op::Conv2d;
  bool flat_input = false;  // linear: input_shape was [N, in_features]
  // conv_transpose2d (source_op ConvTranspose2d): the fields above are
  // nn.ConvTranspose2d's own (in_channels, out_channels, symmetric `pad`,
  // input H x W), weight (in, out/groups, kh, kw); see conv_transpose.h.
  Hw output_padding{0, 0};
  Epilogue epilogue;  // `activation:`, `residual:`
  bool backward = false;  // also emit the gradient kernels (issue 13)
  // `backward: only`: the gradient kernels alone (backward is true), without
  // forward, forward_packed or the partitions; never with an epilogue, baked
  // weights or conv_transpose2d (validate.cpp).
  bool backward_only = false;
};

struct ModelSpec {
  std::string config_name;    // the config file's name, no directories
  std::string cpp_namespace;  // "a" or "a::b"
  std::vector<LayerSpec> layers;
  // With `weights:`: the file's name (no directories) and its SHA-256.
  std::string weights_file, weights_sha256;
  std::vector<PoolSpec> pools;  // the pooling layers
  // Every layer in config order. Empty means `layers` in order (a model
  // built without pools, as tests do).
  std::vector<NodeRef> order;
  // A network's connections (`weights:` configs), parallel to `order`: the
  // name of the layer each reads, "" for the network input. Empty otherwise
  // (no `weights:`, or `network: false`).
  std::vector<std::string> inputs;
};
// ModelSpec::order, or every conv layer in order when it is empty.
std::vector<NodeRef> modelOrder(const ModelSpec& model);

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
// `activation:` words and what each takes. PyTorch's CPU kernels for
// leaky_relu and hardswish exist for floating types only; relu, relu6
// (hardtanh) and clamp also run on integer tensors.
struct ActivationName {
  Activation activation;
  std::string_view name;          // configs' `activation:` (or its `type:`)
  bool negative_slope;            // takes `negative_slope`
  bool bounds;                    // takes `min` and `max`
  bool integer_ok;                // PyTorch runs it on int32/int64 tensors
  std::string_view torch_kernel;  // PyTorch's kernel name in its dtype error, or ""
};
const std::vector<PaddingModeName>& paddingModeTable();
const std::vector<ActivationName>& activationTable();
std::optional<Activation> parseActivation(std::string_view word);
std::string activationList(std::string_view quote = "");
std::string_view toString(Activation a);
const ActivationName& activationInfo(Activation a);
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
