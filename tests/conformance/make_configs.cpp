// Writes conformance configs: the edge-case matrix, or seeded random layers.
//   make_configs matrix OUT.yaml [BAKED.yaml|- [GRADIENTS.yaml]]
//   make_configs matrix_float32 OUT.yaml [EVERY]   (every EVERY-th float32 layer, unbaked)
//   make_configs random SEED COUNT OUT.yaml
// With BAKED.yaml, the matrix's float32 layers (the only dtype convgen bakes)
// go there instead, with `weights: matrix_baked.safetensors` (written next
// to it: baked_values.h's values) and `network: false`, so the same layers are
// tested with the weights given at run time and baked in; `-` keeps them in
// OUT.yaml. GRADIENTS.yaml (namespace matrix_gradients) holds, with `backward: only`,
// the epilogue-free twin of every matrix layer that has no gradients of its
// own (convgen refuses gradients with an epilogue): the same conv under the
// same name, activation and residual removed. With the matrix's layers
// that have `backward: true`, every matrix layer's conv gets its gradients
// tested exactly once (conformance.cmake's GRADIENTS_CONFIG checks that).
// Candidates PyTorch would reject are dropped by running each through
// convgen's own validation (whose rules the errors suite pins down), so the
// output holds only valid layers. Output is deterministic. The matrix's
// layers take the fused activations round-robin (each one meets every
// padding, group structure and dtype it is valid for, on every ISA the
// matrix is generated for), and every third layer whose output shape and
// dtype an earlier layer shares adds that layer's output as its residual.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "baked_values.h"
#include "convgen/config.h"
#include "convgen/shapes.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace {

struct Candidate {
  std::vector<int> input;  // [N, C, H, W] or [C, H, W]
  int in_channels = 1, out_channels = 1;
  std::string kernel = "3", stride = "1", padding = "0", dilation = "1";
  int groups = 1;
  bool bias = true;
  std::string mode = "zeros", dtype = "float32";
  std::string activation;  // YAML text of `activation:`, "" for none
  std::string residual;    // a layer name, "" for none
  bool backward = false;  // also test the gradient kernels (issue 13)
  bool backward_only = false;  // `backward: only`: the gradients without the forward
};

std::string yamlLayer(const Candidate& c, const std::string& name) {
  std::ostringstream s;
  s << "  - name: " << name << "\n    input_shape: [";
  for (std::size_t i = 0; i < c.input.size(); ++i) s << (i ? ", " : "") << c.input[i];
  s << "]\n    in_channels: " << c.in_channels << "\n    out_channels: " << c.out_channels
    << "\n    kernel_size: " << c.kernel << "\n    stride: " << c.stride
    << "\n    padding: " << c.padding << "\n    dilation: " << c.dilation
    << "\n    groups: " << c.groups << "\n    bias: " << (c.bias ? "true" : "false")
    << "\n    padding_mode: " << c.mode << "\n    dtype: " << c.dtype << "\n";
  if (!c.activation.empty()) s << "    activation: " << c.activation << "\n";
  if (!c.residual.empty()) s << "    residual: " << c.residual << "\n";
  if (c.backward_only)
    s << "    backward: only\n";
  else if (c.backward)
    s << "    backward: true\n";
  return s.str();
}

// The i-th activation of the round-robin, one PyTorch runs on `dtype`
// (integer layers: no leaky_relu or hardswish, integer clamp bounds).
// Slopes and bounds include values that are not exact in binary and a
// clamp whose min exceeds its max (torch.clamp: every element is max).
std::string activationFor(std::size_t i, const std::string& dtype) {
  static const char* const kFloat[] = {"none",
                                       "relu",
                                       "relu6",
                                       "{type: leaky_relu, negative_slope: 0.125}",
                                       "{type: clamp, min: -2.5, max: 3.1}",
                                       "hardswish",
                                       "{type: leaky_relu}",
                                       "{type: clamp, max: 1.5}",
                                       "{type: clamp, min: 2, max: -1}"};
  static const char* const kInt[] = {"none",
                                     "relu",
                                     "relu6",
                                     "{type: clamp, min: -3, max: 5}",
                                     "{type: clamp, min: -1}",
                                     "{type: clamp, min: 4, max: -2}"};
  const bool integer = dtype == "int32" || dtype == "int64";
  return integer ? kInt[i % (sizeof kInt / sizeof *kInt)]
                 : kFloat[i % (sizeof kFloat / sizeof *kFloat)];
}

