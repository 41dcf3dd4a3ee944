// The graph walk: nodes in graph order (onnx::checker has verified the
// topological order), each mapped onto convgen's network form: a layer, a
// fusion into a convolution's epilogue (BatchNormalization, the
// activations, Add as `residual:`), or an alias (Identity, Dropout,
// Flatten). Whatever the form cannot express is an error naming the node.
#include <cmath>
#include <limits>

#include "translator.h"

namespace convgen::import {

namespace {

const char* const kSupported =
    "convgen imports Conv, ConvTranspose, BatchNormalization, Relu, Clip, LeakyRelu, HardSwish, Add, MaxPool, "
    "AveragePool, GlobalAveragePool, Flatten, Reshape (to [N, -1]), Gemm, MatMul, Identity, "
    "Dropout, Pad (before a Conv) and Constant";

// A conv that a BatchNormalization, an activation or an Add may fuse into:
// its output (through aliases) read by this node only.
Layer* fusable(const Val& v, Network& net) {
  if (v.layer < 0 || v.flattened || v.pad || !v.exclusive) return nullptr;
  Layer& l = net.layers[static_cast<std::size_t>(v.layer)];
  return l.op == LayerOp::Conv ? &l : nullptr;
}

}  // namespace

// A depthwise 1x1 convolution with weight 1 and no bias: exactly the
// identity (x * 1.0f == x), so that an op with nothing to fuse into (a
// standalone BatchNormalization or activation, an Add after a pool, a
// branch) still becomes a layer.
Layer& Translator::identityConv(const onnx::NodeProto& n, int i, const Val& in) {
  if (in.flattened || (in.layer >= 0 && layer(in.layer).op == LayerOp::Linear))
    fail(n, i, "follows a Gemm/MatMul/Flatten; convgen fuses " + n.op_type() +
                   " into 2-D convolutions only");
  const std::vector<std::int64_t>& s =
      shape(n, i, in.layer < 0 ? m_.input_name : n.input(0));
  // An unbatched [C, H, W] network input reaches here only for elementwise ops.
  if (s.size() != 4 && s.size() != 3) fail(n, i, "needs an [N, C, H, W] input");
  const std::int64_t c = s[s.size() - 3];
  Layer& l = newLayer(n, i, LayerOp::Conv, in);
  l.origin += " on an identity 1x1 depthwise conv";
  l.in_channels = l.out_channels = l.groups = c;
  l.bias = false;
  net_.tensors[l.name + ".weight"] =
      Tensor{{c, 1, 1, 1}, std::vector<float>(static_cast<std::size_t>(c), 1.0f)};
  return l;
}

void Translator::batchNorm(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {"epsilon", "momentum", "spatial", "training_mode", "is_test"});
  if (intAttr(n, i, "spatial", 1) != 1) fail(n, i, "spatial=0 is not supported");
  if (m_.opset < 7 && intAttr(n, i, "is_test", 0) != 1)
    fail(n, i, "is_test=0 (training); convgen imports BatchNormalization in inference form");
  if (intAttr(n, i, "training_mode", 0) != 0 || (n.output_size() > 1 && m_.uses.count(n.output(1))))
    fail(n, i, "training mode; convgen imports BatchNormalization in inference (eval) form");
  const Val in = value(n, i, 0);
  Layer* l = fusable(in, net_);
  // ONNX's channel axis is 1 at every rank: a rank-3 tensor is BatchNorm1d's
  // [N, C, L], not an unbatched [C, H, W] (only elementwise ops may read one).
  if (!l && shape(n, i, n.input(0)).size() != 4)
    fail(n, i, "BatchNormalization of a rank-" + std::to_string(shape(n, i, n.input(0)).size()) +
                   " tensor; convgen imports BatchNorm2d on [N, C, H, W]");
  if (!l || l->has_bn || !l->residual.empty() || l->activation.kind != Activation::None)
    l = &identityConv(n, i, in);
  else
    l->origin += " + " + describeNode(n, i);
  const char* roles[] = {"scale", "bias", "mean", "variance"};
  const char* keys[] = {"weight", "bias", "running_mean", "running_var"};
  for (int k = 0; k < 4; ++k) {
    Tensor t = weight(n, i, k + 1, roles[k]);
    if (t.shape.size() != 1 || t.shape[0] != l->out_channels)
      fail(n, i, std::string("the ") + roles[k] + " must have shape [" +
                     std::to_string(l->out_channels) + "]");
    if (k == 3)
      for (float v : t.data)
        if (v < 0) fail(n, i, "a negative variance");
    net_.tensors[l->name + ".bn." + keys[k]] = std::move(t);
  }
  l->has_bn = true;
  l->bn_eps = floatAttr(n, i, "epsilon", 1e-5f);
  if (!(l->bn_eps > 0)) fail(n, i, "epsilon must be positive");
  setOutput(n, i, static_cast<int>(&*l - &net_.layers[0]));
}

