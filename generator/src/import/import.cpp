// importOnnxModel(): load, translate, write (in memory). See convgen/import.h.
#include "convgen/import.h"

#include "convgen/isa.h"
#include "convgen/validate.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "onnx_context.h"

namespace convgen {

ImportResult importOnnxModel(const ImportOptions& options) {
  ImportResult result;
  import::Network net;
  net.source = llvm::sys::path::filename(options.model_path).str();
  net.ns = options.name;
  if (net.ns.empty()) {
    // The model's file stem, as an identifier.
    for (char c : llvm::sys::path::stem(options.model_path))
      net.ns += (llvm::isAlnum(c) ? c : '_');
  }
  std::string why;
  if (!isSafeIdentifier(net.ns, &why) || configFileStem(net.ns + ".yaml") != net.ns) {
    result.errors.push_back("the name '" + net.ns + "' " +
                            (why.empty() ? std::string("cannot name a config file") : why) +
                            "; give a C++ identifier with --name");
    return result;
  }
  net.isa = options.isa;
  try {
    import::Model m;
    import::loadModel(options.model_path, options.input_shape, m);
    net.opset = m.opset;
    import::translateGraph(m, net);
  } catch (const import::ImportError& e) {
    result.errors.push_back(e.message);
    result.io_error = e.io;
    return result;
  } catch (const std::exception& e) {  // protobuf or ONNX internals
    result.errors.push_back(std::string("the ONNX library failed: ") + e.what());
    return result;
  }
  result.layers = net.layers.size();
  if (!net.layers.empty()) result.input_shape = net.layers.front().input_shape;
  result.yaml_name = net.ns + ".yaml";
  result.weights_name = net.ns + ".safetensors";
  result.yaml = import::writeYaml(net);
  result.weights = import::writeSafetensors(net.tensors);
  return result;
}

}  // namespace convgen