// The output shape of a valid candidate.
std::vector<std::int64_t> outputShape(const Candidate& c) {
  const std::string text = "namespace: probe\nlayers:\n" + yamlLayer(c, "probe");
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "probe.yaml"), {});
  const std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
  return model ? convgen::inferShapes(model->layers[0]).output : std::vector<std::int64_t>{};
}

std::string layerName(std::size_t i) {
  char name[16];
  std::snprintf(name, sizeof name, "l%04zu", i);
  return name;
}

// Activations round-robin, and residuals from earlier layers of the same
// output shape and dtype (every third layer that has one).
void addEpilogues(std::vector<Candidate>& layers) {
  std::vector<std::vector<std::int64_t>> shapes;
  std::size_t candidates = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Candidate& c = layers[i];
    shapes.push_back(outputShape(c));
    // Gradient kernels are the convolution's own: convgen refuses them
    // with an epilogue (validate_epilogue.cpp).
    if (c.backward) continue;
    const std::string activation = activationFor(i, c.dtype);
    if (activation != "none") c.activation = activation;
    for (std::size_t j = i; j-- > 0;)
      if (shapes[j] == shapes[i] && layers[j].dtype == c.dtype) {
        if (candidates++ % 3 == 0) c.residual = layerName(j);
        break;
      }
    // The round-robin's "none" without a residual: nothing stops its
    // gradients being tested too, and they cost little compile time.
    if (c.activation.empty() && c.residual.empty()) c.backward = true;
  }
}

bool isValid(const Candidate& c) {
  const std::string text = "namespace: probe\nlayers:\n" + yamlLayer(c, "probe");
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "probe.yaml"), {});
  return convgen::loadConfig(sm, id, diags).has_value();
}

std::string pair(int h, int w) {
  return h == w ? std::to_string(h) : "[" + std::to_string(h) + ", " + std::to_string(w) + "]";
}