Activation Translator::activationOf(const onnx::NodeProto& n, int i) {
  Activation a;
  const std::string& op = n.op_type();
  if (op == "Relu") {
    onlyAttrs(n, i, {});
    a.kind = Activation::Relu;
  } else if (op == "HardSwish") {
    onlyAttrs(n, i, {});
    a.kind = Activation::HardSwish;
  } else if (op == "LeakyRelu") {
    onlyAttrs(n, i, {"alpha"});
    a.kind = Activation::LeakyRelu;
    a.a = floatAttr(n, i, "alpha", 0.01f);
  } else {  // Clip: attributes before opset 11, constant inputs after
    onlyAttrs(n, i, {"min", "max"});
    const float inf = std::numeric_limits<float>::infinity();
    double lo = floatAttr(n, i, "min", -inf), hi = floatAttr(n, i, "max", inf);
    if (lo <= std::numeric_limits<float>::lowest()) lo = -inf;
    if (hi >= std::numeric_limits<float>::max()) hi = inf;
    for (int k = 1; k <= 2; ++k) {
      if (!hasInput(n, k)) continue;
      const onnx::TensorProto* t = findConstant(m_, n.input(k));
      if (!t) fail(n, i, "Clip's min/max must be constants");
      Tensor v = floatTensor(m_, *t, describeNode(n, i) + ": " + (k == 1 ? "min" : "max"));
      if (v.data.size() != 1) fail(n, i, "Clip's min/max must be scalars");
      (k == 1 ? lo : hi) = v.data[0];
    }
    if (lo == 0 && hi == 6) a.kind = Activation::Relu6;
    else if (lo == 0 && std::isinf(hi)) a.kind = Activation::Relu;
    else {
      if (!(lo <= hi)) fail(n, i, "Clip with min > max");
      a.kind = Activation::Clamp;
      a.a = lo;
      a.b = hi;
    }
  }
  return a;
}

void Translator::activation(const onnx::NodeProto& n, int i) {
  const Activation a = activationOf(n, i);
  const Val in = value(n, i, 0);
  Layer* l = fusable(in, net_);
  if (!l || l->activation.kind != Activation::None) l = &identityConv(n, i, in);
  else l->origin += " + " + describeNode(n, i);
  l->activation = a;
  setOutput(n, i, static_cast<int>(l - &net_.layers[0]));
}

void Translator::add(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {});
  if (n.input_size() != 2) fail(n, i, "Add needs two inputs");
  // MatMul + Add(constant): the linear layer's bias.
  for (int k = 0; k < 2; ++k) {
    if (!findConstant(m_, n.input(k))) continue;
    const Val in = value(n, i, 1 - k);
    Layer* l = in.layer >= 0 && in.exclusive ? &layer(in.layer) : nullptr;
    if (!l || l->op != LayerOp::Linear || l->bias)
      fail(n, i, "adds a constant; convgen imports Add of a constant only as the bias after a "
                 "MatMul");
    Tensor b = weight(n, i, k, "bias");
    if (b.data.size() != static_cast<std::size_t>(l->out_features))
      fail(n, i, "the bias must have " + std::to_string(l->out_features) + " values");
    b.shape = {l->out_features};
    net_.tensors[l->name + ".bias"] = std::move(b);
    l->bias = true;
    l->origin += " + " + describeNode(n, i);
    setOutput(n, i, in.layer, in.flattened);
    return;
  }
  const Val a = value(n, i, 0), b = value(n, i, 1);
  if (shape(n, i, n.input(0)) != shape(n, i, n.input(1)))
    fail(n, i, "adds tensors of different shapes; convgen imports Add of two same-shape "
               "activations (a residual connection), no broadcasting");
  if (a.layer < 0 || b.layer < 0)
    fail(n, i, "adds the network input; a residual must come from a layer");
  const Val& later = a.layer >= b.layer ? a : b;
  const Val& other = a.layer >= b.layer ? b : a;
  if (other.flattened || later.flattened || a.pad || b.pad)
    fail(n, i, "adds flattened or padded tensors; convgen imports Add of two [N, C, H, W] "
               "activations");
  Layer* l = fusable(later, net_);
  if (!l || !l->residual.empty() || l->activation.kind != Activation::None)
    l = &identityConv(n, i, later);
  else
    l->origin += " + " + describeNode(n, i);
  l->residual = layer(other.layer).name;
  setOutput(n, i, static_cast<int>(l - &net_.layers[0]));
}

