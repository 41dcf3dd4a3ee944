// Internal to the emitter: helpers shared by the per-ISA layer emitters.
// LayerEmitter renders one layer with the portable scalar strategy; ISA
// emitters derive from it and replace kernels() and body().
#pragma once

#include <algorithm>
#include <cassert>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "convgen/emit.h"
#include "convgen/templates.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

namespace convgen::detail {

// Internal invariant check: a failed precondition is a convgen bug.
inline void require(bool ok, const char* what) {
  if (!ok) llvm::report_fatal_error(llvm::Twine("convgen internal error: ") + what);
}

inline std::string join(const std::vector<std::int64_t>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

inline std::string str(std::int64_t v) { return std::to_string(v); }

// Lines of code with indentation; the emitter's only way to build code.
class Code {
 public:
  Code& line(const std::string& text = "") {
    out_ << (text.empty() ? "" : std::string(2 * depth_, ' ') + text) << "\n";
    return *this;
  }
  Code& open(const std::string& text) {
    line(text + " {");
    ++depth_;
    return *this;
  }
  Code& close(const std::string& suffix = "") {
    --depth_;
    return line("}" + suffix);
  }
  void indent(int levels) { depth_ += levels; }
  std::string text() const {
    std::string s = out_.str();
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }

 private:
  std::ostringstream out_;
  int depth_ = 0;
};

inline std::string accType(DType t) {
  switch (t) {
    case DType::Float32:
      return "float";
    case DType::Float64:
      return "double";
    // Unsigned accumulation wraps modulo 2^bits like PyTorch's integer
    // convolution, without signed-overflow UB.
    case DType::Int32:
      return "std::uint32_t";
    case DType::Int64:
      return "std::uint64_t";
  }
  return "?";
}

inline bool isFloat(DType t) { return t == DType::Float32 || t == DType::Float64; }

inline std::string cName(const ModelSpec& model, const LayerSpec& layer) {
  std::string ns = model.cpp_namespace;
  std::string out;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns.compare(i, 2, "::") == 0) {
      out += '_';
      ++i;
    } else {
      out += ns[i];
    }
  }
  return out + "_" + layer.name + "_forward";
}

inline std::string summary(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  std::string text = l.name + ": " + join(s.input, "x") + " -> " + join(s.output, "x") + ", k" +
                     str(l.kernel.h) + "x" + str(l.kernel.w) + " s" + str(l.stride.h) + "x" +
                     str(l.stride.w) + " d" + str(l.dilation.h) + "x" + str(l.dilation.w) +
                     " pad " + str(l.pad.top) + "/" + str(l.pad.bottom) + "/" + str(l.pad.left) +
                     "/" + str(l.pad.right) + " (" + std::string(toString(l.padding_mode)) +
                     "), groups " + str(l.groups) + (l.bias ? ", bias" : ", no bias") + ", " +
                     std::string(toString(l.dtype));
  return text;
}

// Emits one layer's constants, kernels and forward body.
class LayerEmitter {
 public:
  LayerEmitter(const ModelSpec& model, const KernelPlan& plan)
      : model_(model), p_(plan), l_(plan.layer) {}
  virtual ~LayerEmitter() = default;

  std::string render() {
    const std::string type(cppType(l_.dtype));
    return renderTemplate(
        "layer",
        {{"summary", summary(p_)},
         {"plan", p_.kernelName() + ": interior rows [" + str(p_.rows.lo) + ", " + str(p_.rows.hi) +
                      ") x cols [" + str(p_.cols.lo) + ", " + str(p_.cols.hi) + "), " +
                      str(p_.border_pixels) + " border pixels per plane"},
         {"namespace", model_.cpp_namespace},
         {"name", l_.name},
         {"c_name", cName(model_, l_)},
         {"type", type},
         {"acc", accType(l_.dtype)},
         {"acc_note", isFloat(l_.dtype) ? "" : " (unsigned: wraps like PyTorch)"},
         {"constants", constants()},
         {"kernels", kernels()},
         {"body", body()},
         {"attribute", targetAttribute()}});
  }

 protected:
  // Prefixed to every function definition of the layer (an ISA's target
  // attribute); empty for scalar code.
  virtual std::string targetAttribute() const { return ""; }

  bool hasInterior() const { return p_.rows.size() > 0 && p_.cols.size() > 0; }