// Every padding mode x padding form x odd/even kernel x dilation x group
// structure, with dtype, bias, batch form and stride cycling through the
// cases; then hand-picked extremes.
std::vector<Candidate> matrix() {
  std::vector<Candidate> out;
  const int H = 7, W = 9;  // odd, unequal sizes catch swapped axes
  const char* modes[] = {"zeros", "reflect", "replicate", "circular"};
  const char* dtypes[] = {"float32", "float64", "int32", "int64"};
  struct Groups {
    int c, o, g;
  };
  const Groups groups[] = {{3, 6, 1}, {4, 6, 2}, {4, 4, 4}, {2, 6, 2}};  // 1, 2, dw, dw x3
  const std::pair<int, int> kernels[] = {{3, 3}, {2, 4}};
  const std::pair<int, int> dilations[] = {{1, 1}, {2, 1}};
  int i = 0;
  for (const char* mode : modes) {
    const std::string m = mode;
    // The largest pad each mode accepts on a 7x9 input.
    const std::string largest = m == "reflect"    ? pair(H - 1, W - 1)
                                : m == "circular" ? pair(H, W)
                                                  : pair(5, 6);
    const std::string paddings[] = {"same", "valid", "1", "[2, 1]", largest};
    for (const std::string& padding : paddings)
      for (auto [kh, kw] : kernels)
        for (auto [dh, dw] : dilations)
          for (const Groups& g : groups) {
            Candidate c;
            c.mode = m;
            c.padding = padding;
            c.kernel = pair(kh, kw);
            c.dilation = pair(dh, dw);
            c.in_channels = g.c;
            c.out_channels = g.o;
            c.groups = g.g;
            c.bias = i % 2 == 0;
            // Strides: 1, larger than the kernel, and unequal.
            const std::string strides[] = {"1", "[4, 5]", "[1, 2]"};
            c.stride = padding == "same" ? "1" : strides[i % 3];
            const int batch_form = i % 3;  // N=1, N=2, unbatched
            const auto shape = [&](int form) {
              return form == 2 ? std::vector<int>{g.c, H, W}
                               : std::vector<int>{form == 1 ? 2 : 1, g.c, H, W};
            };
            // Fall back to other dtypes / batch forms for combinations
            // PyTorch rejects (int64 + reflect, circular + unbatched, ...).
            bool kept = false;
            for (int d = 0; d < 4 && !kept; ++d)
              for (int f = 0; f < 3 && !kept; ++f) {
                c.dtype = dtypes[(i + d) % 4];
                c.input = shape((batch_form + f) % 3);
                if (isValid(c)) out.push_back(c), kept = true;
              }
            ++i;
          }
  }
  // Gradient kernels on every kBackwardEvery-th layer of the grid: 7 is
  // prime to the inner loops' 2 and 4 and to the 3 and 4 of the stride,
  // batch and dtype cycles, so the sample still meets every padding mode,
  // padding form, kernel, dilation, group structure, stride, batch form and
  // dtype; every other extreme below gets them too (their compile time is
  // most of the suite's cost). addEpilogues()
  // adds every layer the round-robin leaves without an epilogue: 94 of the
  // 351. The other 257 (convgen refuses backward with an epilogue) get their
  // conv's gradients through matrixGradients(): epilogue-free twins with
  // `backward: only`, without the twins' forward code, which had doubled
  // the compile time (g++ 12 -O2, 4 shards, user CPU on a loaded 2-core VM;
  // the twins' forward code alone / with their gradients: scalar 70 / 131 s,
  // AVX2 69 / 135 s, AVX-512 69 / 145 s), and compiled at -O0
  // (conformance.cmake: the gradients alone at -O0 cost scalar ~10 s, AVX2
  // 18, AVX-512 20, NEON 17, against 38 s for scalar at -O1).
  constexpr std::size_t kBackwardEvery = 7;
  for (std::size_t k = 0; k < out.size(); k += kBackwardEvery) out[k].backward = true;
  // Extremes.
  int extreme = 0;
  auto add = [&](Candidate c) {
    c.backward = extreme++ % 2 == 0;  // every other one
    if (isValid(c)) out.push_back(c);
  };
  Candidate c;
  c.input = {1, 2, 5, 6};
  c.in_channels = 2;
  c.out_channels = 3;
  c.kernel = "[5, 6]";
  add(c);  // kernel = input: 1x1 output
  c.padding = "same";
  add(c);  // same, kernel = input
  c.kernel = "[9, 11]";
  add(c);  // same, kernel > input (zeros)
  c.kernel = "[5, 6]";
  c.padding = "[4, 5]";
  c.mode = "reflect";
  add(c);  // largest reflect pad
  c.mode = "circular";
  c.padding = "[5, 6]";
  add(c);  // largest circular pad
  c = Candidate{};
  c.input = {1, 3, 6, 6};
  c.in_channels = 3;
  c.out_channels = 5;
  c.kernel = "1";
  add(c);  // 1x1
  c.stride = "7";
  add(c);  // stride > input: 1x1 output
  c.kernel = "2";
  c.stride = "[3, 4]";
  c.padding = "1";
  add(c);  // stride > kernel, padded
  c = Candidate{};
  c.input = {3, 8, 11, 13};
  c.in_channels = 8;
  c.out_channels = 8;
  c.groups = 8;
  c.kernel = "[3, 5]";
  c.padding = "same";
  c.mode = "replicate";
  add(c);  // dw, batch 3
  c = Candidate{};
  c.input = {1, 1, 1, 1};
  c.kernel = "1";
  add(c);  // one element
  c = Candidate{};
  c.input = {1, 1, 1, 9};
  c.kernel = "[1, 3]";
  c.mode = "reflect";
  c.padding = "[0, 2]";
  add(c);  // a single row
  c = Candidate{};
  c.input = {1, 2, 9, 1};
  c.in_channels = 2;
  c.kernel = "[3, 1]";
  c.mode = "circular";
  c.padding = "[1, 0]";
  c.dilation = "[4, 1]";
  add(c);  // a single column
  c = Candidate{};
  c.input = {1, 16, 12, 12};
  c.in_channels = 16;
  c.out_channels = 9;
  c.kernel = "3";
  c.padding = "same";
  c.dtype = "int64";
  add(c);  // deeper reduction, int
  // Rows wide enough for interior SIMD tiles, at every column stride (the
  // AVX2 emitter loads stride 1 directly, de-interleaves stride 2 and
  // gathers larger strides), in every padding mode.
  const char* wide_modes[] = {"zeros", "reflect", "replicate", "circular"};
  for (int sw = 1; sw <= 3; ++sw)
    for (int m = 0; m < 4; ++m) {
      const char* mode = wide_modes[m];
      c = Candidate{};
      c.input = {1, 3, 6, 150};
      c.in_channels = 3;
      c.out_channels = 7;
      c.kernel = "[3, 4]";
      c.stride = "[1, " + std::to_string(sw) + "]";
      c.padding = "[1, 3]";
      c.dilation = "[1, 2]";
      c.mode = mode;
      // Gradients for half of these, each column stride with two modes.
      extreme = (sw + m) % 2;
      add(c);
    }
  // A stride-2 layer both x86 planners split into even/odd columns (the
  // wide rows above split on AVX-512 only; this one on AVX2 too), its
  // rows mapped through zero and reflect padding; no gradients (the
  // forward is the new path).
  for (const char* mode : {"zeros", "reflect"}) {
    c = Candidate{};
    c.input = {1, 3, 8, 100};
    c.in_channels = 3;
    c.out_channels = 35;
    c.kernel = "3";
    c.stride = "2";
    c.padding = "1";
    c.mode = mode;
    extreme = 1;
    add(c);
  }
  // Per-side padding (convgen's {top, bottom, left, right}: ONNX's
  // asymmetric pads), every side different, in every padding mode.
  int k = 0;
  for (const char* mode : wide_modes) {
    c = Candidate{};
    c.input = {1, 3, 7, 9};
    c.in_channels = 3;
    c.out_channels = 4;
    c.kernel = k % 2 ? "[2, 3]" : "3";
    c.stride = k % 2 ? "[2, 1]" : "1";
    c.padding = k % 2 ? "{top: 0, bottom: 2, left: 3, right: 1}" : "{top: 2, bottom: 0, left: 1, right: 3}";
    c.mode = mode;
    c.bias = k % 2 == 0;
    add(c);
    ++k;
  }
  return out;
}

