// conv_transpose2d layers (docs/design.md "conv_transpose2d"): the code of
// the view conv (conv_transpose.h) in a nested namespace `view`, and the
// layer's entry points on it:
//   forward         = view's backward_input (the stride-phase gather), then
//                     bias, residual and activation in one pass
//   backward_input  = view's forward (grad_input of a transpose is a conv)
//   backward_weight = view's backward_weight with input and grad_output
//                     swapped (derived in docs/design.md)
//   backward_bias   = the sum of grad_output per output channel
#include "convgen/baked_weights.h"
#include "convgen/internal_error.h"
#include "emit_backward.h"
#include "emit_code.h"
#include "emit_epilogue.h"

namespace convgen::detail {
namespace {

StrategyCode viewStrategy(const KernelPlan& v) {
  switch (v.strategy()) {
    case Strategy::Direct:
      return emitDirect(v);
    case Strategy::DirectVector:
      return emitDirectVector(v);
    case Strategy::ChannelVector:
      break;
  }
  CONVGEN_CHECK(false, "a view conv with a packed-only strategy");
  return {};
}

std::string cType(const LayerSpec& l) {
  const std::string type(cppType(l.dtype));
  return type.rfind("std::", 0) == 0 ? type.substr(5) : type;
}

std::int64_t weightCount(const KernelPlan& p) {
  return p.shapes.params - (p.layer.bias ? p.layer.out_channels : 0);
}

// The view's code: constants, the gather, and with backward its forward and
// backward_weight.
std::string viewCode(const KernelPlan& v) {
  const BackwardPlan b = planBackward(v);
  const BackwardCode in = emitBackwardInput(v, b, /*rows=*/true);
  const std::string attr = targetAttribute(v);
  Code c;
  c.line("// The conv whose input gradient this layer is: " + summary(v) + ".");
  c.line("// Kernel " + v.kernelName() + " (its forward is this layer's backward_input).");
  c.open("namespace view");
  c.line("using T = " + std::string(cppType(v.layer.dtype)) + ";");
  c.line("using Acc = " + accType(v.layer.dtype) + ";");
  c.line(layerConstants(v));
  c.line(backwardTables(v, b));
  c.line();
  c.line(in.helpers);
  c.line();
  c.line(in.entry);
  if (v.layer.backward) {
    const StrategyCode s = viewStrategy(v);
    const BackwardCode w = emitBackwardWeight(v, b);
    c.line();
    c.line(s.kernels);
    c.line();
    c.open(attr + "void forward_rows(const T* input, const T* weight, const T* bias, T* output, "
                  "std::int64_t n, std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
    c.line("(void)bias;  // the view has none");
    c.line(s.body);
    c.close();
    c.line();
    c.line(w.helpers);
    c.line();
    c.line(w.entry);
  }
  c.close("  // namespace view");
  return c.text();
}

}  // namespace

std::string renderConvTranspose(const ModelSpec& model, const KernelPlan& p) {
  CONVGEN_CHECK(p.view != nullptr, "a conv_transpose2d plan without its view");
  const LayerSpec& l = p.layer;
  const KernelPlan& v = *p.view;
  const std::string t(cppType(l.dtype)), attr = targetAttribute(p);
  const std::string ns = model.cpp_namespace + "::" + l.name;
  const bool res = l.epilogue.hasResidual();
  const std::string res_param = res ? "const T* residual, " : "", res_arg = res ? "residual, " : "";
  const std::string wcount = str(weightCount(p));
  Code c;
  c.line("// ---------------------------------------------------------------------------");
  c.line("// " + summary(p) + ", output_padding " + str(l.output_padding.h) + "x" +
         str(l.output_padding.w) + " (conv_transpose2d)");
  c.open("namespace " + ns);
  c.open("namespace");
  c.line(viewCode(v));
  c.line();
  c.line("using T = " + t + ";");
  c.line("using Acc = " + accType(l.dtype) + ";");
  c.line("constexpr std::int64_t kN = " + str(l.batch) + ", kO = " + str(l.out_channels) +
         ", kOH = " + str(p.shapes.out_height) + ", kOW = " + str(p.shapes.out_width) +
         ", kPlane = kOH * kOW;  // output");
  if (l.epilogue.activation != Activation::None) c.line(activationFunction(l));
  c.line();
  c.line("// Output rows [oh_lo, oh_hi) of image n, every channel: the view's gather writes");
  c.line("// every element of them; then bias" + std::string(res ? ", residual" : "") +
         (l.epilogue.activation != Activation::None ? ", activation" : "") +
         " per element. forward() is every row");
  c.line("// of every image, forward_partition() a share of them.");
  c.open(attr + "void forward_rows(const T* input, const T* weight, const T* bias, " + res_param +
         "T* output, std::int64_t n, std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
  c.line("view::backward_input_rows(input, weight, output, n, oh_lo, oh_hi);");
  if (l.bias || l.epilogue.any()) {
    c.open("for (std::int64_t o = 0; o < kO; ++o)");
    c.line("T* y = output + (n * kO + o) * kPlane;");
    if (res) c.line("const T* r = residual + (n * kO + o) * kPlane;");
    c.line(l.bias ? "const T b = bias[o];" : "(void)bias;");
    c.line("for (std::int64_t i = oh_lo * kOW; i < oh_hi * kOW; ++i) " +
           scalarStore(l, "y[i]", l.bias ? "y[i] + b" : "y[i]", "r[i]"));
    c.close();
  } else {
    c.line("(void)bias;  // bias: false");
  }
  c.close();
  c.line();
  c.line("// Rows [oh_lo, oh_hi) of image n in part `part` of `parts`: the part's contiguous");
  c.line("// share of every image's output rows (conv2d's partRows, one row per unit).");
  c.open("inline void partRows(int part, int parts, std::int64_t n, std::int64_t& oh_lo, "
         "std::int64_t& oh_hi) noexcept");
  c.line("const std::int64_t total = kN * kOH;");
  c.line("const std::int64_t lo = total * part / parts - n * kOH;");
  c.line("const std::int64_t hi = total * (part + 1) / parts - n * kOH;");
  c.line("oh_lo = lo < 0 ? 0 : lo > kOH ? kOH : lo;");
  c.line("oh_hi = hi < 0 ? 0 : hi > kOH ? kOH : hi;");
  c.close();
  c.close("  // namespace");
  c.line();
  c.line("// output = conv_transpose2d(input, weight) (+ bias" + std::string(res ? ", residual" : "") +
         (l.epilogue.activation != Activation::None ? ", activation" : "") + ").");
  c.open(attr + "void forward(const T* input, const T* weight, const T* bias, " + res_param +
         "T* output) noexcept");
  c.line("for (std::int64_t n = 0; n < kN; ++n) forward_rows(input, weight, bias, " + res_arg +
         "output, n, 0, kOH);");
  c.close();
  c.line();
  c.open(attr + "void forward_partition(const T* input, const T* weight, const T* bias, " +
         res_param + "T* output, int part, int parts) noexcept");
  c.line("if (parts < 1 || part < 0 || part >= parts) return;");
  c.open("for (std::int64_t n = 0; n < kN; ++n)");
  c.line("std::int64_t oh_lo = 0, oh_hi = 0;");
  c.line("partRows(part, parts, n, oh_lo, oh_hi);");
  c.line("if (oh_lo < oh_hi) forward_rows(input, weight, bias, " + res_arg +
         "output, n, oh_lo, oh_hi);");
  c.close();
  c.close();
  c.line();
  c.line("// Packed weights are PyTorch's: weight, then bias.");
  c.open("void pack_weights(const T* weight, const T* bias, T* packed) noexcept");
  c.line("for (std::int64_t i = 0; i < " + wcount + "; ++i) packed[i] = weight[i];");
  c.line(l.bias ? "for (std::int64_t i = 0; i < kO; ++i) packed[" + wcount + " + i] = bias[i];"
                : "(void)bias;");
  c.close();
  c.line();
  const std::string packed_bias = l.bias ? "packed + " + wcount : std::string("nullptr");
  c.open("void forward_packed(const T* input, const T* packed, " + res_param + "T* output) noexcept");
  c.line("forward(input, packed, " + packed_bias + ", " + res_arg + "output);");
  c.close();
  c.line();
  c.open("void forward_packed_partition(const T* input, const T* packed, " + res_param +
         "T* output, int part, int parts) noexcept");
  c.line("forward_partition(input, packed, " + packed_bias + ", " + res_arg + "output, part, parts);");
  c.close();
  if (l.backward) {
    c.line();
    c.line("// Gradients (docs/design.md): dL/dx is the view conv's forward of grad_output;");
    c.line("// dL/dW the view's backward_weight with input and grad_output swapped.");
    c.open(attr + "void backward_input(const T* grad_output, const T* weight, T* grad_input) noexcept");
    c.line("for (std::int64_t n = 0; n < view::kN; ++n) view::forward_rows(grad_output, weight, "
           "nullptr, grad_input, n, 0, view::kOH);");
    c.close();
    c.line();
    c.open(attr + "void backward_weight(const T* input, const T* grad_output, T* grad_weight) noexcept");
    c.line("view::backward_weight(grad_output, input, grad_weight);");
    c.close();
    if (l.bias) {
      c.line();
      c.open(attr + "void backward_bias(const T* grad_output, T* grad_bias) noexcept");
      c.open("for (std::int64_t o = 0; o < kO; ++o)");
      c.line("Acc s = Acc(0);");
      c.open("for (std::int64_t n = 0; n < kN; ++n)");
      c.line("const T* g = grad_output + (n * kO + o) * kPlane;");
      c.line("for (std::int64_t i = 0; i < kPlane; ++i) s += Acc(g[i]);");
      c.close();
      c.line("grad_bias[o] = T(s);");
      c.close();
      c.close();
    }
  }
  c.close("  // namespace " + ns);
  auto twin = [&](const std::string& entry, const std::string& params, const std::string& args) {
    c.line();
    c.line("extern \"C\" void " + cName(model, l, entry) + "(" + params + ") {");
    c.line("  " + ns + "::" + entry + "(" + args + ");");
    c.line("}");
  };
  twin("forward", "const " + t + "* input, const " + t + "* weight, const " + t + "* bias, " +
                      (res ? "const " + t + "* residual, " : "") + t + "* output",
       "input, weight, bias, " + res_arg + "output");
  twin("pack_weights", "const " + t + "* weight, const " + t + "* bias, " + t + "* packed",
       "weight, bias, packed");
  twin("forward_packed", "const " + t + "* input, const " + t + "* packed, " +
                             (res ? "const " + t + "* residual, " : "") + t + "* output",
       "input, packed, " + res_arg + "output");
  twin("forward_partition", "const " + t + "* input, const " + t + "* weight, const " + t +
                                "* bias, " + (res ? "const " + t + "* residual, " : "") + t +
                                "* output, int part, int parts",
       "input, weight, bias, " + res_arg + "output, part, parts");
  twin("forward_packed_partition", "const " + t + "* input, const " + t + "* packed, " +
                                       (res ? "const " + t + "* residual, " : "") + t +
                                       "* output, int part, int parts",
       "input, packed, " + res_arg + "output, part, parts");
  if (l.backward) {
    twin("backward_input", "const " + t + "* grad_output, const " + t + "* weight, " + t +
                               "* grad_input",
         "grad_output, weight, grad_input");
    twin("backward_weight", "const " + t + "* input, const " + t + "* grad_output, " + t +
                                "* grad_weight",
         "input, grad_output, grad_weight");
    if (l.bias)
      twin("backward_bias", "const " + t + "* grad_output, " + t + "* grad_bias",
           "grad_output, grad_bias");
  }
  return c.text() + bakedLayerCode(model, p) + "\n";
}

std::string convTransposeDeclaration(const ModelSpec& model, const KernelPlan& p,
                                     const std::string& info) {
  const LayerSpec& l = p.layer;
  const std::string t(cppType(l.dtype));
  const std::string res = l.epilogue.hasResidual() ? "const " + t + "* residual, " : "";
  Code c;
  c.line();
  c.line("// " + summary(p) + ", output_padding " + str(l.output_padding.h) + "x" +
         str(l.output_padding.w) + " (conv_transpose2d)");
  c.line("namespace " + l.name + " {");
  c.line("using value_type = " + t + ";");
  c.line("inline constexpr std::array<std::int64_t, " + str(p.shapes.input.size()) +
         "> input_shape = {" + join(p.shapes.input, ", ") + "};");
  c.line("inline constexpr std::array<std::int64_t, 4> weight_shape = {" +
         join(p.shapes.weight, ", ") + "};  // (in, out/groups, kh, kw)");
  c.line("inline constexpr std::array<std::int64_t, 1> bias_shape = {" +
         (l.bias ? str(l.out_channels) : std::string("0")) + "};  // {0} without bias");
  c.line("inline constexpr std::array<std::int64_t, " + str(p.shapes.output.size()) +
         "> output_shape = {" + join(p.shapes.output, ", ") + "};");
  c.line("inline constexpr std::array<std::int64_t, 2> output_padding = {" +
         str(l.output_padding.h) + ", " + str(l.output_padding.w) + "};");
  c.line("inline constexpr ::convgen::generated::LayerInfo info = {" + info + "};" +
         epilogueDeclaration(l));
  c.line();
  c.line("// output = conv_transpose2d(input, weight) + bias (nn.ConvTranspose2d), all");
  c.line("// contiguous in PyTorch's layout (NCHW; weight (in, out/groups, kh, kw)). `bias` is");
  c.line(std::string("// ") + (l.bias ? "(out_channels) values." : "unused: pass nullptr (bias: false).") +
         epilogueNote(l));
  c.line("// Allocates nothing, throws nothing; safe to call from several threads.");
  c.line("void forward(const " + t + "* input, const " + t + "* weight, const " + t + "* bias, " +
         res + t + "* output) noexcept;");
  c.line();
  c.line("// Packed weights are PyTorch's own (weight, then bias): packed_weight_size values.");
  c.line("inline constexpr std::size_t packed_weight_size = " + str(p.packedWeightSize()) + ";");
  c.line("void pack_weights(const " + t + "* weight, const " + t + "* bias, " + t +
         "* packed) noexcept;");
  c.line("void forward_packed(const " + t + "* input, const " + t + "* packed, " + res + t +
         "* output) noexcept;");
  c.line();
  c.line("// Part `part` of `parts` (0 <= part < parts) of forward() / forward_packed():");
  c.line("// a disjoint, balanced share of the output rows. Calling every part, in any");
  c.line("// order or on as many threads, gives forward()'s output bit for bit; the");
  c.line("// code has no threads or synchronization of its own.");
  c.line("void forward_partition(const " + t + "* input, const " + t + "* weight, const " + t +
         "* bias, " + res + t + "* output, int part, int parts) noexcept;");
  c.line("void forward_packed_partition(const " + t + "* input, const " + t + "* packed, " + res +
         t + "* output, int part, int parts) noexcept;" + backwardDeclarations(p));
  c.line(bakedDeclaration(model, p) + "}  // namespace " + l.name);
  return c.text();
}

std::string convTransposeCDeclarations(const ModelSpec& model, const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const std::string t = cType(l);
  const std::string res = l.epilogue.hasResidual() ? "const " + t + "* residual, " : "";
  return "void " + cName(model, l) + "(const " + t + "* input, const " + t + "* weight, const " +
         t + "* bias, " + res + t + "* output);\nvoid " + cName(model, l, "pack_weights") +
         "(const " + t + "* weight, const " + t + "* bias, " + t + "* packed);\nvoid " +
         cName(model, l, "forward_packed") + "(const " + t + "* input, const " + t + "* packed, " +
         res + t + "* output);\nvoid " + cName(model, l, "forward_partition") + "(const " + t +
         "* input, const " + t + "* weight, const " + t + "* bias, " + res + t +
         "* output, int part, int parts);\nvoid " + cName(model, l, "forward_packed_partition") +
         "(const " + t + "* input, const " + t + "* packed, " + res + t +
         "* output, int part, int parts);" + bakedCDeclaration(model, p) +
         backwardCDeclarations(model, p);
}

std::string convTransposeMacro(const std::string& list, const std::string& full_prefix,
                               const std::string& short_prefix) {
  if (list.empty()) return "";
  const std::string full = full_prefix + "_CONV_TRANSPOSE_LAYERS";
  const std::string short_name = short_prefix + "_CONV_TRANSPOSE_LAYERS";
  return "\n// The conv_transpose2d layers, in config order.\n#define " + full + "(X) " + list +
         "\n#ifndef " + short_name + "\n#define " + short_name + "(X) " + full + "(X)\n#endif";
}

}  // namespace convgen::detail