  std::string constants() {
    const LayerShapes& s = p_.shapes;
    const std::int64_t cg = l_.in_channels / l_.groups, og = l_.out_channels / l_.groups;
    Code c;
    c.line("// Every shape and parameter is fixed at generation time.");
    c.line("constexpr std::int64_t kN = " + str(l_.batch) + ", kC = " + str(l_.in_channels) +
           ", kH = " + str(l_.in_height) + ", kW = " + str(l_.in_width) + ";  // input");
    c.line("constexpr std::int64_t kO = " + str(l_.out_channels) + ", kOH = " + str(s.out_height) +
           ", kOW = " + str(s.out_width) + ";  // output");
    c.line("constexpr std::int64_t kG = " + str(l_.groups) + ", kCg = " + str(cg) +
           ", kOg = " + str(og) + ";  // groups, channels per group");
    c.line("constexpr std::int64_t kKH = " + str(l_.kernel.h) + ", kKW = " + str(l_.kernel.w) +
           ", kSH = " + str(l_.stride.h) + ", kSW = " + str(l_.stride.w) +
           ", kDH = " + str(l_.dilation.h) + ", kDW = " + str(l_.dilation.w) + ";");
    c.line("constexpr std::int64_t kPT = " + str(l_.pad.top) + ", kPL = " + str(l_.pad.left) +
           ";  // padding before the first row / column");
    c.line("// Interior: output rows [kRowLo, kRowHi) x columns [kColLo, kColHi) read no padding.");
    c.line("constexpr std::int64_t kRowLo = " + str(p_.rows.lo) + ", kRowHi = " + str(p_.rows.hi) +
           ", kColLo = " + str(p_.cols.lo) + ", kColHi = " + str(p_.cols.hi) + ";");
    if (p_.border_pixels > 0) {
      c.line();
      indexMap(c, "Row", "kH", l_.in_height, l_.pad.top, l_.pad.bottom);
      c.line();
      indexMap(c, "Col", "kW", l_.in_width, l_.pad.left, l_.pad.right);
    }
    return c.text();
  }

  // The source index of padded position `pos` (in [-pad_lo, size + pad_hi)),
  // by PyTorch's padding_mode; -1 means the value is zero.
  std::int64_t mapIndex(std::int64_t pos, std::int64_t size) const {
    if (pos >= 0 && pos < size) return pos;
    switch (l_.padding_mode) {
      case PaddingMode::Zeros:
        return -1;
      case PaddingMode::Reflect:
        return pos < 0 ? -pos : 2 * (size - 1) - pos;
      case PaddingMode::Replicate:
        return pos < 0 ? 0 : size - 1;
      case PaddingMode::Circular:
        return pos < 0 ? pos + size : pos - size;
    }
    return -1;
  }

  void indexMap(Code& c, const std::string& axis, const std::string& size_name, std::int64_t size,
                std::int64_t pad_lo, std::int64_t pad_hi) {
    const std::string fn = "source" + axis;
    if (l_.padding_mode == PaddingMode::Zeros) {
      c.line("// zeros padding: a " + std::string(axis == "Row" ? "row" : "column") +
             " outside the input reads 0 (-1).");
      c.line("constexpr std::int64_t " + fn + "(std::int64_t i) noexcept { return i >= 0 && i < " +
             size_name + " ? i : -1; }");
      return;
    }
    // Tables hold the source of each padded position before and after the
    // input; they are computed here, so the kernel never builds a padded copy.
    std::vector<std::int64_t> before, after;
    for (std::int64_t i = -pad_lo; i < 0; ++i) before.push_back(mapIndex(i, size));
    for (std::int64_t i = size; i < size + pad_hi; ++i) after.push_back(mapIndex(i, size));
    for (std::int64_t v : before) require(v >= 0 && v < size, "padding map out of range");
    for (std::int64_t v : after) require(v >= 0 && v < size, "padding map out of range");
    const std::string lower = axis == "Row" ? "row" : "column";
    c.line("// " + std::string(toString(l_.padding_mode)) + " padding as index maps: the source " +
           lower + " of each padded " + lower + " before (k" + axis + "Before) and after (k" +
           axis + "After) the input.");
    if (!before.empty())
      c.line("constexpr std::int32_t k" + axis + "Before[" + str(before.size()) + "] = {" +
             join(before, ", ") + "};");
    if (!after.empty())
      c.line("constexpr std::int32_t k" + axis + "After[" + str(after.size()) + "] = {" +
             join(after, ", ") + "};");
    std::string expr = "i";
    if (!after.empty())
      expr = "i < " + size_name + " ? i : k" + axis + "After[i - " + size_name + "]";
    if (!before.empty()) expr = "i < 0 ? k" + axis + "Before[i + " + str(pad_lo) + "] : " + expr;
    c.line("constexpr std::int64_t " + fn + "(std::int64_t i) noexcept { return " + expr + "; }");
  }

