// Writes the weights of a config's layers as a safetensors file, and the same
// values as a C++ header for the test that checks the baked code
// (baked_test.cpp), without going through convgen's own reader or folding.
//   make_weights CONFIG OUT.safetensors OUT.h
// Conv weights and biases are small integers in [-4, 4]. A batch_norm with
// a prefix gets gamma in {-4, -2, 2, 4}, integer beta and mean in [-4, 4], and
// running_var = float(4 - eps): with eps = 0.25 the fold is exact
// (sqrt(4) = 2), with eps = 1e-5 it is not. A layer whose fold (in double)
// gives only small multiples of 1/2 is marked exact: its baked output must then equal the
// reference bit for bit on small-integer input.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace {

struct Tensor {
  std::vector<std::int64_t> shape;
  std::vector<float> values;
};

bool isCounter(const std::string& name) {
  const std::string suffix = ".num_batches_tracked";
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The format: 8-byte little-endian header length, JSON header, data. A
// num_batches_tracked tensor is PyTorch's I64 scalar.
std::string safetensors(const std::map<std::string, Tensor>& tensors) {
  std::string h = "{", data;
  for (const auto& [name, t] : tensors) {
    const bool counter = isCounter(name);
    h += (h.size() > 1 ? "," : "") + std::string("\"") + name + "\":{\"dtype\":\"" +
         (counter ? "I64" : "F32") + "\",\"shape\":[";
    for (std::size_t i = 0; i < t.shape.size(); ++i) h += (i ? "," : "") + std::to_string(t.shape[i]);
    const std::size_t begin = data.size();
    if (counter) data += std::string("\x07\0\0\0\0\0\0\0", 8);
    for (float v : t.values) {
      std::uint32_t bits;
      std::memcpy(&bits, &v, 4);
      for (int k = 0; k < 4; ++k) data += static_cast<char>((bits >> (8 * k)) & 0xff);
    }
    h += "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  h += ",\"__metadata__\":{\"format\":\"pt\"}}";
  std::string file;
  for (int k = 0; k < 8; ++k) file += static_cast<char>((std::uint64_t{h.size()} >> (8 * k)) & 0xff);
  return file + h + data;
}

std::string floats(const std::vector<double>& v) {
  std::string s = "{";
  char buf[64];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%a", v[i]);
    s += (i ? ", " : "") + std::string(buf);
  }
  return s + "}";
}

// A small multiple of 1/2: every sum of its products with small integers is
// exact in float.
bool halves(double v) { return std::floor(2 * v) == 2 * v && std::abs(v) <= 64; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make_weights CONFIG OUT.safetensors OUT.h\n");
    return 2;
  }
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  std::string error;
  const std::optional<unsigned> id = convgen::readConfigFile(argv[1], sm, &error);
  if (!id) {
    std::fprintf(stderr, "make_weights: %s: %s\n", argv[1], error.c_str());
    return 3;
  }
  std::optional<convgen::RawConfig> raw = convgen::parseConfig(sm, *id, diags);
  if (!raw) {
    diags.print(llvm::errs());
    return 1;
  }
  // The layers' shapes, without the weights keys (their file is what we write).
  const std::vector<convgen::RawLayer> layers = raw->layers;
  raw->weights = {};
  for (convgen::RawLayer& l : raw->layers) l.weights_prefix = {}, l.batch_norm = {};
  std::optional<convgen::ModelSpec> model = convgen::validateConfig(*raw, diags);
  if (!model) {
    diags.print(llvm::errs());
    return 1;
  }
  std::mt19937_64 rng(20261202);
  auto small = [&](std::size_t n, std::initializer_list<int> pick = {}) {
    std::uniform_int_distribution<int> dist(-4, 4);
    std::vector<double> v(n);
    std::vector<int> choices(pick);
    for (double& x : v)
      x = choices.empty() ? dist(rng) : choices[std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(rng)];
    return v;
  };
  std::map<std::string, Tensor> tensors;
  std::string header = "// Written by tests/baked/make_weights from " +
                       std::string(argv[1]) + ": the values in " + argv[2] + ".\n"
                       "#pragma once\n#include <vector>\nnamespace baked_expect {\n"
                       "struct Layer {\n  const char* name;\n  std::vector<double> weight, bias;  // bias empty: none\n"
                       "  bool batch_norm;\n  std::vector<double> gamma, beta, mean, var;\n  double eps;\n"
                       "  bool exact;  // the fold gives small multiples of 1/2: exact on small-integer input\n};\n"
                       "inline const std::vector<Layer> kLayers = {\n";
  for (std::size_t i = 0; i < model->layers.size(); ++i) {
    const convgen::LayerSpec& spec = model->layers[i];
    const convgen::RawLayer& raw_layer = layers[i];
    const std::string prefix =
        raw_layer.weights_prefix.usable() ? raw_layer.weights_prefix.value : spec.name;
    const std::int64_t out = spec.out_channels;
    const std::int64_t per = spec.in_channels / spec.groups * spec.kernel.h * spec.kernel.w;
    auto put = [&](const std::string& name, std::vector<std::int64_t> shape,
                   const std::vector<double>& v) {
      tensors[name] = {std::move(shape), std::vector<float>(v.begin(), v.end())};
    };
    const std::vector<double> w = small(out * per);
    put(prefix + ".weight", {out, spec.in_channels / spec.groups, spec.kernel.h, spec.kernel.w}, w);
    std::vector<double> b;
    if (spec.bias) put(prefix + ".bias", {out}, b = small(out));
    const convgen::RawBatchNorm& bn = raw_layer.batch_norm;
    std::vector<double> gamma, beta, mean, var;
    double eps = bn.eps.usable() ? bn.eps.value : 1e-5;
    if (bn.present && bn.prefix.usable()) {
      gamma = small(out, {-4, -2, 2, 4});
      beta = small(out);
      mean = small(out);
      var.assign(out, static_cast<double>(static_cast<float>(4.0 - eps)));
      const std::string& p = bn.prefix.value;
      put(p + ".weight", {out}, gamma);
      put(p + ".bias", {out}, beta);
      put(p + ".running_mean", {out}, mean);
      put(p + ".running_var", {out}, var);
      // What PyTorch saves too; convgen ignores it.
      tensors[p + ".num_batches_tracked"] = {{}, {}};
    } else if (bn.present) {
      gamma = bn.weight.values, beta = bn.bias.values, mean = bn.running_mean.values,
      var = bn.running_var.values;
    }
    bool exact = true;
    if (bn.present)
      for (std::int64_t o = 0; o < out; ++o) {
        const double s = gamma[o] / std::sqrt(var[o] + eps);
        for (std::int64_t k = 0; k < per; ++k) exact = exact && halves(w[o * per + k] * s);
        exact = exact && halves(((b.empty() ? 0.0 : b[o]) - mean[o]) * s + beta[o]);
      }
    char eps_text[64];
    std::snprintf(eps_text, sizeof eps_text, "%a", eps);
    header += "    {\"" + spec.name + "\", " + floats(w) + ", " + floats(b) + ", " +
              (bn.present ? "true" : "false") + ", " + floats(gamma) + ", " + floats(beta) + ", " +
              floats(mean) + ", " + floats(var) + ", " + eps_text + ", " +
              (exact ? "true" : "false") + "},\n";
  }
  header += "};\n}  // namespace baked_expect\n";
  const std::string file = safetensors(tensors);
  std::ofstream(argv[2], std::ios::binary) << file;
  std::ofstream(argv[3]) << header;
  return 0;
}
