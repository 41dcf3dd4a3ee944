// The importer's intermediate form: the network as convgen's config
// language describes it, before it is written as YAML (yaml_writer.cpp) and
// safetensors (safetensors_writer.cpp). No ONNX types here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace convgen::import {

enum class LayerOp { Conv, MaxPool, AvgPool, GlobalAvgPool, Linear, ConvTranspose };

struct Activation {
  enum Kind { None, Relu, Relu6, HardSwish, LeakyRelu, Clamp } kind = None;
  double a = 0, b = 0;  // leaky_relu: negative_slope in a; clamp: min a, max b
};

struct Pad4 {
  std::int64_t top = 0, bottom = 0, left = 0, right = 0;
  bool symmetric() const { return top == bottom && left == right; }
};

struct Layer {
  std::string name;                 // a safe, unique C++ identifier
  std::string origin;               // "node 'conv1' (Conv, #3)" and fused nodes
  LayerOp op = LayerOp::Conv;
  std::string input;                // the producing layer; "" = the previous one (or the network input)
  std::vector<std::int64_t> input_shape;  // the first layer only
  std::vector<std::int64_t> output_shape; // as shape inference gives it
  // Conv and pools.
  std::int64_t in_channels = 0, out_channels = 0, groups = 1;
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  Pad4 pad;
  bool bias = false;
  std::string padding_mode = "zeros";
  bool has_bn = false;
  double bn_eps = 1e-5;
  Activation activation;
  std::string residual;
  bool ceil_mode = false, count_include_pad = false;
  std::int64_t oph = 0, opw = 0;  // ConvTranspose: nn.ConvTranspose2d's output_padding
  // Linear.
  std::int64_t in_features = 0, out_features = 0;
};

struct Tensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

struct Network {
  std::string ns;         // namespace and file stem
  std::string isa;        // "" = not written
  std::string source;     // the model's file name, for the header comment
  std::int64_t opset = 0;
  std::vector<Layer> layers;
  std::map<std::string, Tensor> tensors;  // "<layer>.weight", ...; sorted
};

// YAML text of the config (yaml_writer.cpp), safetensors bytes (safetensors_writer.cpp).
std::string writeYaml(const Network& net);
std::string writeSafetensors(const std::map<std::string, Tensor>& tensors);

// Floats as the shortest text that reads back to the same float (%.9g, and
// "inf"/"-inf" spelled for YAML).
std::string floatText(double v);

}  // namespace convgen::import
