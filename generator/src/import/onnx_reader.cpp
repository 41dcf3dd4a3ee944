// Loading an ONNX model with ONNX's own library: protobuf parsing, external
// data, onnx::checker, the network input's shape, onnx::shape_inference.
// Every count read from the file is bounded before it is multiplied or
// allocated.
#include <cstring>
#include <limits>

#include "convgen/config.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx_context.h"

namespace convgen::import {

namespace {

// Models are read whole; protobuf itself refuses messages over 2 GiB.
constexpr std::uint64_t kMaxModelBytes = std::uint64_t{1} << 30;

[[noreturn]] void fail(const std::string& message) { throw ImportError{message}; }

std::string dimsText(const std::vector<std::int64_t>& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// The number of elements of `dims`, or nullopt past kMaxTensorElements (or
// for a negative dimension).
std::optional<std::int64_t> elementCount(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxTensorElements) return std::nullopt;
  }
  return n;
}

std::vector<std::int64_t> dimsOf(const onnx::TensorProto& t) {
  return std::vector<std::int64_t>(t.dims().begin(), t.dims().end());
}

// The bytes of an external tensor: a relative path inside the model's
// directory, offset and length checked against the file.
std::string externalBytes(const Model& m, const onnx::TensorProto& t, const std::string& what) {
  std::string location;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  for (const onnx::StringStringEntryProto& e : t.external_data()) {
    unsigned long long v = 0;
    if (e.key() == "location") location = e.value();
    else if ((e.key() == "offset" || e.key() == "length") &&
             llvm::StringRef(e.value()).getAsInteger(10, v))
      fail(what + ": external data " + e.key() + " '" + e.value() + "' is not a number");
    else if (e.key() == "offset") offset = v;
    else if (e.key() == "length") length = v;
  }
  if (location.empty()) fail(what + ": external data without a location");
  if (llvm::sys::path::is_absolute(location) || llvm::StringRef(location).contains(".."))
    fail(what + ": external data location '" + location +
         "' must be a relative path inside the model's directory");
  llvm::SmallString<256> file(m.dir);
  llvm::sys::path::append(file, location);
  if (!llvm::sys::fs::is_regular_file(file))
    fail(what + ": external data file '" + std::string(file) + "' is missing (or not a regular file)");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
      llvm::MemoryBuffer::getFile(file, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) fail(what + ": cannot read external data file '" + std::string(file) + "': " +
                 buf.getError().message());
  const std::uint64_t size = (*buf)->getBufferSize();
  const std::uint64_t len = length ? *length : (offset <= size ? size - offset : 0);
  if (offset > size || len > size - offset)
    fail(what + ": external data [" + std::to_string(offset) + ", +" + std::to_string(len) +
         ") lies outside '" + std::string(file) + "' (" + std::to_string(size) + " bytes)");
  return std::string((*buf)->getBufferStart() + offset, len);
}

// The raw little-endian bytes of `t`, or "" when its values are in the typed fields.
bool rawBytes(const Model& m, const onnx::TensorProto& t, const std::string& what, std::string& out) {
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    out = externalBytes(m, t, what);
    return true;
  }
  if (t.has_raw_data()) {
    out = t.raw_data();
    return true;
  }
  return false;
}

std::int64_t checkedCount(const onnx::TensorProto& t, const std::string& what) {
  const std::optional<std::int64_t> n = elementCount(dimsOf(t));
  if (!n)
    fail(what + ": shape " + dimsText(dimsOf(t)) + " has a negative dimension or more than " +
         std::to_string(kMaxTensorElements) + " elements");
  return *n;
}

[[noreturn]] void shortData(const std::string& what, const onnx::TensorProto& t, std::int64_t have,
                            std::int64_t want) {
  fail(what + ": shape " + dimsText(dimsOf(t)) + " needs " + std::to_string(want) +
       " values but the data holds " + std::to_string(have));
}

// Every node input is defined before the node: clearer than the checker's
// message, and it names the node. All such problems are reported at once.
void checkInputsDefined(const onnx::GraphProto& g) {
  std::map<std::string, int> produced_by;
  for (int i = 0; i < g.node_size(); ++i)
    for (const std::string& out : g.node(i).output())
      if (!out.empty()) produced_by.emplace(out, i);
  std::map<std::string, bool> defined;
  for (const onnx::ValueInfoProto& vi : g.input()) defined[vi.name()] = true;
  for (const onnx::TensorProto& t : g.initializer()) defined[t.name()] = true;
  std::string problems;
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    for (int k = 0; k < n.input_size(); ++k) {
      const std::string& in = n.input(k);
      if (in.empty() || defined.count(in)) continue;
      auto it = produced_by.find(in);
      if (!problems.empty()) problems += "\n";
      problems += describeNode(n, i) + ": input " + std::to_string(k) + " '" + in + "' " +
                  (it == produced_by.end()
                       ? std::string("is not a graph input, an initializer or any node's output")
                       : "is produced only by a later " + describeNode(g.node(it->second), it->second) +
                             " (a cycle, or nodes out of topological order)");
    }
    for (const std::string& out : n.output())
      if (!out.empty()) defined[out] = true;
  }
  if (!problems.empty()) fail(problems);
}

