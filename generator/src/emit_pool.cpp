// Emission of a pooling layer from its PoolPlan (pool_plan.h): the header's
// declarations (PoolInfo, forward) and the kernel. The interior window is
// straight-line code with constant offsets and no checks; border windows
// come from constant tables (or the layer's formula past kMaxPoolTable
// entries) that hold only the taps inside the input, so padding is never
// read: max pooling's padding never wins, and averages divide by PyTorch's
// divisor (docs/semantics.md section 13).
#include "emit_pool.h"

#include "convgen/internal_error.h"
#include "emit_code.h"
#include "vector_backend.h"

#include <memory>

namespace convgen::detail {
namespace {

std::vector<std::int64_t> inShape(const PoolSpec& p) {
  if (p.batched) return {p.batch, p.channels, p.in_height, p.in_width};
  return {p.channels, p.in_height, p.in_width};
}
std::vector<std::int64_t> outShape(const PoolSpec& p) {
  if (p.batched) return {p.batch, p.channels, p.out_height, p.out_width};
  return {p.channels, p.out_height, p.out_width};
}

std::string poolCName(const ModelSpec& model, const PoolSpec& p) {
  return cPrefix(model) + "_" + p.name + "_forward";
}

std::string cType(DType t) {
  std::string type(cppType(t));
  return type.rfind("std::", 0) == 0 ? type.substr(5) : type;
}

bool isAvg(const PoolSpec& p) { return p.op != Op::MaxPool2d; }

// The statements that fold `v` (a T) into the window's value.
std::string fold(const PoolSpec& p, const std::string& v) {
  if (p.op == Op::MaxPool2d) return "m = (" + v + " > m || " + v + " != " + v + ") ? " + v + " : m;";
  return isFloat(p.dtype) ? "s += " + v + ";" : "s += static_cast<std::uint64_t>(" + v + ");";
}

std::string start(const PoolSpec& p) {
  if (p.op == Op::MaxPool2d) return "T m = kMinusInfinity;";
  return isFloat(p.dtype) ? "T s = 0;" : "std::uint64_t s = 0;";
}

// The average from the sum `s`: divided by `divisor` (C++ text, an
// integer), or by `rows` then `cols` for adaptive_avg_pool2d (as PyTorch
// 1.13's CPU kernel: sum / kh / kw).
std::string average(const PoolSpec& p, const std::string& divisor, const std::string& rows,
                    const std::string& cols) {
  if (p.op == Op::AdaptiveAvgPool2d)
    return "return s / static_cast<T>(" + rows + ") / static_cast<T>(" + cols + ");";
  if (isFloat(p.dtype)) return "return s / static_cast<T>(" + divisor + ");";
  // int64: C++ division truncates like PyTorch's; a divisor of -1 negates
  // in unsigned arithmetic (INT64_MIN / -1 would overflow).
  if (p.divisor_override == -1) return "return static_cast<T>(std::uint64_t{0} - s);";
  return "return static_cast<T>(static_cast<std::int64_t>(s) / (" + divisor + "));";
}

void windowFunction(Code& c, const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  const PoolAxisPlan &r = plan.rows, &k = plan.cols;
  c.line("// The interior window at x (its first tap): " + str(r.taps) + "x" + str(k.taps) +
         " taps, every one inside the input.");
  c.open("CONVGEN_ALWAYS_INLINE T window(const T* x) noexcept");
  c.line(p.op == Op::MaxPool2d ? "T m = x[0];" : start(p));
  if (plan.unrolled) {
    for (std::int64_t i = 0; i < r.taps; ++i)
      for (std::int64_t j = 0; j < k.taps; ++j) {
        if (p.op == Op::MaxPool2d && i == 0 && j == 0) continue;
        const std::int64_t off = i * r.tap_step * p.in_width + j * k.tap_step;
        c.line(fold(p, "x[" + str(off) + "]"));
      }
  } else {
    c.open("for (std::int64_t i = 0; i < " + str(r.taps) + "; ++i)");
    c.open("for (std::int64_t j = 0; j < " + str(k.taps) + "; ++j)");
    c.line("const T v = x[i * " + str(r.tap_step * p.in_width) + " + j * " + str(k.tap_step) + "];");
    c.line(p.op == Op::MaxPool2d ? "if (i + j > 0) " + fold(p, "v") : fold(p, "v"));
    c.close();
    c.close();
  }
  if (p.op == Op::MaxPool2d) {
    c.line("return m;");
  } else {
    const std::int64_t div = p.divisor_override ? p.divisor_override : r.taps * k.taps;
    c.line(average(p, str(div), str(r.taps), str(k.taps)));
  }
  c.close();
}

// The interior windows of `lanes` consecutive output columns at once, the
// same operations in the same order per lane as window() (so the same bits).
void vectorWindowFunction(Code& c, const PoolPlan& plan, const VectorBackend& be,
                          const std::string& attr) {
  const PoolSpec& p = plan.pool;
  const PoolAxisPlan &r = plan.rows, &k = plan.cols;
  auto load = [&](std::int64_t off) {
    const std::string at = "x + " + str(off);
    return k.stride == 2 ? be.evenColumns(at) : be.load(at);
  };
  const std::string v = be.type();
  c.line("// window() of output columns ow .. ow + " + str(plan.lanes - 1) + ", x at ow's first tap.");
  c.open(attr + "CONVGEN_ALWAYS_INLINE " + v + " window_v(const T* x) noexcept");
  if (p.op == Op::MaxPool2d)
    c.line(v + " m = " + load(0) + ";");
  else
    c.line(v + " s = " + be.zero() + ";");
  for (std::int64_t i = 0; i < r.taps; ++i)
    for (std::int64_t j = 0; j < k.taps; ++j) {
      const std::int64_t off = i * r.tap_step * p.in_width + j * k.tap_step;
      if (p.op == Op::MaxPool2d) {
        if (i == 0 && j == 0) continue;
        c.open("");
        c.line("const " + v + " t = " + load(off) + ";");
        c.line("m = " + be.maxNan("t", "m") + ";");
        c.close();
      } else {
        c.open("");
        c.line("const " + v + " t = " + load(off) + ";");
        c.line("s = " + be.add("s", "t") + ";");
        c.close();
      }
    }
  if (p.op == Op::MaxPool2d) {
    c.line("return m;");
  } else if (p.op == Op::AdaptiveAvgPool2d) {
    c.line("const " + v + " kh = " + be.set1(str(r.taps) + ".0f") + ", kw = " +
           be.set1(str(k.taps) + ".0f") + ";");
    c.line("return " + be.div(be.div("s", "kh"), "kw") + ";");
  } else {
    const std::int64_t div = p.divisor_override ? p.divisor_override : r.taps * k.taps;
    c.line("const " + v + " d = " + be.set1("static_cast<float>(" + str(div) + ")") + ";");
    c.line("return " + be.div("s", "d") + ";");
  }
  c.close();
}

void borderFunction(Code& c, const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  c.line("// A window given by its rows' and columns' taps inside the input.");
  c.open("inline T border(const T* x, const Window& r, const Window& c) noexcept");
  c.line(start(p));
  c.open("for (std::int64_t i = 0; i < r.count; ++i)");
  c.line("const T* row = x + (r.first + i * " + str(plan.rows.tap_step) + ") * kW + c.first;");
  c.open("for (std::int64_t j = 0; j < c.count; ++j)");
  c.line("const T v = row[j * " + str(plan.cols.tap_step) + "];");
  c.line(fold(p, "v"));
  c.close();
  c.close();
  if (p.op == Op::MaxPool2d) {
    c.line("return m;");
  } else {
    // PyTorch leaves 0 where no tap is inside the input.
    c.line("if (r.count == 0 || c.count == 0) return T(0);");
    const std::string div =
        p.divisor_override ? str(p.divisor_override)
                           : p.count_include_pad ? "r.extent * c.extent" : "r.count * c.count";
    c.line(average(p, div, "r.count", "c.count"));
  }
  c.close();
}

std::string windowList(const std::vector<AxisWindow>& ws) {
  std::string out;
  for (const AxisWindow& w : ws)
    out += (out.empty() ? "" : ", ") + std::string("{") + str(w.first) + ", " + str(w.count) +
           ", " + str(w.extent) + "}";
  return out;
}

// rowWindow(o) / colWindow(o): the window of output row/column o.
void axisFunction(Code& c, const PoolAxisPlan& a, const std::string& axis) {
  const std::string table = axis == "row" ? "kRow" : "kCol";
  if (a.table) {
    if (!a.front.empty())
      c.line("constexpr Window " + table + "Front[" + str(a.front.size()) + "] = {" +
             windowList(a.front) + "};");
    if (!a.back.empty())
      c.line("constexpr Window " + table + "Back[" + str(a.back.size()) + "] = {" +
             windowList(a.back) + "};");
  }
  c.open("inline Window " + axis + "Window(std::int64_t o) noexcept");
  if (a.table) {
    if (!a.front.empty()) c.line("if (o < " + str(a.interior.lo) + ") return " + table + "Front[o];");
    if (!a.back.empty())
      c.line("if (o >= " + str(a.interior.hi) + ") return " + table + "Back[o - " +
             str(a.interior.hi) + "];");
    if (a.interior.size() > 0)
      c.line("return {o * " + str(a.stride) + " - " + str(a.axis.pad) + ", " + str(a.taps) + ", " +
             str(a.taps) + "};");
    else
      c.line("return " + table + "Front[o];");
  } else if (a.axis.adaptive) {
    c.line("// PyTorch 1.13's start_index/end_index, in float as PyTorch computes them.");
    c.line("const float qs = static_cast<float>(o * " + str(a.axis.in) + ") / " +
           str(a.axis.out) + ".0f;");
    c.line("const float qe = static_cast<float>((o + 1) * " + str(a.axis.in) + ") / " +
           str(a.axis.out) + ".0f;");
    c.line("const std::int64_t first = static_cast<std::int64_t>(qs);");
    c.line("std::int64_t end = static_cast<std::int64_t>(qe);");
    c.line("if (static_cast<float>(end) < qe) ++end;");
    c.line("return {first, end - first, end - first};");
  } else {
    // Every constant folded here: no int arithmetic on literals in the code.
    const PoolAxis& x = a.axis;
    const std::string s = str(x.stride), pad = str(x.pad), d = str(x.dilation);
    const std::string d1 = str(x.dilation - 1), k = str(x.kernel), k1 = str(x.kernel - 1);
    const std::string last = str(x.in - 1), limit = str(x.in + x.pad);
    c.line("const std::int64_t start = o * " + s + " - " + pad + ";");
    c.line("const std::int64_t j_lo = start < 0 ? (-start + " + d1 + ") / " + d + " : 0;");
    c.line("const std::int64_t room = " + last + " - start;");
    c.line("std::int64_t j_hi = room >= 0 ? room / " + d + " : -((-room + " + d1 + ") / " + d +
           ");");
    c.line("if (j_hi > " + k1 + ") j_hi = " + k1 + ";");
    c.line("const std::int64_t end = start + " + k + " < " + limit + " ? start + " + k + " : " +
           limit + ";");
    c.line("return {start + j_lo * " + d + ", j_hi >= j_lo ? j_hi - j_lo + 1 : 0, end - start};");
  }
  c.close();
}

}  // namespace

std::string poolSummary(const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  std::string s = p.name + ": " + std::string(toString(p.op)) + " " + join(inShape(p), "x") +
                  " -> " + join(outShape(p), "x");
  if (p.op != Op::AdaptiveAvgPool2d) {
    s += ", k" + str(p.kernel_h) + "x" + str(p.kernel_w) + " s" + str(p.stride_h) + "x" +
         str(p.stride_w) + " pad " + str(p.pad_h) + "x" + str(p.pad_w);
    if (p.op == Op::MaxPool2d) s += " d" + str(p.dilation_h) + "x" + str(p.dilation_w);
    if (p.ceil_mode) s += ", ceil_mode";
    if (p.op == Op::AvgPool2d) {
      s += p.count_include_pad ? ", count_include_pad" : ", padding not counted";
      if (p.divisor_override) s += ", divisor " + str(p.divisor_override);
    }
  }
  return s + ", " + std::string(toString(p.dtype));
}

std::string renderPool(const ModelSpec& model, const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  const std::string type(cppType(p.dtype));
  Code c;
  c.line();
  c.line("// ---------------------------------------------------------------------------");
  c.line("// " + poolSummary(plan));
  c.open("namespace " + model.cpp_namespace + "::" + p.name);
  c.line("namespace {");
  c.line();
  c.line("using T = " + type + ";");
  c.line("constexpr std::int64_t kPlanes = " + str(p.batch * p.channels) + ";  // N x C");
  c.line("constexpr std::int64_t kH = " + str(p.in_height) + ", kW = " + str(p.in_width) +
         ", kOH = " + str(p.out_height) + ", kOW = " + str(p.out_width) + ";");
  c.line("// Taps first, first + step, ... (count of them) of one axis, all inside the input;");
  c.line("// extent: the window clipped to input + padding (avg_pool2d's divisor).");
  c.open("struct Window");
  c.line("std::int64_t first, count, extent;");
  c.close(";");
  if (p.op == Op::MaxPool2d)
    c.line("// A window with no tap in the input: PyTorch's max starts at -infinity.");
  if (p.op == Op::MaxPool2d)
    c.line("constexpr T kMinusInfinity = -std::numeric_limits<T>::infinity();");
  axisFunction(c, plan.rows, "row");
  axisFunction(c, plan.cols, "col");
  const bool interior = plan.rows.interior.size() > 0 && plan.cols.interior.size() > 0;
  if (interior) windowFunction(c, plan);
  const std::string attr =
      plan.lanes ? std::string(isaInfo(plan.isa).target_macro) + " " : std::string();
  std::unique_ptr<VectorBackend> be = plan.lanes ? makeVectorBackend(plan.isa) : nullptr;
  if (be) vectorWindowFunction(c, plan, *be, attr);
  borderFunction(c, plan);
  c.line();
  c.line("// One plane (image n, channel c): interior windows by constant offsets, the rest");
  c.line("// through the windows' taps.");
  c.open(attr + "void forward_plane(const T* x, T* y) noexcept");
  c.open("for (std::int64_t oh = 0; oh < kOH; ++oh)");
  c.line("const Window r = rowWindow(oh);");
  c.line("T* out = y + oh * kOW;");
  if (interior) {
    const Interval& ri = plan.rows.interior;
    const Interval& ci = plan.cols.interior;
    c.open("if (oh >= " + str(ri.lo) + " && oh < " + str(ri.hi) + ")");
    c.line("const std::int64_t base = (oh * " + str(plan.rows.stride) + " - " +
           str(plan.rows.axis.pad) + ") * kW - " + str(plan.cols.axis.pad) + ";");
    c.line("for (std::int64_t ow = 0; ow < " + str(ci.lo) + "; ++ow) out[ow] = border(x, r, colWindow(ow));");
    std::int64_t scalar_from = ci.lo;
    if (be) {
      c.line("for (std::int64_t ow = " + str(plan.vector_cols.lo) + "; ow < " +
             str(plan.vector_cols.hi) + "; ow += " + str(plan.lanes) + ")");
      c.line("  " + be->store("out + ow", "window_v(x + (base + ow * " + str(plan.cols.stride) +
                                             "))") + ";");
      scalar_from = plan.vector_cols.hi;
    }
    c.line("for (std::int64_t ow = " + str(scalar_from) + "; ow < " + str(ci.hi) +
           "; ++ow) out[ow] = window(x + (base + ow * " + str(plan.cols.stride) + "));");
    c.line("for (std::int64_t ow = " + str(ci.hi) +
           "; ow < kOW; ++ow) out[ow] = border(x, r, colWindow(ow));");
    c.line("continue;");
    c.close();
  }
  c.line("for (std::int64_t ow = 0; ow < kOW; ++ow) out[ow] = border(x, r, colWindow(ow));");
  c.close();
  c.close();
  c.line("}  // namespace");
  c.line();
  c.open(attr + "void forward(const T* input, T* output) noexcept");
  c.line("for (std::int64_t n = 0; n < kPlanes; ++n) forward_plane(input + n * kH * kW, output + n * kOH * kOW);");
  c.close();
  c.close("  // namespace " + model.cpp_namespace + "::" + p.name);
  c.line();
  c.open("extern \"C\" void " + poolCName(model, p) + "(const " + type + "* input, " + type +
         "* output)");
  c.line(model.cpp_namespace + "::" + p.name + "::forward(input, output);");
  c.close();
  return c.text() + "\n";
}

std::string poolInfoInit(const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  auto quoted = [](std::string_view v) { return "\"" + std::string(v) + "\""; };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  const std::vector<std::pair<const char*, std::string>> fields = {
      {"name", quoted(p.name)}, {"op", quoted(toString(p.op))}, {"batched", flag(p.batched)},
      {"batch", str(p.batch)}, {"channels", str(p.channels)}, {"in_height", str(p.in_height)},
      {"in_width", str(p.in_width)}, {"out_height", str(p.out_height)},
      {"out_width", str(p.out_width)}, {"kernel_h", str(p.kernel_h)},
      {"kernel_w", str(p.kernel_w)}, {"stride_h", str(p.stride_h)}, {"stride_w", str(p.stride_w)},
      {"pad_h", str(p.pad_h)}, {"pad_w", str(p.pad_w)}, {"dilation_h", str(p.dilation_h)},
      {"dilation_w", str(p.dilation_w)}, {"ceil_mode", flag(p.ceil_mode)},
      {"count_include_pad", flag(p.count_include_pad)},
      {"divisor_override", str(p.divisor_override)}, {"dtype", quoted(toString(p.dtype))},
      {"isa", quoted(toString(plan.isa))}, {"window", quoted(plan.windowName())}};
  std::string out;
  for (const auto& [field, value] : fields)
    out += (out.empty() ? "" : ", ") + std::string("/*") + field + "=*/" + value;
  return out;
}

std::string poolDeclaration(const PoolPlan& plan) {
  const PoolSpec& p = plan.pool;
  const std::string type(cppType(p.dtype));
  const std::string rank = str(p.batched ? 4 : 3);
  Code c;
  c.line("// " + poolSummary(plan));
  c.line("namespace " + p.name + " {");
  c.line("using value_type = " + type + ";");
  c.line("inline constexpr std::array<std::int64_t, " + rank + "> input_shape = {" +
         join(inShape(p), ", ") + "};");
  c.line("inline constexpr std::array<std::int64_t, " + rank + "> output_shape = {" +
         join(outShape(p), ", ") + "};");
  c.line("inline constexpr ::convgen::generated::PoolInfo info = {" + poolInfoInit(plan) + "};");
  c.line();
  c.line("// output = " + std::string(toString(p.op)) +
         "(input), both contiguous NCHW as PyTorch's. Allocates nothing,");
  c.line("// throws nothing; safe to call from several threads.");
  c.line("void forward(const " + type + "* input, " + type + "* output) noexcept;");
  c.line("}  // namespace " + p.name);
  return "\n" + c.text();
}

std::string poolCDeclaration(const ModelSpec& model, const PoolPlan& plan) {
  const std::string t = cType(plan.pool.dtype);
  return "void " + poolCName(model, plan.pool) + "(const " + t + "* input, " + t + "* output);";
}

std::string poolInfoStruct() {
  return R"(

#ifndef CONVGEN_GENERATED_POOL_INFO_V1
#define CONVGEN_GENERATED_POOL_INFO_V1
// A pooling layer's arguments, resolved (pool_info_v1; versioned like
// LayerInfo). adaptive_avg_pool2d has no kernel, stride or padding (0).
namespace convgen::generated {
inline namespace pool_info_v1 {
struct PoolInfo {
  const char* name;
  const char* op;  // "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"
  bool batched;    // false: the input is (C, H, W)
  std::int64_t batch, channels, in_height, in_width, out_height, out_width;
  std::int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
  bool ceil_mode, count_include_pad;
  std::int64_t divisor_override;  // 0: none
  const char* dtype;   // "float32", "float64", "int64"
  const char* isa;     // the code's: "scalar", or the SIMD ISA of its vectors along the width
  const char* window;  // "full": the interior window is straight-line code; "none": loops
};
}  // namespace pool_info_v1
}  // namespace convgen::generated
#endif  // CONVGEN_GENERATED_POOL_INFO_V1)";
}

}  // namespace convgen::detail
