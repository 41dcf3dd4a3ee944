// The layer frame every strategy shares: the layer's constants, the padding
// index maps, and the layer template (templates/layer.cpp.in) around the
// strategy's kernels and forward body.
#include <utility>

#include "convgen/internal_error.h"
#include "convgen/padding.h"
#include "convgen/templates.h"
#include "emit_code.h"
#include "emit_epilogue.h"

namespace convgen::detail {
namespace {

// Index maps up to this many padded positions per axis are constant tables
// (one load each); beyond, sourceRow/sourceCol compute the padding rule, so
// the code does not grow with the padding.
constexpr std::int64_t kMaxIndexTable = 256;

void indexMap(Code& c, const LayerSpec& l, const std::string& axis, const std::string& size_name,
              std::int64_t size, std::int64_t pad_lo, std::int64_t pad_hi) {
  const std::string fn = "source" + axis;
  const std::string lower = axis == "Row" ? "row" : "column";
  if (l.padding_mode == PaddingMode::Zeros) {
    c.line("// zeros padding: a " + lower + " outside the input reads 0 (-1).");
    c.line("constexpr std::int64_t " + fn + "(std::int64_t i) noexcept { return i >= 0 && i < " +
           size_name + " ? i : -1; }");
    return;
  }
  if (pad_lo + pad_hi > kMaxIndexTable) {
    const std::string n = size_name;
    const std::string before = l.padding_mode == PaddingMode::Reflect     ? "-i"
                               : l.padding_mode == PaddingMode::Replicate ? "0"
                                                                          : "i + " + n;
    const std::string after = l.padding_mode == PaddingMode::Reflect     ? "2 * (" + n + " - 1) - i"
                              : l.padding_mode == PaddingMode::Replicate ? n + " - 1"
                                                                         : "i - " + n;
    c.line("// " + std::string(toString(l.padding_mode)) + " padding: the source " + lower +
           " of a padded " + lower + ", computed (the padding is too wide for a table).");
    c.line("constexpr std::int64_t " + fn + "(std::int64_t i) noexcept { return i < 0 ? " + before +
           " : i < " + n + " ? i : " + after + "; }");
    return;
  }
  // Tables hold the source of each padded position before and after the
  // input; they are computed here, so the kernel never builds a padded copy.
  std::vector<std::int64_t> before, after;
  for (std::int64_t i = -pad_lo; i < 0; ++i) before.push_back(sourceIndex(l.padding_mode, i, size));
  for (std::int64_t i = size; i < size + pad_hi; ++i)
    after.push_back(sourceIndex(l.padding_mode, i, size));
  for (std::int64_t v : before) CONVGEN_CHECK(v >= 0 && v < size, "padding map out of range");
  for (std::int64_t v : after) CONVGEN_CHECK(v >= 0 && v < size, "padding map out of range");
  c.line("// " + std::string(toString(l.padding_mode)) + " padding as index maps: the source " +
         lower + " of each padded " + lower + " before (k" + axis + "Before) and after (k" + axis +
         "After) the input.");
  if (!before.empty())
    c.line("constexpr std::int32_t k" + axis + "Before[" + str(before.size()) + "] = {" +
           join(before, ", ") + "};");
  if (!after.empty())
    c.line("constexpr std::int32_t k" + axis + "After[" + str(after.size()) + "] = {" +
           join(after, ", ") + "};");
  std::string expr = "i";
  if (!after.empty()) expr = "i < " + size_name + " ? i : k" + axis + "After[i - " + size_name + "]";
  if (!before.empty()) expr = "i < 0 ? k" + axis + "Before[i + " + str(pad_lo) + "] : " + expr;
  c.line("constexpr std::int64_t " + fn + "(std::int64_t i) noexcept { return " + expr + "; }");
}

std::string constants(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  const std::int64_t cg = l.in_channels / l.groups, og = l.out_channels / l.groups;
  Code c;
  c.line("// Every shape and parameter is fixed at generation time.");
  c.line("constexpr std::int64_t kN = " + str(l.batch) + ", kC = " + str(l.in_channels) +
         ", kH = " + str(l.in_height) + ", kW = " + str(l.in_width) + ";  // input");
  c.line("constexpr std::int64_t kO = " + str(l.out_channels) + ", kOH = " + str(s.out_height) +
         ", kOW = " + str(s.out_width) + ";  // output");
  c.line("constexpr std::int64_t kG = " + str(l.groups) + ", kCg = " + str(cg) + ", kOg = " +
         str(og) + ";  // groups, channels per group");
  c.line("constexpr std::int64_t kKH = " + str(l.kernel.h) + ", kKW = " + str(l.kernel.w) +
         ", kSH = " + str(l.stride.h) + ", kSW = " + str(l.stride.w) + ", kDH = " +
         str(l.dilation.h) + ", kDW = " + str(l.dilation.w) + ";");
  c.line("constexpr std::int64_t kPT = " + str(l.pad.top) + ", kPL = " + str(l.pad.left) +
         ";  // padding before the first row / column");
  c.line("// Interior: output rows [kRowLo, kRowHi) x columns [kColLo, kColHi) read no padding.");
  c.line("constexpr std::int64_t kRowLo = " + str(p.rows.lo) + ", kRowHi = " + str(p.rows.hi) +
         ", kColLo = " + str(p.cols.lo) + ", kColHi = " + str(p.cols.hi) + ";");
  if (p.border_pixels > 0) {
    c.line();
    indexMap(c, l, "Row", "kH", l.in_height, l.pad.top, l.pad.bottom);
    c.line();
    indexMap(c, l, "Col", "kW", l.in_width, l.pad.left, l.pad.right);
  }
  return c.text();
}

}  // namespace

std::string layerConstants(const KernelPlan& p) { return constants(p); }

std::string accType(DType t) {
  switch (t) {
    case DType::Float32:
      return "float";
    case DType::Float64:
      return "double";
    case DType::Int32:
      return "std::uint32_t";
    case DType::Int64:
      return "std::uint64_t";
  }
  CONVGEN_CHECK(false, "unknown dtype");
  return "";
}

std::string cPrefix(const ModelSpec& model) {
  const std::string& ns = model.cpp_namespace;
  std::string out;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns.compare(i, 2, "::") == 0) {
      out += '_';
      ++i;
    } else {
      out += ns[i];
    }
  }
  return out;
}