std::vector<Candidate> random(std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* modes[] = {"zeros", "reflect", "replicate", "circular"};
  const char* dtypes[] = {"float32", "float64", "int32", "int64"};
  std::vector<Candidate> out;
  for (int attempts = 0; static_cast<int>(out.size()) < count && attempts < count * 200;
       ++attempts) {
    Candidate c;
    const int g = pick(1, 3);
    c.groups = g;
    c.in_channels = g * pick(1, 3);
    c.out_channels = g * pick(1, 3);
    const int h = pick(1, 12), w = pick(1, 12);
    c.input = pick(0, 3) == 0 ? std::vector<int>{c.in_channels, h, w}
                              : std::vector<int>{pick(1, 2), c.in_channels, h, w};
    c.kernel = pair(pick(1, 5), pick(1, 5));
    c.stride = pair(pick(1, 3), pick(1, 3));
    c.dilation = pair(pick(1, 3), pick(1, 3));
    const int p = pick(0, 5);
    c.padding = p == 0 ? "same" : p == 1 ? "valid" : pair(pick(0, 4), pick(0, 4));
    if (c.padding == "same") c.stride = "1";
    c.mode = modes[pick(0, 3)];
    c.dtype = dtypes[pick(0, 3)];
    c.bias = pick(0, 1) == 1;
    if (isValid(c)) out.push_back(c);
  }
  return out;
}

