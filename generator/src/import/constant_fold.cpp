// Folding Identity nodes of constants, and the small integer subgraphs exporters leave for shapes and pads
// (PyTorch's F.pad at opset 11+: ConstantOfShape, Concat, Reshape, Slice,
// Transpose, Cast compute the Pad's `pads` from constants; x.view(x.size(0),
// -1): Shape, Gather, Unsqueeze, Concat give the Reshape's shape) into constants,
// so the walk sees a Pad with constant pads. Only int64/int32 tensors of at
// most 64 elements and rank at most 2; anything else is left for the walk
// (which then names the op as unsupported).
#include <set>

#include "onnx_context.h"

namespace convgen::import {

namespace {

constexpr std::int64_t kMaxFoldElements = 64;

struct IntTensor {
  std::vector<std::int64_t> dims, values;
};

std::optional<IntTensor> constantInt(const Model& m, const std::string& name) {
  const onnx::TensorProto* t = findConstant(m, name);
  if (!t || (t->data_type() != onnx::TensorProto_DataType_INT64 &&
             t->data_type() != onnx::TensorProto_DataType_INT32))
    return std::nullopt;
  IntTensor out;
  out.dims.assign(t->dims().begin(), t->dims().end());
  if (out.dims.size() > 2) return std::nullopt;
  out.values = intTensor(m, *t, "constant '" + name + "'");  // bounded to 64 values
  return out;
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const char* name) {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t count(const std::vector<std::int64_t>& dims) {
  std::int64_t c = 1;
  for (std::int64_t d : dims) {
    if (d < 0 || d > kMaxFoldElements) return -1;
    c *= d;
    if (c > kMaxFoldElements) return -1;
  }
  return c;
}

// ONNX's Slice on one axis: the indices it takes.
std::vector<std::int64_t> sliceIndices(std::int64_t d, std::int64_t s, std::int64_t e,
                                       std::int64_t step) {
  if (s < 0) s += d;
  if (e < 0) e += d;
  if (step > 0) {
    s = std::clamp<std::int64_t>(s, 0, d);
    e = std::clamp<std::int64_t>(e, 0, d);
  } else {
    s = std::clamp<std::int64_t>(s, 0, d - 1);
    e = std::clamp<std::int64_t>(e, -1, d - 1);
  }
  std::vector<std::int64_t> out;
  for (std::int64_t i = s; step > 0 ? i < e : i > e; i += step) out.push_back(i);
  return out;
}

std::optional<IntTensor> fold(const Model& m, const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  auto in = [&](int k) { return n.input_size() > k && !n.input(k).empty() ? constantInt(m, n.input(k)) : std::nullopt; };
  if (op == "Shape") {
    if (n.attribute_size() != 0) return std::nullopt;
    auto it = m.shapes.find(n.input(0));
    if (it == m.shapes.end()) return std::nullopt;
    return IntTensor{{static_cast<std::int64_t>(it->second.size())}, it->second};
  }
  if (op == "ConstantOfShape") {
    const std::optional<IntTensor> shape = in(0);
    const onnx::AttributeProto* v = attribute(n, "value");
    if (!shape || !v || !v->has_t() || shape->values.size() > 2) return std::nullopt;
    const std::optional<IntTensor> fill = [&]() -> std::optional<IntTensor> {
      const onnx::TensorProto& t = v->t();
      if (t.data_type() != onnx::TensorProto_DataType_INT64) return std::nullopt;
      IntTensor f;
      f.values = intTensor(m, t, "ConstantOfShape value");
      return f;
    }();
    const std::int64_t c = count(shape->values);
    if (!fill || fill->values.size() != 1 || c < 0) return std::nullopt;
    return IntTensor{shape->values, std::vector<std::int64_t>(c, fill->values[0])};
  }
  if (op == "Concat") {
    IntTensor out;
    for (int k = 0; k < n.input_size(); ++k) {
      const std::optional<IntTensor> t = in(k);
      if (!t || t->dims.size() != 1) return std::nullopt;
      out.values.insert(out.values.end(), t->values.begin(), t->values.end());
    }
    if (out.values.size() > kMaxFoldElements) return std::nullopt;
    out.dims = {static_cast<std::int64_t>(out.values.size())};
    return out;
  }
  if (op == "Reshape") {
    std::optional<IntTensor> data = in(0), shape = in(1);
    if (!data || !shape || shape->values.size() > 2) return std::nullopt;
    std::vector<std::int64_t> dims = shape->values;
    std::int64_t known = 1;
    int infer = -1;
    for (std::size_t k = 0; k < dims.size(); ++k) {
      if (dims[k] == 0 && k < data->dims.size()) dims[k] = data->dims[k];
      if (dims[k] == -1) infer = static_cast<int>(k);
      else if (dims[k] > 0) known *= dims[k];
      else return std::nullopt;
    }
    const std::int64_t total = static_cast<std::int64_t>(data->values.size());
    if (infer >= 0) {
      if (known == 0 || total % known) return std::nullopt;
      dims[static_cast<std::size_t>(infer)] = total / known;
    }
    if (count(dims) != total) return std::nullopt;
    data->dims = dims;
    return data;
  }
  if (op == "Slice") {
    const std::optional<IntTensor> data = in(0), starts = in(1), ends = in(2);
    if (!data || !starts || !ends || n.attribute_size() != 0 ||
        starts->values.size() != ends->values.size())
      return std::nullopt;
    std::vector<std::int64_t> axes, steps(starts->values.size(), 1);
    for (std::size_t k = 0; k < starts->values.size(); ++k) axes.push_back(static_cast<std::int64_t>(k));
    if (n.input_size() > 3 && !n.input(3).empty()) {
      const std::optional<IntTensor> a = in(3);
      if (!a || a->values.size() != axes.size()) return std::nullopt;
      axes = a->values;
    }
    if (n.input_size() > 4 && !n.input(4).empty()) {
      const std::optional<IntTensor> s = in(4);
      if (!s || s->values.size() != axes.size()) return std::nullopt;
      steps = s->values;
    }
    const std::int64_t rank = static_cast<std::int64_t>(data->dims.size());
    std::vector<std::vector<std::int64_t>> take(data->dims.size());
    for (std::size_t a = 0; a < take.size(); ++a)
      for (std::int64_t i = 0; i < data->dims[a]; ++i) take[a].push_back(i);
    for (std::size_t k = 0; k < axes.size(); ++k) {
      std::int64_t a = axes[k] < 0 ? axes[k] + rank : axes[k];
      if (a < 0 || a >= rank || steps[k] == 0) return std::nullopt;
      take[static_cast<std::size_t>(a)] =
          sliceIndices(data->dims[static_cast<std::size_t>(a)], starts->values[k], ends->values[k], steps[k]);
    }
    IntTensor out;
    for (const auto& t : take) out.dims.push_back(static_cast<std::int64_t>(t.size()));
    if (rank == 1)
      for (std::int64_t i : take[0]) out.values.push_back(data->values[static_cast<std::size_t>(i)]);
    else
      for (std::int64_t i : take[0])
        for (std::int64_t j : take[1]) out.values.push_back(data->values[static_cast<std::size_t>(i * data->dims[1] + j)]);
    return out;
  }
  if (op == "Transpose") {
    const std::optional<IntTensor> data = in(0);
    if (!data) return std::nullopt;
    if (data->dims.size() < 2) return data;
    const onnx::AttributeProto* perm = attribute(n, "perm");
    if (perm && !(perm->ints_size() == 2 && perm->ints(0) == 1 && perm->ints(1) == 0)) return std::nullopt;
    IntTensor out{{data->dims[1], data->dims[0]}, {}};
    for (std::int64_t j = 0; j < data->dims[1]; ++j)
      for (std::int64_t i = 0; i < data->dims[0]; ++i)
        out.values.push_back(data->values[static_cast<std::size_t>(i * data->dims[1] + j)]);
    return out;
  }
  if (op == "Gather") {  // x.size(0): a scalar or 1-D index into a 1-D constant
    const std::optional<IntTensor> data = in(0), idx = in(1);
    const onnx::AttributeProto* axis = attribute(n, "axis");
    if (!data || !idx || data->dims.size() != 1 || idx->dims.size() > 1 || (axis && axis->i() != 0))
      return std::nullopt;
    IntTensor out{idx->dims, {}};
    for (std::int64_t k : idx->values) {
      const std::int64_t d = data->dims[0];
      if (k < -d || k >= d) return std::nullopt;
      out.values.push_back(data->values[static_cast<std::size_t>(k < 0 ? k + d : k)]);
    }
    return out;
  }
  if (op == "Unsqueeze") {  // a scalar to [1] (axes as attribute before opset 13, input after)
    const std::optional<IntTensor> data = in(0);
    std::vector<std::int64_t> axes;
    if (const onnx::AttributeProto* a = attribute(n, "axes")) axes.assign(a->ints().begin(), a->ints().end());
    else if (const std::optional<IntTensor> a = in(1)) axes = a->values;
    if (!data || !data->dims.empty() || axes != std::vector<std::int64_t>{0}) return std::nullopt;
    return IntTensor{{1}, data->values};
  }
  if (op == "Cast") {
    const onnx::AttributeProto* to = attribute(n, "to");
    if (!to || (to->i() != onnx::TensorProto_DataType_INT64 && to->i() != onnx::TensorProto_DataType_INT32))
      return std::nullopt;
    return in(0);
  }
  return std::nullopt;
}

}  // namespace

void foldConstants(Model& m) {
  const onnx::GraphProto& g = m.proto.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    if (n.output_size() != 1 || (!n.domain().empty() && n.domain() != "ai.onnx")) continue;
    // Identity of a constant (exporters write one per shared weight): the
    // constant itself, of any type.
    if (n.op_type() == "Identity" && n.input_size() == 1) {
      if (const onnx::TensorProto* c = findConstant(m, n.input(0))) {
        onnx::TensorProto copy = *c;
        copy.set_name(n.output(0));
        m.constants[n.output(0)] = std::move(copy);
        m.folded.insert(i);
        continue;
      }
    }
    const std::optional<IntTensor> t = fold(m, n);
    if (!t) continue;
    onnx::TensorProto& out = m.constants[n.output(0)];
    out.set_name(n.output(0));
    out.set_data_type(onnx::TensorProto_DataType_INT64);
    for (std::int64_t d : t->dims) out.add_dims(d);
    for (std::int64_t v : t->values) out.add_int64_data(v);
    m.folded.insert(i);
  }
}

}  // namespace convgen::import