  // acc += w * x, in the accumulator type.
  std::string mac(const std::string& acc, const std::string& w, const std::string& x) const {
    if (isFloat(l_.dtype)) return acc + " += " + w + " * " + x + ";";
    return acc + " += Acc(" + w + ") * Acc(" + x + ");";
  }

  std::string windowFn(std::int64_t ocb, std::int64_t owb) const {
    const std::string suffix = "_oc" + str(ocb) + "_ow" + str(owb);
    switch (p_.window) {
      case WindowUnroll::Full:
        return "unrolled_window" + suffix;
      case WindowUnroll::Row:
        return "unrolled_row" + suffix;
      case WindowUnroll::None:
        return "window" + suffix;
    }
    return "?";
  }

  // The taps of one input channel for an ocb x owb tile. Full: all taps
  // straight-line; Row: one kernel row (the caller loops over rows); None:
  // loops over both.
  void window(Code& c, std::int64_t ocb, std::int64_t owb) {
    const std::int64_t oc_stride = (l_.in_channels / l_.groups) * l_.kernel.h * l_.kernel.w;
    const std::string tile = "[" + str(ocb) + "][" + str(owb) + "]";
    c.line("// One input channel's " +
           std::string(p_.window == WindowUnroll::Row ? "kernel row" : "window") + " for " +
           str(ocb) + " output channels x " + str(owb) + " output columns.");
    c.open("inline void " + windowFn(ocb, owb) + "(Acc (&acc)" + tile +
           ", const T* x, const T* w) noexcept");
    if (p_.window == WindowUnroll::None) {
      c.open("for (std::int64_t p = 0; p < kKH; ++p)");
      c.open("for (std::int64_t q = 0; q < kKW; ++q)");
      for (std::int64_t i = 0; i < ocb; ++i)
        for (std::int64_t j = 0; j < owb; ++j)
          c.line(mac("acc[" + str(i) + "][" + str(j) + "]",
                     "w[" + str(i * oc_stride) + " + p * kKW + q]",
                     "x[p * kDH * kW + q * kDW + " + str(j * l_.stride.w) + "]"));
      c.close().close();
    } else {
      const std::int64_t rows = p_.window == WindowUnroll::Full ? l_.kernel.h : 1;
      for (std::int64_t p = 0; p < rows; ++p)
        for (std::int64_t q = 0; q < l_.kernel.w; ++q)
          for (std::int64_t i = 0; i < ocb; ++i)
            for (std::int64_t j = 0; j < owb; ++j)
              c.line(mac(
                  "acc[" + str(i) + "][" + str(j) + "]",
                  "w[" + str(i * oc_stride + p * l_.kernel.w + q) + "]",
                  "x[" +
                      str(p * l_.dilation.h * l_.in_width + q * l_.dilation.w + j * l_.stride.w) +
                      "]"));
    }
    c.close();
  }

  // An ocb x owb register tile of one output row: bias, every input channel
  // of the group, store.
  void tile(Code& c, std::int64_t ocb, std::int64_t owb) {
    c.line("// Output channels [o, o+" + str(ocb) + ") x columns [ow, ow+" + str(owb) +
           ") of one output row; x points at the tile's first tap.");
    c.open("inline void tile_oc" + str(ocb) + "_ow" + str(owb) +
           "(const T* x, const T* w, const T* b, T* y) noexcept");
    if (l_.bias) {
      c.line("Acc acc[" + str(ocb) + "][" + str(owb) + "];");
      for (std::int64_t i = 0; i < ocb; ++i)
        for (std::int64_t j = 0; j < owb; ++j)
          c.line("acc[" + str(i) + "][" + str(j) + "] = Acc(b[" + str(i) + "]);");
    } else {
      c.line("(void)b;");
      c.line("Acc acc[" + str(ocb) + "][" + str(owb) + "] = {};");
    }
    c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
    c.line("const T* x_c = x + ci * kH * kW;");
    c.line("const T* w_c = w + ci * kKH * kKW;");
    if (p_.window == WindowUnroll::Row) {
      c.open("for (std::int64_t p = 0; p < kKH; ++p)");
      c.line(windowFn(ocb, owb) + "(acc, x_c + p * kDH * kW, w_c + p * kKW);");
      c.close();
    } else {
      c.line(windowFn(ocb, owb) + "(acc, x_c, w_c);");
    }
    c.close();
    for (std::int64_t i = 0; i < ocb; ++i)
      for (std::int64_t j = 0; j < owb; ++j)
        c.line("y[" + str(i) + " * kOH * kOW + " + str(j) + "] = T(acc[" + str(i) + "][" + str(j) +
               "]);");
    c.close();
  }

