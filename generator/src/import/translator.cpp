// The walk's helpers (translator.h): node-naming errors, lookups of values,
// shapes, weights and attributes, and new layers with their names.
#include "convgen/validate.h"
#include "llvm/ADT/StringExtras.h"
#include "translator.h"

namespace convgen::import {

std::string layerName(const onnx::NodeProto& node, int index, const Network& net) {
  std::string raw = node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
  std::string s;
  for (char c : raw) {
    const char k = llvm::isAlnum(c) ? c : '_';
    if (k == '_' && (s.empty() || s.back() == '_')) continue;  // no leading or double '_'
    s += k;
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  if (s.empty() || llvm::isDigit(s.front())) s = "layer_" + s;
  if (s.back() == '_') s.pop_back();
  if (s.size() > 48) s.resize(48);
  while (!s.empty() && s.back() == '_') s.pop_back();
  auto taken = [&](const std::string& name) {
    for (const Layer& l : net.layers)
      if (l.name == name) return true;
    return false;
  };
  std::string name = s;
  for (int k = 2; taken(name) || !isSafeIdentifier(name, nullptr); ++k)
    name = s + "_" + std::to_string(k);
  return name;
}

void Translator::fail(const onnx::NodeProto& n, int i, const std::string& message) const {
  throw ImportError{describeNode(n, i) + ": " + message};
}

const Val& Translator::value(const onnx::NodeProto& n, int i, int k) const {
  if (!hasInput(n, k)) fail(n, i, "input " + std::to_string(k) + " is missing");
  auto it = values_.find(n.input(k));
  if (it != values_.end()) return it->second;
  if (findConstant(m_, n.input(k)))
    fail(n, i, "input " + std::to_string(k) + " '" + n.input(k) +
                   "' is a constant; convgen needs an activation (a tensor computed from the "
                   "network input) here");
  fail(n, i, "input " + std::to_string(k) + " '" + n.input(k) +
                 "' is not computed by an op convgen imports");
}

const std::vector<std::int64_t>& Translator::shape(const onnx::NodeProto& n, int i,
                                                  const std::string& name) const {
  auto it = m_.shapes.find(name);
  if (it == m_.shapes.end())
    fail(n, i, "shape inference gives no static shape for '" + name +
                   "' (give the input shape with --input-shape)");
  return it->second;
}

Tensor Translator::weight(const onnx::NodeProto& n, int i, int k, const char* role) const {
  if (!hasInput(n, k)) fail(n, i, std::string("the ") + role + " input is missing");
  const std::string& name = n.input(k);
  const onnx::TensorProto* t = findConstant(m_, name);
  if (!t) {
    for (const onnx::ValueInfoProto& vi : m_.proto.graph().input())
      if (vi.name() == name)
        fail(n, i, std::string("the ") + role + " '" + name +
                       "' is a graph input, not an initializer; convgen needs the weights inside "
                       "the model (torch.onnx.export with export_params=True)");
    fail(n, i, std::string("the ") + role + " '" + name +
                   "' is computed, not a constant; convgen needs constant weights");
  }
  return floatTensor(m_, *t, describeNode(n, i) + ": " + role + " '" + name + "'");
}

Layer& Translator::newLayer(const onnx::NodeProto& n, int i, LayerOp op, const Val& in) {
  if (in.pad) fail(n, i, "reads the output of a Pad; convgen imports Pad only directly before a Conv");
  Layer l;
  l.name = layerName(n, i, net_);
  l.origin = describeNode(n, i);
  l.op = op;
  const int previous = static_cast<int>(net_.layers.size()) - 1;
  if (in.layer < 0) {
    if (previous >= 0)
      fail(n, i, "reads the network input '" + m_.input_name +
                     "', but in convgen's network form only the first layer does");
    l.input_shape = shape(n, i, m_.input_name);
  } else if (in.layer != previous) {
    l.input = net_.layers[static_cast<std::size_t>(in.layer)].name;
  }
  if (n.output_size() > 0) {
    auto it = m_.shapes.find(n.output(0));
    if (it != m_.shapes.end()) l.output_shape = it->second;
  }
  net_.layers.push_back(std::move(l));
  return net_.layers.back();
}

void Translator::setOutputVal(const std::string& name, Val v) {
  auto uses = m_.uses.find(name);
  v.exclusive = v.exclusive && uses != m_.uses.end() && uses->second == 1;
  values_[name] = std::move(v);
}

void Translator::setOutput(const onnx::NodeProto& n, int i, int layer, bool flattened) {
  Val v;
  v.layer = layer;
  v.flattened = flattened;
  setOutputVal(n.output(0), v);
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && m_.uses.count(n.output(k)))
      fail(n, i, "output " + std::to_string(k) + " '" + n.output(k) +
                     "' is used; convgen computes only the first output");
}

const onnx::AttributeProto* Translator::attr(const onnx::NodeProto& n, const char* name) const {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::vector<std::int64_t> Translator::ints(const onnx::NodeProto& n, int i, const char* name,
                                           std::vector<std::int64_t> fallback) const {
  const onnx::AttributeProto* a = attr(n, name);
  if (!a) return fallback;
  if (a->ints_size() > 16) fail(n, i, std::string("attribute '") + name + "' has too many values");
  return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

std::int64_t Translator::intAttr(const onnx::NodeProto& n, int, const char* name,
                                 std::int64_t fallback) const {
  const onnx::AttributeProto* a = attr(n, name);
  return a ? a->i() : fallback;
}

float Translator::floatAttr(const onnx::NodeProto& n, int, const char* name, float fallback) const {
  const onnx::AttributeProto* a = attr(n, name);
  return a ? a->f() : fallback;
}

std::string Translator::stringAttr(const onnx::NodeProto& n, int, const char* name,
                                   std::string fallback) const {
  const onnx::AttributeProto* a = attr(n, name);
  return a ? a->s() : fallback;
}

void Translator::onlyAttrs(const onnx::NodeProto& n, int i,
                           std::initializer_list<const char*> known) const {
  for (const onnx::AttributeProto& a : n.attribute()) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name() == k;
    if (!ok) fail(n, i, "attribute '" + a.name() + "' is not supported for " + n.op_type());
  }
}

}  // namespace convgen::import
