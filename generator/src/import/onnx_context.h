// What the importer's ONNX translation units share: the loaded, checked,
// shape-inferred model and lookups over it. Only generator/src/import/*.cpp
// include this (ONNX and protobuf headers are slow to compile).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "network.h"
#include "onnx/onnx_pb.h"

namespace convgen::import {

// A failed import: the first problem, already worded for the user.
struct ImportError {
  std::string message;
  bool io = false;  // the model file could not be read (exit status 3)
};

struct Model {
  onnx::ModelProto proto;
  std::string path, dir;  // the file and its directory (for external data)
  std::int64_t opset = 0;
  std::map<std::string, const onnx::TensorProto*> initializers;
  std::map<std::string, onnx::TensorProto> constants;  // outputs of Constant nodes
  std::map<std::string, std::vector<std::int64_t>> shapes;  // every static shape known
  std::map<std::string, int> uses;  // node inputs and graph outputs reading each name
  std::string input_name;           // the one graph input that is not an initializer
  std::set<int> folded;             // nodes computed here (constant_fold.cpp)
};

// Folds small integer subgraphs of constants into m.constants (constant_fold.cpp).
void foldConstants(Model& m);

// "node 'conv1' (Conv, #3)"; an unnamed node is named by its op and index.
std::string describeNode(const onnx::NodeProto& node, int index);

// Loads `path` (parse, external data, onnx::checker, the input shape,
// onnx::shape_inference). Throws ImportError.
void loadModel(const std::string& path, const std::vector<std::int64_t>& input_shape, Model& m);

// A constant (initializer or Constant output) by name, or null.
const onnx::TensorProto* findConstant(const Model& m, const std::string& name);
// Its float32 values, checked against its dims (`what` names it in errors).
Tensor floatTensor(const Model& m, const onnx::TensorProto& t, const std::string& what);
// Its integer values (INT64 or INT32).
std::vector<std::int64_t> intTensor(const Model& m, const onnx::TensorProto& t,
                                    const std::string& what);

// Translates the graph into `net` (onnx_graph.cpp). Throws ImportError.
void translateGraph(const Model& m, Network& net);

// The layer name for a node: its name as a safe, unique C++ identifier.
std::string layerName(const onnx::NodeProto& node, int index, const Network& net);

}  // namespace convgen::import