  // Every interior tile of `ocb` output channels starting at w_o / y_o.
  void interior(Code& c, std::int64_t ocb) {
    const std::int64_t width = p_.cols.size();
    const std::int64_t full = width / p_.ow_tile * p_.ow_tile;
    const std::int64_t rest = width - full;
    c.line("// The interior for " + str(ocb) + " output channels: no padding, no bounds checks.");
    c.open("inline void interior_oc" + str(ocb) +
           "(const T* x_g, const T* w_o, const T* b_o, T* y_o) noexcept");
    c.open("for (std::int64_t oh = kRowLo; oh < kRowHi; ++oh)");
    c.line("const std::int64_t row = (oh * kSH - kPT) * kW - kPL;");
    c.line("T* y_row = y_o + oh * kOW;");
    if (full > 0) {
      c.open("for (std::int64_t ow = kColLo; ow < " + str(p_.cols.lo + full) +
             "; ow += " + str(p_.ow_tile) + ")");
      c.line("tile_oc" + str(ocb) + "_ow" + str(p_.ow_tile) +
             "(x_g + row + ow * kSW, w_o, b_o, y_row + ow);");
      c.close();
    }
    if (rest > 0)
      c.line("tile_oc" + str(ocb) + "_ow" + str(rest) + "(x_g + row + " +
             str((p_.cols.lo + full) * l_.stride.w) + ", w_o, b_o, y_row + " +
             str(p_.cols.lo + full) + ");");
    c.close();
    c.close();
  }

  // One output pixel whose window touches padding, for all channels of a
  // group. Taps go through sourceRow/sourceCol (generation-time maps).
  void borderPixel(Code& c) {
    const bool zeros = l_.padding_mode == PaddingMode::Zeros;
    c.line("// Output pixel (oh, ow), all kOg channels of one group; its window touches padding.");
    c.open(
        "void border_pixel(const T* x_g, const T* w_g, const T* b_g, T* y_g, std::int64_t oh, "
        "std::int64_t ow) noexcept");
    c.line("const std::int64_t top = oh * kSH - kPT, left = ow * kSW - kPL;");
    if (!l_.bias) c.line("(void)b_g;  // no bias");
    const bool unrolled = p_.window != WindowUnroll::None;
    if (p_.window == WindowUnroll::Full)
      for (std::int64_t p = 0; p < l_.kernel.h; ++p)
        c.line("const std::int64_t r" + str(p) + " = sourceRow(top + " + str(p * l_.dilation.h) +
               ");");
    if (unrolled)
      for (std::int64_t q = 0; q < l_.kernel.w; ++q)
        c.line("const std::int64_t c" + str(q) + " = sourceCol(left + " + str(q * l_.dilation.w) +
               ");");
    c.open("for (std::int64_t o = 0; o < kOg; ++o)");
    c.line(l_.bias ? "Acc acc = Acc(b_g[o]);" : "Acc acc = 0;");
    c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
    c.line("const T* x_c = x_g + ci * kH * kW;");
    c.line("const T* w_c = w_g + (o * kCg + ci) * kKH * kKW;");
    auto tap = [&](const std::string& r, const std::string& col, const std::string& w_index) {
      const std::string m = mac("acc", "w_c[" + w_index + "]", "x_c[" + r + " * kW + " + col + "]");
      c.line(zeros ? "if (" + r + " >= 0 && " + col + " >= 0) " + m : m);
    };
    if (p_.window == WindowUnroll::Full) {
      for (std::int64_t p = 0; p < l_.kernel.h; ++p)
        for (std::int64_t q = 0; q < l_.kernel.w; ++q)
          tap("r" + str(p), "c" + str(q), str(p * l_.kernel.w + q));
    } else {
      c.open("for (std::int64_t p = 0; p < kKH; ++p)");
      c.line("const std::int64_t r = sourceRow(top + p * kDH);");
      if (unrolled) {
        for (std::int64_t q = 0; q < l_.kernel.w; ++q)
          tap("r", "c" + str(q), "p * kKW + " + str(q));
      } else {
        c.open("for (std::int64_t q = 0; q < kKW; ++q)");
        c.line("const std::int64_t cq = sourceCol(left + q * kDW);");
        tap("r", "cq", "p * kKW + q");
        c.close();
      }
      c.close();
    }
    c.close();
    c.line("y_g[o * kOH * kOW + oh * kOW + ow] = T(acc);");
    c.close();
    c.close();
  }