void Translator::alias(const onnx::NodeProto& n, int i) {
  if (n.op_type() == "Dropout") {
    onlyAttrs(n, i, {"ratio", "seed", "is_test"});
    if (hasInput(n, 2)) {
      const onnx::TensorProto* t = findConstant(m_, n.input(2));
      if (!t || t->data_type() != onnx::TensorProto_DataType_BOOL ||
          (t->int32_data_size() == 1 ? t->int32_data(0) != 0 : t->raw_data() != std::string(1, '\0')))
        fail(n, i, "training_mode must be a constant false (convgen imports inference graphs)");
    }
  } else {
    onlyAttrs(n, i, {});
  }
  Val v = value(n, i, 0);
  setOutputVal(n.output(0), v);
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && m_.uses.count(n.output(k)))
      fail(n, i, "output " + std::to_string(k) + " is used; convgen imports inference graphs");
}

void Translator::flatten(const onnx::NodeProto& n, int i) {
  Val v = value(n, i, 0);
  const std::vector<std::int64_t>& in = shape(n, i, n.input(0));
  const std::vector<std::int64_t>& out = shape(n, i, n.output(0));
  std::int64_t rest = 1;
  for (std::size_t k = 1; k < in.size(); ++k) rest *= in[k];
  if (in.empty() || out.size() != 2 || out[0] != in[0] || out[1] != rest)
    fail(n, i, "reshapes to something other than [N, C*H*W]; convgen imports only the flatten "
               "that a linear layer implies (torch.flatten(x, 1))");
  if (v.pad) fail(n, i, "flattens the output of a Pad");
  v.flattened = in.size() != 2 || v.flattened;
  setOutputVal(n.output(0), v);
}

void Translator::finish() {
  const onnx::GraphProto& g = m_.proto.graph();
  if (g.output_size() != 1)
    throw ImportError{"the graph has " + std::to_string(g.output_size()) +
                      " outputs; a convgen network has one (its last layer's)"};
  auto it = values_.find(g.output(0).name());
  if (it != values_.end() && it->second.pad) {
    // A Pad that ends the network: an identity conv with its padding.
    const PendingPad p = *it->second.pad;
    Val source = it->second;
    source.pad.reset();
    const onnx::NodeProto& n = g.node(p.node);
    Layer& l = identityConv(n, p.node, source);
    l.pad = p.pad;
    l.padding_mode = p.mode;
    it->second = Val{static_cast<int>(net_.layers.size()) - 1};
  }
  if (it == values_.end() || it->second.layer < 0)
    throw ImportError{"the graph output '" + g.output(0).name() +
                      "' is not a layer's output (is the network empty?)"};
  if (it->second.layer != static_cast<int>(net_.layers.size()) - 1)
    throw ImportError{"the graph output '" + g.output(0).name() + "' is layer '" +
                      layer(it->second.layer).name + "', but a convgen network's output is its "
                      "last layer ('" + net_.layers.back().name + "'): a branch that ends nowhere"};
}

void Translator::run() {
  Val input;
  setOutputVal(m_.input_name, input);
  const onnx::GraphProto& g = m_.proto.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    const std::string& op = n.op_type();
    if (m_.folded.count(i)) continue;  // a constant now
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, i, "op domain '" + n.domain() + "' is not supported; " + kSupported);
    if (op == "Conv") conv(n, i);
    else if (op == "ConvTranspose") convTranspose(n, i);
    else if (op == "Pad") pad(n, i);
    else if (op == "BatchNormalization") batchNorm(n, i);
    else if (op == "Relu" || op == "Clip" || op == "LeakyRelu" || op == "HardSwish") activation(n, i);
    else if (op == "Add") add(n, i);
    else if (op == "MaxPool" || op == "AveragePool") pool(n, i);
    else if (op == "GlobalAveragePool") globalPool(n, i);
    else if (op == "Flatten" || op == "Reshape") flatten(n, i);
    else if (op == "Gemm") gemm(n, i);
    else if (op == "MatMul") matmul(n, i);
    else if (op == "Identity" || op == "Dropout") alias(n, i);
    else if (op == "Constant") {
      if (!m_.constants.count(n.output(0)))
        fail(n, i, "only Constant nodes with a 'value' tensor are supported");
    } else if (op == "HardSigmoid" || op == "Mul") {
      fail(n, i, "unsupported op '" + op + "' (PyTorch exports Hardswish this way below opset 14: "
                 "export with opset_version=14 or later); " + kSupported);
    } else {
      fail(n, i, "unsupported op '" + op + "'; " + kSupported);
    }
  }
  finish();
}

void translateGraph(const Model& m, Network& net) {
  Translator t(m, net);
  t.run();
}

}  // namespace convgen::import