// onnx::shape_inference, then every static shape into m.shapes, bounded.
void inferShapes(Model& m) {
  try {
    // Types are convgen's own checks (float32 input and weights, named).
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/1);
    onnx::shape_inference::InferShapes(m.proto, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    fail(std::string("onnx::shape_inference fails: ") + e.what());
  }
  const onnx::GraphProto& g = m.proto.graph();
  // InferShapes may have reallocated repeated fields: look everything up again.
  m.initializers.clear();
  for (const onnx::TensorProto& t : g.initializer()) m.initializers[t.name()] = &t;
  auto record = [&](const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    std::vector<std::int64_t> dims;
    for (const onnx::TensorShapeProto_Dimension& d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value()) return;
      dims.push_back(d.dim_value());
    }
    m.shapes[vi.name()] = dims;
  };
  for (const onnx::ValueInfoProto& vi : g.input()) record(vi);
  for (const onnx::ValueInfoProto& vi : g.value_info()) record(vi);
  for (const onnx::ValueInfoProto& vi : g.output()) record(vi);
  for (const auto& [name, dims] : m.shapes)
    if (!elementCount(dims))
      fail("tensor '" + name + "' has shape " + dimsText(dims) + ", more than " +
           std::to_string(kMaxTensorElements) + " elements (the most convgen supports)");
}

}  // namespace

std::string describeNode(const onnx::NodeProto& node, int index) {
  return "node '" + (node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name()) +
         "' (" + node.op_type() + ", #" + std::to_string(index) + ")";
}

const onnx::TensorProto* findConstant(const Model& m, const std::string& name) {
  if (auto it = m.constants.find(name); it != m.constants.end()) return &it->second;
  if (auto it = m.initializers.find(name); it != m.initializers.end()) return it->second;
  return nullptr;
}

Tensor floatTensor(const Model& m, const onnx::TensorProto& t, const std::string& what) {
  if (t.data_type() != onnx::TensorProto_DataType_FLOAT)
    fail(what + " is " +
         onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(t.data_type())) +
         "; convgen imports float32 weights only (export the model in float32)");
  Tensor out;
  out.shape = dimsOf(t);
  const std::int64_t n = checkedCount(t, what);
  std::string raw;
  if (rawBytes(m, t, what, raw)) {
    if (raw.size() != static_cast<std::uint64_t>(n) * 4)
      shortData(what, t, static_cast<std::int64_t>(raw.size() / 4), n);
    out.data.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint32_t bits = llvm::support::endian::read32le(raw.data() + 4 * i);
      std::memcpy(&out.data[static_cast<std::size_t>(i)], &bits, 4);
    }
  } else {
    if (t.float_data_size() != n) shortData(what, t, t.float_data_size(), n);
    out.data.assign(t.float_data().begin(), t.float_data().end());
  }
  for (float v : out.data)
    if (!(v == v) || v == std::numeric_limits<float>::infinity() ||
        v == -std::numeric_limits<float>::infinity())
      fail(what + " holds a NaN or infinity");
  return out;
}

std::vector<std::int64_t> intTensor(const Model& m, const onnx::TensorProto& t,
                                    const std::string& what) {
  const bool i64 = t.data_type() == onnx::TensorProto_DataType_INT64;
  if (!i64 && t.data_type() != onnx::TensorProto_DataType_INT32)
    fail(what + " must be an int64 tensor");
  const std::int64_t n = checkedCount(t, what);
  if (n > 64) fail(what + " has " + std::to_string(n) + " values; at most 64 expected");
  std::vector<std::int64_t> out;
  std::string raw;
  const std::size_t width = i64 ? 8 : 4;
  if (rawBytes(m, t, what, raw)) {
    if (raw.size() != static_cast<std::uint64_t>(n) * width)
      shortData(what, t, static_cast<std::int64_t>(raw.size() / width), n);
    for (std::int64_t i = 0; i < n; ++i)
      out.push_back(i64 ? static_cast<std::int64_t>(llvm::support::endian::read64le(raw.data() + 8 * i))
                        : static_cast<std::int32_t>(llvm::support::endian::read32le(raw.data() + 4 * i)));
  } else if (i64) {
    if (t.int64_data_size() != n) shortData(what, t, t.int64_data_size(), n);
    out.assign(t.int64_data().begin(), t.int64_data().end());
  } else {
    if (t.int32_data_size() != n) shortData(what, t, t.int32_data_size(), n);
    out.assign(t.int32_data().begin(), t.int32_data().end());
  }
  return out;
}