std::string cName(const ModelSpec& model, const LayerSpec& layer, const std::string& entry) {
  return cPrefix(model) + "_" + layer.name + "_" + entry;
}

std::string summary(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  const std::string epilogue = epilogueSummary(l);
  return l.name + ": " + join(s.input, "x") + " -> " + join(s.output, "x") + ", k" +
         str(l.kernel.h) + "x" + str(l.kernel.w) + " s" + str(l.stride.h) + "x" + str(l.stride.w) +
         " d" + str(l.dilation.h) + "x" + str(l.dilation.w) + " pad " + str(l.pad.top) + "/" +
         str(l.pad.bottom) + "/" + str(l.pad.left) + "/" + str(l.pad.right) + " (" +
         std::string(toString(l.padding_mode)) + "), groups " + str(l.groups) +
         (l.bias ? ", bias" : ", no bias") + ", " + std::string(toString(l.dtype)) +
         (epilogue.empty() ? "" : ", then " + epilogue);
}

std::string targetAttribute(const KernelPlan& p) {
  const std::string_view macro = isaInfo(p.isa).target_macro;
  return macro.empty() ? "" : std::string(macro) + " ";
}

namespace {
// pack_weights() for a plan without a packed strategy: the "packed"
// weights are the layer's weights then its bias, in PyTorch's layout.
std::int64_t weightCount(const KernelPlan& p) {
  return p.shapes.params - (p.layer.bias ? p.layer.out_channels : 0);
}

std::string unpackedPack(const KernelPlan& p) {
  Code c;
  c.line("// This layer's plan packs nothing: the packed weights are weight then bias, as given.");
  c.open("void pack_weights(const T* weight, const T* bias, T* packed) noexcept");
  c.line("for (std::int64_t i = 0; i < " + str(weightCount(p)) + "; ++i) packed[i] = weight[i];");
  if (p.layer.bias)
    c.line("for (std::int64_t i = 0; i < kO; ++i) packed[" + str(weightCount(p)) + " + i] = bias[i];");
  else
    c.line("(void)bias;");
  c.close();
  return c.text();
}

std::string unpackedRows(const KernelPlan& p) {
  return "  forward_rows(input, packed, " +
         (p.layer.bias ? "packed + " + str(weightCount(p)) : std::string("nullptr")) +
         residualArg(p.layer, "residual") + ", output, n, oh_lo, oh_hi);";
}

// With row bands (plan_bands.cpp) the strategy's rows function computes one
// band ("band_rows", "band_packed_rows"), and forward_rows (forward_packed_rows)
// walks [oh_lo, oh_hi) band by band; without, this is empty.
std::string bandedRows(const KernelPlan& p, bool packed) {
  if (p.bands.empty()) return "";
  const std::string entry = packed ? "forward_packed_rows" : "forward_rows";
  const std::string band_fn = packed ? "band_packed_rows" : "band_rows";
  const std::string weights = packed ? "packed" : "weight";
  const LayerSpec& l = p.layer;
  Code c;
  c.line("");
  c.line("");
  c.line("// Output rows [oh_lo, oh_hi) band by band: every block of output channels of");
  c.line("// a band before the next band, so each block finds the band's input rows in");
  c.line("// L2 (plan_bands.cpp). Band boundaries are row-unit boundaries.");
  if (!packed)
    c.line("constexpr std::int64_t kBandRows[" + str(p.bands.size()) + "] = {" + join(p.bands, ", ") +
           "};");
  c.open(targetAttribute(p) + "void " + entry + "(const T* input, const T* " + weights +
         (packed ? "" : ", const T* bias") + ", " +
         (l.epilogue.hasResidual() ? "const T* residual, " : "") +
         "T* output, std::int64_t n, std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
  c.open("for (std::int64_t b = 0; b + 1 < " + str(p.bands.size()) + "; ++b)");
  c.line("const std::int64_t lo = kBandRows[b] > oh_lo ? kBandRows[b] : oh_lo;");
  c.line("const std::int64_t hi = kBandRows[b + 1] < oh_hi ? kBandRows[b + 1] : oh_hi;");
  c.line("if (lo < hi) " + band_fn + "(input, " + weights + (packed ? "" : ", bias") + ", " +
         (l.epilogue.hasResidual() ? "residual, " : "") + "output, n, lo, hi);");
  c.close();
  c.close();
  return c.text();
}

// Row units of one image (see the layer template): rows, except that a
// DirectVector plan's blocks of row_tile interior rows count one each.
std::pair<std::string, std::string> rowUnits(const KernelPlan& p) {
  const auto* v = std::get_if<DirectVectorPlan>(&p.detail);
  if (!v || v->row_tile == 1) return {"kOH", "u"};
  const std::int64_t rt = v->row_tile, blocks = p.rows.size() / rt;
  const std::int64_t lo = p.rows.lo, end = lo + blocks * rt;
  return {str(lo + blocks + (p.shapes.out_height - end)),
          "u <= " + str(lo) + " ? u : u <= " + str(lo + blocks) + " ? " + str(lo) + " + (u - " +
              str(lo) + ") * " + str(rt) + " : " + str(end) + " + (u - " + str(lo + blocks) + ")"};
}
}  // namespace

std::string renderLayer(const ModelSpec& model, const KernelPlan& p, const StrategyCode& code,
                        const PackedCode* packed) {
  const LayerSpec& l = p.layer;
  return renderTemplate(
      "layer",
      {{"summary", summary(p)},
       {"plan", p.kernelName() + ": interior rows [" + str(p.rows.lo) + ", " + str(p.rows.hi) +
                    ") x cols [" + str(p.cols.lo) + ", " + str(p.cols.hi) + "), " +
                    str(p.border_pixels) + " border pixels per plane"},
       {"namespace", model.cpp_namespace},
       {"name", l.name},
       {"c_name", cName(model, l)},
       {"type", std::string(cppType(l.dtype))},
       {"acc", accType(l.dtype)},
       {"acc_note", isFloat(l.dtype) ? "" : " (unsigned: wraps like PyTorch)"},
       {"constants", l.epilogue.activation == Activation::None
                         ? constants(p)
                         : constants(p) + "\n\n" + activationFunction(l)},
       {"kernels", packed ? code.kernels + "\n" + packed->kernels : code.kernels},
       {"pack", packed ? packed->pack : unpackedPack(p)},
       {"packed_rows", packed ? packed->rows_body : unpackedRows(p)},
       {"row_units", rowUnits(p).first},
       {"unit_row", rowUnits(p).second},
       {"c_partition", cName(model, l, "forward_partition")},
       {"c_packed_partition", cName(model, l, "forward_packed_partition")},
       {"c_pack", cName(model, l, "pack_weights")},
       {"c_packed", cName(model, l, "forward_packed")},
       {"body", code.body},
       {"rows_fn", p.bands.empty() ? "forward_rows" : "band_rows"},
       {"banded_rows", bandedRows(p, false)},
       {"packed_rows_fn", p.bands.empty() || !packed ? "forward_packed_rows" : "band_packed_rows"},
       {"banded_packed_rows", packed ? bandedRows(p, true) : ""},
       {"baked", bakedLayerCode(model, p)},
       {"res_param", l.epilogue.hasResidual() ? "const T* residual, " : ""},
       {"c_res_param",
        l.epilogue.hasResidual() ? "const " + std::string(cppType(l.dtype)) + "* residual, " : ""},
       {"res_arg", l.epilogue.hasResidual() ? "residual, " : ""},
       {"attribute", targetAttribute(p)}});
}

}  // namespace convgen::detail