// The epilogue-free twins, with `backward: only`, of the matrix layers
// without gradients; `index` gets each one's number in the matrix (its
// name). Twins are the layer's conv: every key but the epilogue's.
std::vector<Candidate> matrixGradients(const std::vector<Candidate>& matrix,
                                       std::vector<std::size_t>& index) {
  std::vector<Candidate> twins;
  for (std::size_t i = 0; i < matrix.size(); ++i) {
    if (matrix[i].backward) continue;  // tested where it is
    Candidate c = matrix[i];
    c.activation.clear();
    c.residual.clear();
    c.backward = c.backward_only = true;
    twins.push_back(c);
    index.push_back(i);
  }
  return twins;
}

// Writes `text` to `path` unless the file already holds it (an unchanged
// config regenerates nothing).
void writeIfChanged(const std::string& path, const std::string& text) {
  std::ifstream existing(path, std::ios::binary);
  std::stringstream old;
  old << existing.rdbuf();
  if (old.str() != text) std::ofstream(path, std::ios::binary) << text;
}

// The safetensors format: 8-byte little-endian header length, JSON header,
// data; every layer's weight and (when it has one) bias.
std::string bakedWeights(const convgen::ModelSpec& model) {
  std::string header = "{", data;
  auto put = [&](const std::string& layer, int tensor, const std::string& key,
                 std::vector<std::int64_t> shape) {
    std::uint64_t count = 1;
    for (std::int64_t d : shape) count *= static_cast<std::uint64_t>(d);
    const std::size_t begin = data.size();
    for (std::uint64_t i = 0; i < count; ++i) {
      const float v = convgen::testing::baked_values::value(layer.c_str(), tensor, i);
      std::uint32_t bits;
      std::memcpy(&bits, &v, 4);
      for (int k = 0; k < 4; ++k) data += static_cast<char>((bits >> (8 * k)) & 0xff);
    }
    header += std::string(header.size() > 1 ? "," : "") + "\"" + layer + "." + key +
              "\":{\"dtype\":\"F32\",\"shape\":[";
    for (std::size_t i = 0; i < shape.size(); ++i)
      header += (i ? "," : "") + std::to_string(shape[i]);
    header += "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) +
              "]}";
  };
  for (const convgen::LayerSpec& l : model.layers) {
    put(l.name, 0, "weight", {l.out_channels, l.in_channels / l.groups, l.kernel.h, l.kernel.w});
    if (l.bias) put(l.name, 1, "bias", {l.out_channels});
  }
  header += "}";
  std::string file;
  for (int k = 0; k < 8; ++k)
    file += static_cast<char>((std::uint64_t{header.size()} >> (8 * k)) & 0xff);
  return file + header + data;
}