void loadModel(const std::string& path, const std::vector<std::int64_t>& input_shape, Model& m) {
  m.path = path;
  m.dir = llvm::sys::path::parent_path(path).str();
  if (m.dir.empty()) m.dir = ".";
  if (!llvm::sys::fs::is_regular_file(path))
    throw ImportError{"cannot read the model: not a regular file (or missing)", true};
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf) throw ImportError{"cannot read the model: " + buf.getError().message(), true};
  if ((*buf)->getBufferSize() > kMaxModelBytes)
    fail("the model is over " + std::to_string(kMaxModelBytes) + " bytes");
  if (!m.proto.ParseFromArray((*buf)->getBufferStart(), static_cast<int>((*buf)->getBufferSize())))
    fail("not an ONNX model: protobuf parsing failed (a truncated or corrupt file?)");
  if (!m.proto.has_graph() || m.proto.graph().node_size() == 0) fail("the model has no graph nodes");
  for (const onnx::OperatorSetIdProto& op : m.proto.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") m.opset = op.version();
  if (m.opset < 6 || m.opset > 17)
    fail("opset " + std::to_string(m.opset) + " of the default domain; convgen imports opsets 6 through 17");

  checkInputsDefined(m.proto.graph());
  try {
    onnx::checker::check_model(m.proto);
  } catch (const std::exception& e) {
    fail(std::string("onnx::checker rejects the model: ") + e.what());
  }

  onnx::GraphProto& g = *m.proto.mutable_graph();
  for (const onnx::TensorProto& t : g.initializer()) m.initializers[t.name()] = &t;
  onnx::ValueInfoProto* input = nullptr;
  for (onnx::ValueInfoProto& vi : *g.mutable_input()) {
    if (m.initializers.count(vi.name())) continue;  // an initializer's default (IR < 4)
    if (input)
      fail("the graph has more than one input that is not an initializer ('" + input->name() +
           "', '" + vi.name() + "'); convgen networks have one input, and weights must be "
           "initializers (torch.onnx.export with export_params=True)");
    input = &vi;
  }
  if (!input) fail("the graph has no input that is not an initializer");
  m.input_name = input->name();
  if (!input->type().has_tensor_type() ||
      input->type().tensor_type().elem_type() != onnx::TensorProto_DataType_FLOAT)
    fail("input '" + m.input_name + "' is not a float32 tensor; convgen imports float32 networks");
  onnx::TensorShapeProto* shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
  if (!input_shape.empty()) {
    if (static_cast<std::size_t>(shape->dim_size()) != input_shape.size())
      fail("--input-shape has " + std::to_string(input_shape.size()) + " dimensions but input '" +
           m.input_name + "' has " + std::to_string(shape->dim_size()));
    for (int i = 0; i < shape->dim_size(); ++i) {
      onnx::TensorShapeProto_Dimension* d = shape->mutable_dim(i);
      if (d->has_dim_value() && d->dim_value() != input_shape[static_cast<std::size_t>(i)])
        fail("--input-shape gives dimension " + std::to_string(i) + " as " +
             std::to_string(input_shape[static_cast<std::size_t>(i)]) + " but input '" +
             m.input_name + "' fixes it to " + std::to_string(d->dim_value()));
      d->set_dim_value(input_shape[static_cast<std::size_t>(i)]);
    }
  }
  std::vector<std::int64_t> in_dims;
  for (int i = 0; i < shape->dim_size(); ++i) {
    const onnx::TensorShapeProto_Dimension& d = shape->dim(i);
    if (!d.has_dim_value())
      fail("input '" + m.input_name + "' has a dynamic dimension " + std::to_string(i) +
           (d.has_dim_param() ? " ('" + d.dim_param() + "')" : std::string()) +
           "; give the shape with --input-shape N,C,H,W");
    in_dims.push_back(d.dim_value());
  }
  if (in_dims.size() != 4 && in_dims.size() != 3)
    fail("input '" + m.input_name + "' has shape " + dimsText(in_dims) +
         "; convgen imports 2-D networks with an [N, C, H, W] (or unbatched [C, H, W]) input");
  if (!elementCount(in_dims) || *elementCount(in_dims) == 0)
    fail("input '" + m.input_name + "' has shape " + dimsText(in_dims) +
         ": convgen supports 1 to " + std::to_string(kMaxTensorElements) + " elements");

  inferShapes(m);
  for (const onnx::NodeProto& n : g.node()) {
    if (n.op_type() != "Constant" || n.output_size() != 1) continue;
    for (const onnx::AttributeProto& a : n.attribute())
      if (a.name() == "value" && a.has_t()) m.constants[n.output(0)] = a.t();
  }
  for (const onnx::NodeProto& n : g.node())
    for (const std::string& in : n.input())
      if (!in.empty()) ++m.uses[in];
  for (const onnx::ValueInfoProto& vi : g.output()) ++m.uses[vi.name()];
  foldConstants(m);
  if (m.folded.empty()) return;
  // Shape inference again, with every folded node now a Constant (same
  // index, name and output), so that what reads them (a Pad's pads) gets
  // its shapes.
  for (int i : m.folded) {
    onnx::NodeProto* n = g.mutable_node(i);
    const onnx::TensorProto value = m.constants.at(n->output(0));
    n->clear_input();
    n->clear_attribute();
    n->set_op_type("Constant");
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
    *a->mutable_t() = value;
  }
  inferShapes(m);
}

}  // namespace convgen::import
