// The imported network as a convgen config: the one file that knows the
// config keys the importer writes (so reconciling them with the generator's
// key table is a change here only). Deterministic: the same network gives
// the same bytes.
#include <cmath>
#include <cstdio>

#include "convgen/internal_error.h"
#include "network.h"

namespace convgen::import {

std::string floatText(double v) {
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  CONVGEN_CHECK(!std::isnan(v), "a NaN reached the YAML writer");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  std::string s = buf;
  // A float, not an int, to a YAML reader: 1 -> 1.0 (1e-05 stays).
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

namespace {

std::string list(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string pair(std::int64_t a, std::int64_t b) {
  return a == b ? std::to_string(a) : list({a, b});
}

std::string padding(const Pad4& p) {
  if (p.symmetric()) return pair(p.top, p.left);
  return "{top: " + std::to_string(p.top) + ", bottom: " + std::to_string(p.bottom) +
         ", left: " + std::to_string(p.left) + ", right: " + std::to_string(p.right) + "}";
}

std::string activation(const Activation& a) {
  switch (a.kind) {
    case Activation::None: return "";
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    case Activation::HardSwish: return "hardswish";
    case Activation::LeakyRelu: return "{type: leaky_relu, negative_slope: " + floatText(a.a) + "}";
    case Activation::Clamp: {
      // ONNX's Clip defaults its bounds to the float range's ends: an
      // infinite bound is no bound (torch.clamp takes either alone).
      std::string bounds;
      if (std::isfinite(a.a)) bounds += ", min: " + floatText(a.a);
      if (std::isfinite(a.b)) bounds += ", max: " + floatText(a.b);
      if (bounds.empty()) return "";  // clamp(-inf, inf) is the identity
      return "{type: clamp" + bounds + "}";
    }
  }
  CONVGEN_CHECK(false, "an activation kind without a spelling");
  return "";
}

const char* opName(LayerOp op) {
  switch (op) {
    case LayerOp::Conv: return "conv2d";
    case LayerOp::MaxPool: return "max_pool2d";
    case LayerOp::AvgPool: return "avg_pool2d";
    case LayerOp::GlobalAvgPool: return "adaptive_avg_pool2d";
    case LayerOp::Linear: return "linear";
    case LayerOp::ConvTranspose: return "conv_transpose2d";
  }
  return "";
}

class Writer {
 public:
  void key(const std::string& k, const std::string& v) { out_ += "    " + k + ": " + v + "\n"; }
  void layer(const Layer& l) {
    out_ += "  # " + l.origin + "\n";
    out_ += "  - name: " + l.name + "\n";
    if (l.op != LayerOp::Conv) key("op", opName(l.op));
    if (!l.input.empty()) key("input", l.input);
    if (!l.input_shape.empty()) key("input_shape", list(l.input_shape));
    switch (l.op) {
      case LayerOp::Conv:
        key("in_channels", std::to_string(l.in_channels));
        key("out_channels", std::to_string(l.out_channels));
        key("kernel_size", pair(l.kh, l.kw));
        key("stride", pair(l.sh, l.sw));
        key("padding", padding(l.pad));
        key("dilation", pair(l.dh, l.dw));
        key("groups", std::to_string(l.groups));
        key("bias", l.bias ? "true" : "false");
        if (l.padding_mode != "zeros") key("padding_mode", l.padding_mode);
        if (l.has_bn) key("batch_norm", "{prefix: " + l.name + ".bn, eps: " + floatText(l.bn_eps) + "}");
        if (!l.residual.empty()) key("residual", l.residual);
        if (l.activation.kind != Activation::None) key("activation", activation(l.activation));
        break;
      case LayerOp::ConvTranspose:
        key("in_channels", std::to_string(l.in_channels));
        key("out_channels", std::to_string(l.out_channels));
        key("kernel_size", pair(l.kh, l.kw));
        key("stride", pair(l.sh, l.sw));
        key("padding", padding(l.pad));
        key("output_padding", pair(l.oph, l.opw));
        key("dilation", pair(l.dh, l.dw));
        key("groups", std::to_string(l.groups));
        key("bias", l.bias ? "true" : "false");
        break;
      case LayerOp::MaxPool:
      case LayerOp::AvgPool:
        key("kernel_size", pair(l.kh, l.kw));
        key("stride", pair(l.sh, l.sw));
        key("padding", padding(l.pad));
        if (l.op == LayerOp::MaxPool) key("dilation", pair(l.dh, l.dw));
        key("ceil_mode", l.ceil_mode ? "true" : "false");
        if (l.op == LayerOp::AvgPool)
          key("count_include_pad", l.count_include_pad ? "true" : "false");
        break;
      case LayerOp::GlobalAvgPool:
        key("output_size", "1");
        break;
      case LayerOp::Linear:
        key("in_features", std::to_string(l.in_features));
        key("out_features", std::to_string(l.out_features));
        key("bias", l.bias ? "true" : "false");
        break;
    }
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

}  // namespace

std::string writeYaml(const Network& net) {
  Writer w;
  std::string& out = w.out();
  out += "# Imported by `convgen import` from " + net.source + " (ONNX opset " +
         std::to_string(net.opset) + ").\n";
  out += "# Each layer's comment names the ONNX node(s) it came from: name (op, index in the graph).\n";
  out += "namespace: " + net.ns + "\n";
  out += "weights: " + net.ns + ".safetensors\n";
  if (!net.isa.empty()) out += "isa: " + net.isa + "\n";
  out += "layers:\n";
  for (const Layer& l : net.layers) w.layer(l);
  return out;
}

}  // namespace convgen::import
