// The network entry point: its declarations in the header and its body, a
// call per step with every tensor's place in the arena a constant.
#include "emit_network.h"

#include "convgen/internal_error.h"
#include "emit_code.h"

namespace convgen::detail {
namespace {

std::string shapeArray(const char* name, const std::vector<std::int64_t>& shape) {
  return "inline constexpr std::array<std::int64_t, " + str(static_cast<std::int64_t>(shape.size())) +
         "> " + name + " = {" + join(shape, ", ") + "};";
}

}  // namespace

std::string renderNetworkDeclarations(const NetworkEmission& net) {
  Code code;
  code.line("// The whole network: every layer above in config order, weights baked in.");
  code.line("// Intermediate tensors live in `arena` (arena_bytes, 64-byte aligned,");
  code.line("// uninitialised is fine); its contents after a call are unspecified.");
  code.line("// Allocates nothing, throws nothing; calls on distinct arenas may run at once.");
  code.line(shapeArray("input_shape", net.input_shape));
  code.line(shapeArray("output_shape", net.output_shape));
  code.line("inline constexpr std::size_t arena_bytes = " + str(net.plan->arena.bytes) + ";");
  code.line("// The most bytes live at once: no arena plan can be smaller.");
  code.line("inline constexpr std::size_t arena_lower_bound = " + str(net.plan->arena.lower_bound) +
            ";");
  code.line("void forward(const " + net.value_type + "* input, " + net.value_type +
            "* output, void* arena) noexcept;");
  // The steps as data, for a test or tool that runs the layers itself:
  // X(layer, input) or R(layer, input, residual), in order; an input or
  // residual is the index of the step whose output it is, -1 the network input.
  const NetworkPlan& plan = *net.plan;
  std::vector<std::int64_t> step_of_tensor(plan.tensors.size());
  for (std::size_t t = 0; t < plan.tensors.size(); ++t)
    step_of_tensor[t] = static_cast<std::int64_t>(plan.tensor_node[t]);
  auto index = [&](const TensorRef& r) {
    return r.kind == TensorRef::Kind::Arena ? str(step_of_tensor[r.tensor]) : std::string("-1");
  };
  std::string steps;
  for (const NetworkStep& step : plan.steps) {
    const std::string& name = net.layers[step.node].ns;
    steps += step.residual ? " R(" + name + ", " + index(step.input) + ", " + index(*step.residual) + ")"
                           : " X(" + name + ", " + index(step.input) + ")";
  }
  code.line("#define " + net.steps_macro + "(X, R)" + steps);
  return code.text();
}

std::string renderNetworkCDeclaration(const NetworkEmission& net) {
  return "void " + net.c_name + "(const " + net.value_type + "* input, " + net.value_type +
         "* output, void* arena);";
}

std::string renderNetworkDefinition(const NetworkEmission& net) {
  const NetworkPlan& plan = *net.plan;
  CONVGEN_CHECK(net.layers.size() == plan.steps.size(), "one network layer per step");
  const std::string& T = net.value_type;
  auto ref = [&](const TensorRef& r, bool is_const) {
    switch (r.kind) {
      case TensorRef::Kind::NetworkInput:
        return std::string("input");
      case TensorRef::Kind::NetworkOutput:
        return std::string("output");
      case TensorRef::Kind::Arena:
        break;
    }
    return "reinterpret_cast<" + std::string(is_const ? "const " : "") + T + "*>(a + " +
           str(plan.arena.offsets[r.tensor]) + ")";
  };
  Code code;
  code.open("namespace " + net.cpp_namespace);
  code.open("void forward(const " + T + "* input, " + T + "* output, void* arena) noexcept");
  if (!plan.tensors.empty()) code.line("unsigned char* const a = static_cast<unsigned char*>(arena);");
  else code.line("(void)arena;  // no intermediate tensors");
  for (const NetworkStep& step : plan.steps) {
    std::string call = net.layers[step.node].ns + "::forward(" + ref(step.input, true) + ", ";
    if (step.residual) call += ref(*step.residual, true) + ", ";
    code.line(call + ref(step.output, false) + ");");
  }
  code.close();
  code.close("  // namespace " + net.cpp_namespace);
  code.line();
  code.open("extern \"C\" void " + net.c_name + "(const " + T + "* input, " + T +
            "* output, void* arena)");
  code.line(net.cpp_namespace + "::forward(input, output, arena);");
  code.close();
  return code.text();
}

}  // namespace convgen::detail
