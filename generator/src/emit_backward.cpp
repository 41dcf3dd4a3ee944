// The backward block of a layer (emit_backward.h): the stride-phase tables
// and padding folds both gradient kernels read, the entry points and their
// C twins, and the header's declarations.
#include "emit_backward.h"

#include "convgen/internal_error.h"

namespace convgen::detail {
namespace {

std::string cType(const LayerSpec& l) {
  const std::string type(cppType(l.dtype));
  return type.rfind("std::", 0) == 0 ? type.substr(5) : type;
}

std::string list(const std::vector<std::int64_t>& v) { return "{" + join(v, ", ") + "}"; }

// The tables of one axis ("Row" or "Col"), see plan_backward.h.
void phaseTables(Code& c, const std::string& axis, const BackwardAxis& a, bool runs) {
  std::vector<std::int64_t> phase, first, tap, shift, u_lo, u_hi, in_lo, in_hi;
  for (const TapPhase& p : a.phases) {
    phase.push_back(p.phase);
    first.push_back(static_cast<std::int64_t>(tap.size()));
    tap.insert(tap.end(), p.taps.begin(), p.taps.end());
    shift.insert(shift.end(), p.shifts.begin(), p.shifts.end());
    u_lo.push_back(p.u_lo);
    u_hi.push_back(p.u_hi);
    in_lo.push_back(p.in_lo);
    in_hi.push_back(p.in_hi);
  }
  first.push_back(static_cast<std::int64_t>(tap.size()));
  const std::string n = str(static_cast<std::int64_t>(a.phases.size()));
  const std::string t = str(static_cast<std::int64_t>(tap.size()));
  const std::string k = "kB" + axis;
  c.line("constexpr std::int64_t " + k + "Phases = " + n + ";");
  c.line("constexpr std::int64_t " + k + "Phase[" + n + "] = " + list(phase) + ";");
  c.line("constexpr std::int64_t " + k + "First[" + n + " + 1] = " + list(first) + ";");
  c.line("constexpr std::int64_t " + k + "Tap[" + t + "] = " + list(tap) + ";");
  c.line("constexpr std::int64_t " + k + "Shift[" + t + "] = " + list(shift) + ";");
  c.line("constexpr std::int64_t " + k + "ULo[" + n + "] = " + list(u_lo) + ";");
  c.line("constexpr std::int64_t " + k + "UHi[" + n + "] = " + list(u_hi) + ";");
  if (!runs) return;  // rows: a row-level check costs nothing, so no run is needed
  c.line("constexpr std::int64_t " + k + "InLo[" + n + "] = " + list(in_lo) + ";");
  c.line("constexpr std::int64_t " + k + "InHi[" + n + "] = " + list(in_hi) + ";");
}

// The input position a padded position (minus the padding before it) was
// copied from: padding.h's rules as C++ (only reached with positions the
// layer's padding holds). Zeros padding keeps only positions inside.
void fold(Code& c, const LayerSpec& l, const std::string& axis, const std::string& size) {
  std::string before = "i", after = "i";
  switch (l.padding_mode) {
    case PaddingMode::Zeros:
      break;
    case PaddingMode::Reflect:
      before = "-i";
      after = "2 * (" + size + " - 1) - i";
      break;
    case PaddingMode::Replicate:
      before = "0";
      after = size + " - 1";
      break;
    case PaddingMode::Circular:
      before = "i + " + size;
      after = "i - " + size;
      break;
  }
  if (l.padding_mode == PaddingMode::Zeros) {
    c.line("constexpr std::int64_t bwSource" + axis + "(std::int64_t i) noexcept { return i; }");
    return;
  }
  c.line("constexpr std::int64_t bwSource" + axis + "(std::int64_t i) noexcept { return i < 0 ? " +
         before + " : i < " + size + " ? i : " + after + "; }");
}

std::string tables(const KernelPlan& p, const BackwardPlan& b) {
  Code c;
  c.line("// Backward (docs/design.md): padded rows kBRowPhase[p] + kSH * v, v in [kBRowULo[p],");
  c.line("// kBRowUHi[p]), are read by taps kBRowTap[t], t in [kBRowFirst[p], kBRowFirst[p + 1]),");
  c.line("// from output row v - kBRowShift[t]. Columns alike (kSW); u in [kBColInLo[p], kBColInHi[p])");
  c.line("// lie inside the input with every tap's output column inside the output.");
  phaseTables(c, "Row", b.rows, false);
  phaseTables(c, "Col", b.cols, true);
  c.line("// Output columns [kBWColLo, kBWColHi) read inside the input at every column tap.");
  c.line("constexpr std::int64_t kBWColLo = " + str(b.weight_cols.lo) +
         ", kBWColHi = " + str(b.weight_cols.hi) + ";");
  if (b.lanes > 1 && b.weight_vector) {
    c.line("// Vector tiles of backward_weight end by column kBWVecHi: a stride-2 load reads");
    c.line("// one column past its last lane, which must lie in the row.");
    c.line("constexpr std::int64_t kBWVecHi = " + str(b.weight_vec_hi) + ";");
  }
  c.line("// The input row / column a padded one (less the padding before it) copies: " +
         std::string(toString(p.layer.padding_mode)) + " padding" +
         (p.layer.padding_mode == PaddingMode::Zeros ? " (only positions inside are kept)."
                                                     : "; its gradient folds back there."));
  fold(c, p.layer, "Row", "kH");
  fold(c, p.layer, "Col", "kW");
  return c.text();
}

// What the backward code reads of the layer frame's constants
// (layer_frame.cpp), for a layer without forward code (backward: only).
std::string frameConstants(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  Code c;
  c.line("using T = " + std::string(cppType(l.dtype)) + ";");
  c.line("using Acc = " + accType(l.dtype) + ";  // accumulator type" +
         (isFloat(l.dtype) ? "" : " (unsigned: wraps like PyTorch)"));
  c.line("// Every shape and parameter is fixed at generation time.");
  c.line("constexpr std::int64_t kN = " + str(l.batch) + ", kC = " + str(l.in_channels) +
         ", kH = " + str(l.in_height) + ", kW = " + str(l.in_width) + ";  // input");
  c.line("constexpr std::int64_t kO = " + str(l.out_channels) + ", kOH = " + str(s.out_height) +
         ", kOW = " + str(s.out_width) + ";  // output");
  c.line("constexpr std::int64_t kG = " + str(l.groups) + ", kCg = " + str(l.in_channels / l.groups) +
         ", kOg = " + str(l.out_channels / l.groups) + ";  // groups, channels per group");
  c.line("constexpr std::int64_t kKH = " + str(l.kernel.h) + ", kKW = " + str(l.kernel.w) +
         ", kSH = " + str(l.stride.h) + ", kSW = " + str(l.stride.w) + ", kDH = " +
         str(l.dilation.h) + ", kDW = " + str(l.dilation.w) + ";");
  c.line("constexpr std::int64_t kPT = " + str(l.pad.top) + ", kPL = " + str(l.pad.left) +
         ";  // padding before the first row / column");
  return c.text();
}

}  // namespace

std::string backwardTables(const KernelPlan& p, const BackwardPlan& b) { return tables(p, b); }

std::string renderBackward(const ModelSpec& model, const KernelPlan& p) {
  CONVGEN_CHECK(p.layer.backward, "backward code for a layer without backward: true");
  CONVGEN_CHECK(!p.layer.backward_only || !p.view, "backward: only on a conv_transpose2d layer");
  const LayerSpec& l = p.layer;
  const BackwardPlan b = planBackward(p);
  const BackwardCode in = emitBackwardInput(p, b), w = emitBackwardWeight(p, b);
  Code c;
  c.line();
  if (l.backward_only) {  // no layer frame before it: its own constants
    c.line("// ---------------------------------------------------------------------------");
    c.line("// " + summary(p));
    c.line("// Gradients only (backward: only; no forward code): what PyTorch's autograd");
    c.line("// returns for y.backward(grad_output) (docs/semantics.md section 15).");
  } else {
    c.line("// Gradients of " + l.name + "'s forward(): what PyTorch's autograd returns for");
    c.line("// y.backward(grad_output) (docs/semantics.md section 15).");
  }
  c.open("namespace " + model.cpp_namespace + "::" + l.name);
  c.open("namespace");
  if (l.backward_only) {
    c.line(frameConstants(p));
    c.line();
  }
  c.line(tables(p, b));
  c.line();
  c.line(in.helpers);
  c.line();
  c.line(w.helpers);
  std::string bias_entry;
  if (l.bias) {
    const BackwardCode bias = emitBackwardBias(p, b);
    if (!bias.helpers.empty()) c.line(bias.helpers);
    bias_entry = bias.entry;
  }
  c.close("  // namespace");
  c.line();
  c.line(in.entry);
  c.line();
  c.line(w.entry);
  if (!bias_entry.empty()) {
    c.line();
    c.line(bias_entry);
  }
  c.close("  // namespace " + model.cpp_namespace + "::" + l.name);
  const std::string t(cppType(l.dtype));
  const std::string ns = model.cpp_namespace + "::" + l.name + "::";
  c.line();
  c.line("extern \"C\" void " + cName(model, l, "backward_input") + "(const " + t +
         "* grad_output, const " + t + "* weight, " + t + "* grad_input) {");
  c.line("  " + ns + "backward_input(grad_output, weight, grad_input);");
  c.line("}");
  c.line();
  c.line("extern \"C\" void " + cName(model, l, "backward_weight") + "(const " + t +
         "* input, const " + t + "* grad_output, " + t + "* grad_weight) {");
  c.line("  " + ns + "backward_weight(input, grad_output, grad_weight);");
  c.line("}");
  if (l.bias) {
    c.line();
    c.line("extern \"C\" void " + cName(model, l, "backward_bias") + "(const " + t +
           "* grad_output, " + t + "* grad_bias) {");
    c.line("  " + ns + "backward_bias(grad_output, grad_bias);");
    c.line("}");
  }
  return "\n" + c.text();
}

std::string backwardDeclarations(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  if (!l.backward) return "";
  const std::string t(cppType(l.dtype));
  std::string d =
      std::string(l.backward_only ? "\n\n// Gradients (backward: only, so no forward), what PyTorch's autograd returns for\n"
                                  : "\n\n// Gradients (backward: true), what PyTorch's autograd returns for\n") +
      "// output.backward(grad_output): grad_output has output_shape, grad_input\n"
      "// input_shape, grad_weight weight_shape" +
      std::string(l.bias ? ", grad_bias bias_shape" : "") +
      ". Outputs are overwritten,\n"
      "// not accumulated into; padding gradients fold back into the pixels they copy.\n"
      "void backward_input(const " + t + "* grad_output, const " + t + "* weight, " + t +
      "* grad_input) noexcept;\n"
      "void backward_weight(const " + t + "* input, const " + t + "* grad_output, " + t +
      "* grad_weight) noexcept;";
  if (l.bias) d += "\nvoid backward_bias(const " + t + "* grad_output, " + t + "* grad_bias) noexcept;";
  return d;
}

std::string backwardCDeclarations(const ModelSpec& model, const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  if (!l.backward) return "";
  const std::string t = cType(l);
  std::string d = "\nvoid " + cName(model, l, "backward_input") + "(const " + t +
                  "* grad_output, const " + t + "* weight, " + t + "* grad_input);\n" + "void " +
                  cName(model, l, "backward_weight") + "(const " + t + "* input, const " + t +
                  "* grad_output, " + t + "* grad_weight);";
  if (l.bias)
    d += "\nvoid " + cName(model, l, "backward_bias") + "(const " + t + "* grad_output, " + t +
         "* grad_bias);";
  return d;
}

std::string backwardLayerMacro(const std::vector<KernelPlan>& plans, const std::string& full,
                               const std::string& short_name) {
  std::string list;
  for (const KernelPlan& p : plans)
    if (p.layer.backward) list += (list.empty() ? "" : " ") + std::string("X(") + p.layer.name + ")";
  if (list.empty()) return "";
  const std::string f = full + "_BACKWARD_LAYERS", s = short_name + "_BACKWARD_LAYERS";
  std::string text = "\n// The layers with backward kernels (backward: true or only), in config order.\n#define " +
                     f + "(X) " + list + "\n#ifndef " + s + "\n#define " + s + "(X) " + f +
                     "(X)\n#endif";
  std::string only;
  for (const KernelPlan& p : plans)
    if (p.layer.backward_only) only += (only.empty() ? "" : " ") + std::string("X(") + p.layer.name + ")";
  if (only.empty()) return text;
  const std::string fo = full + "_BACKWARD_ONLY_LAYERS", so = short_name + "_BACKWARD_ONLY_LAYERS";
  return text + "\n// The layers with backward kernels and no forward (backward: only), in config\n// order; " +
         full + "_LAYERS does not list them.\n#define " + fo + "(X) " + only + "\n#ifndef " + so +
         "\n#define " + so + "(X) " + fo + "(X)\n#endif";
}

}  // namespace convgen::detail
