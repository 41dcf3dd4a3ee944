// The ONNX ops that make a layer: Conv (and the Pad before it), MaxPool,
// AveragePool, GlobalAveragePool, Gemm and MatMul. ONNX's `pads` are
// [top, left, bottom, right] for 2-D ops; auto_pad is resolved here, as
// ONNX's operator documentation defines it, into per-side padding.
#include "translator.h"

namespace convgen::import {

namespace {

std::int64_t ceilDiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// auto_pad SAME_UPPER / SAME_LOWER: output = ceil(in / stride), the total
// padding split with the odd extra at the end (UPPER) or the start (LOWER).
void samePad(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t d, bool lower,
             std::int64_t& front, std::int64_t& back) {
  const std::int64_t out = ceilDiv(in, s);
  const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
  front = lower ? total - total / 2 : total / 2;
  back = total - front;
}

struct Window {
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  Pad4 pad;
};

}  // namespace

// kernel_shape, strides, dilations, pads and auto_pad of a 2-D Conv or pool.
static Window window(const Translator& t, const onnx::NodeProto& n, int i,
                     const std::vector<std::int64_t>& in, std::vector<std::int64_t> kernel) {
  Window w;
  const std::vector<std::int64_t> k = t.ints(n, i, "kernel_shape", kernel);
  if (k.size() != 2 || (!kernel.empty() && k != kernel))
    t.fail(n, i, "kernel_shape must have 2 values (and match the weight); convgen imports 2-D ops only");
  const std::vector<std::int64_t> s = t.ints(n, i, "strides", {1, 1});
  const std::vector<std::int64_t> d = t.ints(n, i, "dilations", {1, 1});
  const std::vector<std::int64_t> p = t.ints(n, i, "pads", {0, 0, 0, 0});
  if (s.size() != 2 || d.size() != 2 || p.size() != 4)
    t.fail(n, i, "strides and dilations need 2 values and pads 4 (2-D ops only)");
  for (std::int64_t v : k)
    if (v < 1) t.fail(n, i, "kernel_shape must be positive");
  for (std::int64_t v : s)
    if (v < 1) t.fail(n, i, "strides must be positive");
  for (std::int64_t v : d)
    if (v < 1) t.fail(n, i, "dilations must be positive");
  for (std::int64_t v : p)
    if (v < 0) t.fail(n, i, "negative pads are not supported");
  w.kh = k[0], w.kw = k[1], w.sh = s[0], w.sw = s[1], w.dh = d[0], w.dw = d[1];
  w.pad = {p[0], p[2], p[1], p[3]};
  const std::string auto_pad = t.stringAttr(n, i, "auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    const bool lower = auto_pad == "SAME_LOWER";
    samePad(in[2], w.kh, w.sh, w.dh, lower, w.pad.top, w.pad.bottom);
    samePad(in[3], w.kw, w.sw, w.dw, lower, w.pad.left, w.pad.right);
  } else if (auto_pad == "VALID") {
    w.pad = {};
  } else if (auto_pad != "NOTSET") {
    t.fail(n, i, "auto_pad '" + auto_pad + "' (NOTSET, SAME_UPPER, SAME_LOWER, VALID)");
  }
  return w;
}

static const std::vector<std::int64_t>& input4(const Translator& t, const onnx::NodeProto& n, int i) {
  const std::vector<std::int64_t>& in = t.shape(n, i, n.input(0));
  if (in.size() != 4)
    t.fail(n, i, "input of rank " + std::to_string(in.size()) +
                     "; convgen imports 2-D ops on [N, C, H, W] tensors only");
  return in;
}

void Translator::conv(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Val in = value(n, i, 0);
  if (in.flattened) fail(n, i, "reads a flattened tensor");
  const std::vector<std::int64_t>& x = input4(*this, n, i);
  Tensor w = weight(n, i, 1, "weight");
  if (w.shape.size() != 4)
    fail(n, i, "a weight of rank " + std::to_string(w.shape.size()) +
                   "; convgen imports 2-D convolutions (Conv1d/Conv3d are not supported)");
  const std::int64_t groups = intAttr(n, i, "group", 1);
  if (groups < 1 || w.shape[0] % groups != 0 || x[1] != w.shape[1] * groups)
    fail(n, i, "group " + std::to_string(groups) + " does not fit input channels " +
                   std::to_string(x[1]) + " and weight shape [" + std::to_string(w.shape[0]) +
                   ", " + std::to_string(w.shape[1]) + ", ...]");
  const Window win = window(*this, n, i, x, {w.shape[2], w.shape[3]});
  Val source = in;
  std::string mode = "zeros";
  Pad4 pad = win.pad;
  std::string pad_origin;
  if (in.pad) {
    const PendingPad& p = *in.pad;
    if (p.mode != "zeros" && (win.pad.top || win.pad.bottom || win.pad.left || win.pad.right))
      fail(n, i, "has its own pads after a " + p.mode +
                     " Pad; convgen imports the Pad alone or zeros Pad + Conv pads");
    mode = p.mode;
    pad = {p.pad.top + win.pad.top, p.pad.bottom + win.pad.bottom, p.pad.left + win.pad.left,
           p.pad.right + win.pad.right};
    pad_origin = p.origin + " + ";
    source.pad.reset();
  }
  Layer& l = newLayer(n, i, LayerOp::Conv, source);
  l.origin = pad_origin + l.origin;
  l.in_channels = x[1];
  l.out_channels = w.shape[0];
  l.groups = groups;
  l.kh = win.kh, l.kw = win.kw, l.sh = win.sh, l.sw = win.sw, l.dh = win.dh, l.dw = win.dw;
  l.pad = pad;
  l.padding_mode = mode;
  net_.tensors[l.name + ".weight"] = std::move(w);
  if (hasInput(n, 2)) {
    Tensor b = weight(n, i, 2, "bias");
    if (b.shape.size() != 1 || b.shape[0] != l.out_channels)
      fail(n, i, "the bias must have shape [" + std::to_string(l.out_channels) + "]");
    net_.tensors[l.name + ".bias"] = std::move(b);
    l.bias = true;
  }
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

void Translator::pad(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {"mode", "pads", "value"});
  const Val in = value(n, i, 0);
  if (in.flattened || in.pad) fail(n, i, "pads a flattened or already padded tensor");
  input4(*this, n, i);
  std::vector<std::int64_t> pads = ints(n, i, "pads", {});
  float fill = floatAttr(n, i, "value", 0.0f);
  if (hasInput(n, 1)) {
    const onnx::TensorProto* t = findConstant(m_, n.input(1));
    if (!t) fail(n, i, "pads must be a constant");
    pads = intTensor(m_, *t, describeNode(n, i) + ": pads");
  }
  if (hasInput(n, 2)) {
    const onnx::TensorProto* t = findConstant(m_, n.input(2));
    if (!t) fail(n, i, "constant_value must be a constant");
    Tensor v = floatTensor(m_, *t, describeNode(n, i) + ": constant_value");
    if (v.data.size() != 1) fail(n, i, "constant_value must be a scalar");
    fill = v.data[0];
  }
  if (hasInput(n, 3)) fail(n, i, "the axes input is not supported");
  if (pads.size() != 8) fail(n, i, "pads must have 8 values for an [N, C, H, W] tensor");
  if (pads[0] || pads[1] || pads[4] || pads[5])
    fail(n, i, "pads the batch or channel dimension; convgen imports spatial padding only");
  for (std::int64_t v : pads)
    if (v < 0) fail(n, i, "negative pads (a crop) are not supported");
  const std::string mode = stringAttr(n, i, "mode", "constant");
  PendingPad p;
  p.pad = {pads[2], pads[6], pads[3], pads[7]};
  p.origin = describeNode(n, i);
  p.node = i;
  if (mode == "constant") {
    if (fill != 0.0f) fail(n, i, "a constant Pad with a value other than 0");
    p.mode = "zeros";
  } else if (mode == "reflect") {
    p.mode = "reflect";
  } else if (mode == "edge") {
    p.mode = "replicate";
  } else {
    fail(n, i, "Pad mode '" + mode + "' (convgen imports constant, reflect, edge)");
  }
  if (m_.uses.count(n.output(0)) == 0 || m_.uses.at(n.output(0)) != 1)
    fail(n, i, "a Pad whose output is read by anything but one Conv");
  Val v = in;
  v.pad = p;
  setOutputVal(n.output(0), v);
}

void Translator::pool(const onnx::NodeProto& n, int i) {
  const bool max = n.op_type() == "MaxPool";
  if (max) onlyAttrs(n, i, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                            "storage_order", "strides"});
  else onlyAttrs(n, i, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  const Val in = value(n, i, 0);
  if (in.flattened) fail(n, i, "reads a flattened tensor");
  const std::vector<std::int64_t>& x = input4(*this, n, i);
  if (!attr(n, "kernel_shape")) fail(n, i, "kernel_shape is required");
  const Window win = window(*this, n, i, x, {});
  if (!win.pad.symmetric())
    fail(n, i, "asymmetric pads (or auto_pad SAME with an odd total); PyTorch's pooling pads "
               "symmetrically, and so does convgen");
  if (win.pad.top > win.kh / 2 || win.pad.left > win.kw / 2)
    fail(n, i, "pads larger than half the kernel (PyTorch's pooling limit)");
  Layer& l = newLayer(n, i, max ? LayerOp::MaxPool : LayerOp::AvgPool, in);
  l.in_channels = l.out_channels = x[1];
  l.kh = win.kh, l.kw = win.kw, l.sh = win.sh, l.sw = win.sw, l.dh = win.dh, l.dw = win.dw;
  l.pad = win.pad;
  l.ceil_mode = intAttr(n, i, "ceil_mode", 0) != 0;
  l.count_include_pad = intAttr(n, i, "count_include_pad", 0) != 0;
  if (l.ceil_mode) {
    // PyTorch drops a last window that would start in the end padding; ONNX
    // 1.12's shape inference does not. Refuse the cases where they differ.
    auto torch_out = [](std::int64_t in, std::int64_t p, std::int64_t k, std::int64_t d, std::int64_t s) {
      std::int64_t o = (in + 2 * p - d * (k - 1) - 1 + s - 1) / s + 1;
      if ((o - 1) * s >= in + p) --o;
      return o;
    };
    if (l.output_shape.size() != 4 ||
        l.output_shape[2] != torch_out(x[2], l.pad.top, l.kh, l.dh, l.sh) ||
        l.output_shape[3] != torch_out(x[3], l.pad.left, l.kw, l.dw, l.sw))
      fail(n, i, "ceil_mode where ONNX's output size differs from PyTorch's (a last window "
                 "starting in the padding)");
  }
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

void Translator::globalPool(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {});
  const Val in = value(n, i, 0);
  if (in.flattened) fail(n, i, "reads a flattened tensor");
  const std::vector<std::int64_t>& x = input4(*this, n, i);
  Layer& l = newLayer(n, i, LayerOp::GlobalAvgPool, in);
  l.in_channels = l.out_channels = x[1];
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

// A linear layer's input: [N, F], a flatten of [N, C, H, W] or a linear
// layer's output.
static std::int64_t features(const Translator& t, const onnx::NodeProto& n, int i) {
  const std::vector<std::int64_t>& a = t.shape(n, i, n.input(0));
  if (a.size() != 2)
    t.fail(n, i, "input of rank " + std::to_string(a.size()) +
                     "; convgen imports Gemm/MatMul on [N, features] (after a Flatten)");
  return a[1];
}

void Translator::gemm(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {"alpha", "beta", "transA", "transB", "broadcast"});  // broadcast: opset 6
  const Val in = value(n, i, 0);
  const std::int64_t f = features(*this, n, i);
  if (intAttr(n, i, "transA", 0) != 0) fail(n, i, "transA=1 is not supported");
  Tensor w = weight(n, i, 1, "weight");
  if (w.shape.size() != 2) fail(n, i, "the weight must be 2-D");
  const bool trans_b = intAttr(n, i, "transB", 0) != 0;
  const std::int64_t out = trans_b ? w.shape[0] : w.shape[1];
  if ((trans_b ? w.shape[1] : w.shape[0]) != f) fail(n, i, "the weight does not match the input features");
  const float alpha = floatAttr(n, i, "alpha", 1.0f), beta = floatAttr(n, i, "beta", 1.0f);
  Tensor pw{{out, f}, std::vector<float>(w.data.size())};
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t k = 0; k < f; ++k)
      pw.data[o * f + k] = alpha * (trans_b ? w.data[o * f + k] : w.data[k * out + o]);
  Layer& l = newLayer(n, i, LayerOp::Linear, in);
  l.in_features = f;
  l.out_features = out;
  net_.tensors[l.name + ".weight"] = std::move(pw);
  if (hasInput(n, 2)) {
    Tensor c = weight(n, i, 2, "bias");
    if (c.data.size() != 1 && c.data.size() != static_cast<std::size_t>(out))
      fail(n, i, "C must hold 1 or " + std::to_string(out) + " values (a bias)");
    Tensor b{{out}, std::vector<float>(static_cast<std::size_t>(out))};
    for (std::int64_t o = 0; o < out; ++o) b.data[o] = beta * c.data[c.data.size() == 1 ? 0 : o];
    net_.tensors[l.name + ".bias"] = std::move(b);
    l.bias = true;
  }
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

void Translator::matmul(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {});
  const Val in = value(n, i, 0);
  const std::int64_t f = features(*this, n, i);
  Tensor w = weight(n, i, 1, "weight");
  if (w.shape.size() != 2 || w.shape[0] != f)
    fail(n, i, "the weight must have shape [" + std::to_string(f) + ", out_features]");
  const std::int64_t out = w.shape[1];
  Tensor pw{{out, f}, std::vector<float>(w.data.size())};
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t k = 0; k < f; ++k) pw.data[o * f + k] = w.data[k * out + o];
  Layer& l = newLayer(n, i, LayerOp::Linear, in);
  l.in_features = f;
  l.out_features = out;
  net_.tensors[l.name + ".weight"] = std::move(pw);
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

}  // namespace convgen::import