  virtual std::string kernels() {
    Code c;
    const std::int64_t og = l_.out_channels / l_.groups;
    oc_blocks_ = {p_.oc_tile};
    if (og % p_.oc_tile) oc_blocks_.push_back(og % p_.oc_tile);
    std::vector<std::int64_t> ow_blocks = {p_.ow_tile};
    if (p_.cols.size() % p_.ow_tile) ow_blocks.push_back(p_.cols.size() % p_.ow_tile);
    if (hasInterior()) {
      for (std::int64_t ocb : oc_blocks_)
        for (std::int64_t owb : ow_blocks) {
          c.line();
          window(c, ocb, owb);
          c.line();
          tile(c, ocb, owb);
        }
      for (std::int64_t ocb : oc_blocks_) {
        c.line();
        interior(c, ocb);
      }
    }
    if (p_.border_pixels > 0) {
      c.line();
      borderPixel(c);
    }
    return c.text();
  }

  void borderLoop(Code& c, const std::string& rows, const std::string& cols) {
    c.open("for (std::int64_t oh = " + rows + "; ++oh)");
    c.open("for (std::int64_t ow = " + cols + "; ++ow)");
    c.line("border_pixel(x_g, w_g, " + std::string(l_.bias ? "b_g" : "nullptr") +
           ", y_g, oh, ow);");
    c.close().close();
  }

  virtual std::string body() {
    Code c;
    c.indent(1);
    c.open("for (std::int64_t n = 0; n < kN; ++n)");
    c.open("for (std::int64_t g = 0; g < kG; ++g)");
    c.line("const T* x_g = input + (n * kC + g * kCg) * kH * kW;");
    c.line("const T* w_g = weight + g * kOg * kCg * kKH * kKW;");
    if (l_.bias) c.line("const T* b_g = bias + g * kOg;");
    c.line("T* y_g = output + (n * kO + g * kOg) * kOH * kOW;");
    if (hasInterior()) {
      const std::int64_t og = l_.out_channels / l_.groups;
      const std::int64_t full = og / p_.oc_tile * p_.oc_tile;
      auto call = [&](std::int64_t ocb, const std::string& o) {
        return "interior_oc" + str(ocb) + "(x_g, w_g + " + o + " * kCg * kKH * kKW, " +
               (l_.bias ? "b_g + " + o : std::string("nullptr")) + ", y_g + " + o +
               " * kOH * kOW);";
      };
      c.open("for (std::int64_t o = 0; o < " + str(full) + "; o += " + str(p_.oc_tile) + ")");
      c.line(call(p_.oc_tile, "o"));
      c.close();
      if (full < og) c.line(call(og - full, str(full)));
    }
    if (p_.border_pixels > 0) {
      c.line("// The border: pixels whose window reads padding.");
      if (!hasInterior()) {
        borderLoop(c, "0; oh < kOH", "0; ow < kOW");
      } else {
        if (p_.rows.lo > 0) borderLoop(c, "0; oh < kRowLo", "0; ow < kOW");
        if (p_.rows.hi < p_.shapes.out_height) borderLoop(c, "kRowHi; oh < kOH", "0; ow < kOW");
        if (p_.cols.lo > 0) borderLoop(c, "kRowLo; oh < kRowHi", "0; ow < kColLo");
        if (p_.cols.hi < p_.shapes.out_width)
          borderLoop(c, "kRowLo; oh < kRowHi", "kColHi; ow < kOW");
      }
    }
    c.close().close();
    return c.text();
  }

  const ModelSpec& model_;
  const KernelPlan& p_;
  const LayerSpec& l_;
  std::vector<std::int64_t> oc_blocks_;
};

// The SIMD emitter (emit_simd.cpp), for plans with vec_lanes > 0.
std::unique_ptr<LayerEmitter> makeSimdEmitter(const ModelSpec& model, const KernelPlan& plan);

}  // namespace convgen::detail
