// The graph walk's state, shared by onnx_graph.cpp (the walk, fusions into a
// convolution's epilogue, aliases) and onnx_layers.cpp (the ops that make a
// layer: Conv, Pad, pools, Gemm/MatMul).
#pragma once

#include "onnx_context.h"

namespace convgen::import {

struct PendingPad {
  Pad4 pad;
  std::string mode;  // convgen's padding_mode
  std::string origin;
  int node = 0;  // the Pad's index in the graph
};

// An activation tensor of the graph, as the network form sees it.
struct Val {
  int layer = -1;          // the layer whose output it is; -1: the network input
  bool flattened = false;  // viewed as [N, C*H*W] (Flatten, Reshape)
  bool exclusive = true;   // every name from the layer's output to here has one reader
  std::optional<PendingPad> pad;  // the output of a Pad, only a Conv may read it
};

class Translator {
 public:
  Translator(const Model& m, Network& net) : m_(m), net_(net) {}
  void run();

  // onnx_layers.cpp
  void conv(const onnx::NodeProto& n, int i);
  void convTranspose(const onnx::NodeProto& n, int i);  // onnx_conv_transpose.cpp
  void pad(const onnx::NodeProto& n, int i);
  void pool(const onnx::NodeProto& n, int i);
  void globalPool(const onnx::NodeProto& n, int i);
  void gemm(const onnx::NodeProto& n, int i);
  void matmul(const onnx::NodeProto& n, int i);

 private:
  void batchNorm(const onnx::NodeProto& n, int i);
  void activation(const onnx::NodeProto& n, int i);
  void add(const onnx::NodeProto& n, int i);
  void alias(const onnx::NodeProto& n, int i);
  void flatten(const onnx::NodeProto& n, int i);
  void finish();
  Layer& identityConv(const onnx::NodeProto& n, int i, const Val& in);
  Activation activationOf(const onnx::NodeProto& n, int i);

 public:
  // Helpers for both files.
  [[noreturn]] void fail(const onnx::NodeProto& n, int i, const std::string& message) const;
  const Val& value(const onnx::NodeProto& n, int i, int k) const;
  const std::vector<std::int64_t>& shape(const onnx::NodeProto& n, int i, const std::string& name) const;
  Tensor weight(const onnx::NodeProto& n, int i, int k, const char* role) const;
  Layer& newLayer(const onnx::NodeProto& n, int i, LayerOp op, const Val& in);
  void setOutput(const onnx::NodeProto& n, int i, int layer, bool flattened = false);
  void setOutputVal(const std::string& name, Val v);
  bool hasInput(const onnx::NodeProto& n, int k) const { return n.input_size() > k && !n.input(k).empty(); }
  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const;
  std::vector<std::int64_t> ints(const onnx::NodeProto& n, int i, const char* name,
                                 std::vector<std::int64_t> fallback) const;
  std::int64_t intAttr(const onnx::NodeProto& n, int i, const char* name, std::int64_t fallback) const;
  float floatAttr(const onnx::NodeProto& n, int i, const char* name, float fallback) const;
  std::string stringAttr(const onnx::NodeProto& n, int i, const char* name, std::string fallback) const;
  // Only these attributes may appear (an attribute convgen does not know
  // could change the meaning).
  void onlyAttrs(const onnx::NodeProto& n, int i, std::initializer_list<const char*> known) const;
  Layer& layer(int index) { return net_.layers[static_cast<std::size_t>(index)]; }
  const Model& model() const { return m_; }
  Network& net() { return net_; }

 private:
  const Model& m_;
  Network& net_;
  std::map<std::string, Val> values_;
};

}  // namespace convgen::import