// The baked half of the matrix: its config (namespace matrix_baked) and
// weights file, or false when its layers do not validate.
bool writeBaked(const std::vector<Candidate>& layers, const std::vector<std::size_t>& index,
                const std::string& yaml_path) {
  std::string body;
  for (std::size_t i = 0; i < layers.size(); ++i) body += yamlLayer(layers[i], layerName(index[i]));
  // The shapes, from convgen's own validation (without the weights keys).
  const std::string probe = "namespace: matrix_baked\nlayers:\n" + body;
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(probe, "matrix_baked.yaml"), {});
  const std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
  if (!model) {
    diags.print(llvm::errs());
    return false;
  }
  // Next to the config, under one name whatever the config's (CMake writes
  // it as BAKED.yaml.new first).
  const std::string weights_name = "matrix_baked.safetensors";
  const std::size_t slash = yaml_path.find_last_of('/');
  const std::string weights_path =
      slash == std::string::npos ? weights_name : yaml_path.substr(0, slash + 1) + weights_name;
  const std::string weights = bakedWeights(*model);
  // The file's checksum in the config: new weights are a new config, so a
  // build that regenerates on config changes regenerates on them too.
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : weights) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char sum[40];
  std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(h));
  writeIfChanged(weights_path, weights);
  writeIfChanged(yaml_path, "# Generated by tests/conformance/make_configs (matrix, float32 layers, "
                            "baked). Do not edit.\n# " + weights_name + ": " +
                                std::to_string(weights.size()) + " bytes, FNV-1a " + sum +
                                "\nnamespace: matrix_baked\nweights: " + weights_name +
                                "\nnetwork: false\nlayers:\n" + body);
  std::printf("%zu baked layers\n", layers.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  std::vector<Candidate> layers;
  std::string out_path, ns;
  std::vector<std::size_t> index;  // each layer's number in its name
  if (mode == "matrix" && argc >= 3 && argc <= 5) {
    layers = matrix();
    addEpilogues(layers);
    for (std::size_t i = 0; i < layers.size(); ++i) index.push_back(i);
    out_path = argv[2];
    ns = "matrix";
    if (argc == 5) {  // the twins of the layers without gradients
      std::vector<std::size_t> twin_index;
      const std::vector<Candidate> twins = matrixGradients(layers, twin_index);
      std::string body;
      for (std::size_t i = 0; i < twins.size(); ++i) {
        if (!isValid(twins[i])) {
          std::fprintf(stderr, "make_configs: the twin of %s is not valid\n",
                       layerName(twin_index[i]).c_str());
          return 1;
        }
        body += yamlLayer(twins[i], layerName(twin_index[i]));
      }
      writeIfChanged(argv[4], "# Generated by tests/conformance/make_configs (matrix, the gradients of "
                              "the layers without\n# their own: epilogue-free twins). Do not edit.\n"
                              "namespace: matrix_gradients\nlayers:\n" + body);
      std::printf("%zu gradient-only layers\n", twins.size());
    }
    if (argc >= 4 && std::string(argv[3]) != "-") {  // float32 layers to the baked config (residuals are same-dtype)
      std::vector<Candidate> rest, baked;
      std::vector<std::size_t> rest_index, baked_index;
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const bool f32 = layers[i].dtype == "float32";
        (f32 ? baked : rest).push_back(layers[i]);
        (f32 ? baked_index : rest_index).push_back(i);
      }
      if (!writeBaked(baked, baked_index, argv[3])) return 1;
      layers = rest;
      index = rest_index;
    }
  } else if (mode == "matrix_float32" && (argc == 3 || argc == 4)) {
    // Every EVERY-th float32 layer (default all), weights at run time and no
    // gradients: the layers a tuning file has choices for (tests/tuning: the
    // matrix with non-default plans, where compile time bounds how many).
    const long every = argc == 4 ? std::atol(argv[3]) : 1;
    if (every < 1) {
      std::fprintf(stderr, "make_configs: EVERY must be a positive integer\n");
      return 2;
    }
    const std::vector<Candidate> all = [] {
      std::vector<Candidate> m = matrix();
      addEpilogues(m);
      return m;
    }();
    std::size_t float32 = 0;
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i].dtype == "float32" && float32++ % static_cast<std::size_t>(every) == 0) {
        layers.push_back(all[i]);
        layers.back().backward = false;
        index.push_back(i);
      }
    // A residual names its shape's first layer (addEpilogues), which the
    // sampling may have left out: then the layer keeps its activation only.
    std::set<std::string> kept;
    for (std::size_t i : index) kept.insert(layerName(i));
    for (Candidate& c : layers)
      if (!c.residual.empty() && !kept.count(c.residual)) c.residual.clear();
    out_path = argv[2];
    ns = "matrix_float32";
  } else if (mode == "random" && argc == 5) {
    layers = random(std::strtoull(argv[2], nullptr, 10), std::atoi(argv[3]));
    for (std::size_t i = 0; i < layers.size(); ++i) index.push_back(i);
    out_path = argv[4];
    ns = "property";
  } else {
    std::fprintf(stderr,
                 "usage: make_configs matrix OUT.yaml [BAKED.yaml|- [GRADIENTS.yaml]] | "
                 "matrix_float32 OUT.yaml [EVERY] | "
                 "random SEED COUNT OUT.yaml\n");
    return 2;
  }
  std::ostringstream yaml;
  yaml << "# Generated by tests/conformance/make_configs (" << mode << "). Do not edit.\n"
       << "namespace: " << ns << "\nlayers:\n";
  for (std::size_t i = 0; i < layers.size(); ++i) yaml << yamlLayer(layers[i], layerName(index[i]));
  writeIfChanged(out_path, yaml.str());
  std::printf("%zu layers\n", layers.size());
  return layers.empty() ? 1 : 0;
}
