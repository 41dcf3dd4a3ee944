// The Direct strategy's code (portable scalar). Each layer's output plane is
// split at generation time into an interior, where every tap of the window
// lies inside the input, and a border, where some tap reads padding. The
// interior is covered by register tiles of oc_tile output channels x ow_tile
// output columns whose window is straight-line code with constant offsets
// (functions named unrolled_*, which contain no loop). The border takes the
// per-pixel path (emit_pixel.cpp): no padded copy of the input is ever built.
#include "emit_code.h"
#include "emit_epilogue.h"

namespace convgen::detail {
namespace {

std::string windowFn(const DirectPlan& d, std::int64_t ocb, std::int64_t owb) {
  const std::string suffix = "_oc" + str(ocb) + "_ow" + str(owb);
  switch (d.window) {
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
void window(Code& c, const KernelPlan& p, const DirectPlan& d, std::int64_t ocb,
            std::int64_t owb) {
  const LayerSpec& l = p.layer;
  const std::int64_t oc_stride = (l.in_channels / l.groups) * l.kernel.h * l.kernel.w;
  const std::string tile = "[" + str(ocb) + "][" + str(owb) + "]";
  c.line("// One input channel's " +
         std::string(d.window == WindowUnroll::Row ? "kernel row" : "window") + " for " + str(ocb) +
         " output channels x " + str(owb) + " output columns.");
  c.open("inline void " + windowFn(d, ocb, owb) + "(Acc (&acc)" + tile +
         ", const T* x, const T* w) noexcept");
  if (d.window == WindowUnroll::None) {
    c.open("for (std::int64_t p = 0; p < kKH; ++p)");
    c.open("for (std::int64_t q = 0; q < kKW; ++q)");
    for (std::int64_t i = 0; i < ocb; ++i)
      for (std::int64_t j = 0; j < owb; ++j)
        c.line(mac(l.dtype, "acc[" + str(i) + "][" + str(j) + "]",
                   "w[" + str(i * oc_stride) + " + p * kKW + q]",
                   "x[p * kDH * kW + q * kDW + " + str(j * l.stride.w) + "]"));
    c.close().close();
  } else {
    const std::int64_t rows = d.window == WindowUnroll::Full ? l.kernel.h : 1;
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t q = 0; q < l.kernel.w; ++q)
        for (std::int64_t i = 0; i < ocb; ++i)
          for (std::int64_t j = 0; j < owb; ++j)
            c.line(mac(l.dtype, "acc[" + str(i) + "][" + str(j) + "]",
                       "w[" + str(i * oc_stride + r * l.kernel.w + q) + "]",
                       "x[" + str(r * l.dilation.h * l.in_width + q * l.dilation.w + j * l.stride.w) +
                           "]"));
  }
  c.close();
}

// An ocb x owb register tile of one output row: bias, every input channel
// of the group, store.
void tile(Code& c, const KernelPlan& p, const DirectPlan& d, std::int64_t ocb, std::int64_t owb) {
  const LayerSpec& l = p.layer;
  c.line("// Output channels [o, o+" + str(ocb) + ") x columns [ow, ow+" + str(owb) +
         ") of one output row; x points at the tile's first tap.");
  c.open("inline void tile_oc" + str(ocb) + "_ow" + str(owb) +
         "(const T* x, const T* w, const T* b, T* y" + residualParam(l, "const T* r") +
         ") noexcept");
  if (l.bias) {
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
  if (d.window == WindowUnroll::Row) {
    c.open("for (std::int64_t p = 0; p < kKH; ++p)");
    c.line(windowFn(d, ocb, owb) + "(acc, x_c + p * kDH * kW, w_c + p * kKW);");
    c.close();
  } else {
    c.line(windowFn(d, ocb, owb) + "(acc, x_c, w_c);");
  }
  c.close();
  for (std::int64_t i = 0; i < ocb; ++i)
    for (std::int64_t j = 0; j < owb; ++j)
      c.line(scalarStore(l, "y[" + str(i) + " * kOH * kOW + " + str(j) + "]",
                         "acc[" + str(i) + "][" + str(j) + "]",
                         "r[" + str(i) + " * kOH * kOW + " + str(j) + "]"));
  c.close();
}

// Every interior tile of `ocb` output channels starting at w_o / y_o.
void interior(Code& c, const KernelPlan& p, const DirectPlan& d, std::int64_t ocb) {
  const std::int64_t width = p.cols.size();
  const std::int64_t full = width / d.ow_tile * d.ow_tile;
  const std::int64_t rest = width - full;
  c.line("// The interior for " + str(ocb) + " output channels: no padding, no bounds checks.");
  c.open("inline void interior_oc" + str(ocb) +
         "(const T* x_g, const T* w_o, const T* b_o, T* y_o" +
         residualParam(p.layer, "const T* r_o") +
         ", std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
  c.open("for (" + rowLoop("kRowLo", "kRowHi") + "; ++oh)");
  c.line("const std::int64_t row = (oh * kSH - kPT) * kW - kPL;");
  c.line("T* y_row = y_o + oh * kOW;");
  residualLine(c, p.layer, "const T* r_row = r_o + oh * kOW;");
  if (full > 0) {
    c.open("for (std::int64_t ow = kColLo; ow < " + str(p.cols.lo + full) +
           "; ow += " + str(d.ow_tile) + ")");
    c.line("tile_oc" + str(ocb) + "_ow" + str(d.ow_tile) +
           "(x_g + row + ow * kSW, w_o, b_o, y_row + ow" + residualArg(p.layer, "r_row + ow") +
           ");");
    c.close();
  }
  if (rest > 0)
    c.line("tile_oc" + str(ocb) + "_ow" + str(rest) + "(x_g + row + " +
           str((p.cols.lo + full) * p.layer.stride.w) + ", w_o, b_o, y_row + " +
           str(p.cols.lo + full) + residualArg(p.layer, "r_row + " + str(p.cols.lo + full)) +
           ");");
  c.close();
  c.close();
}

bool hasInterior(const KernelPlan& p) { return p.rows.size() > 0 && p.cols.size() > 0; }

std::string kernels(const KernelPlan& p, const DirectPlan& d) {
  Code c;
  if (hasInterior(p)) {
    for (std::int64_t ocb : d.oc_blocks)
      for (std::int64_t owb : d.ow_blocks) {
        c.line();
        window(c, p, d, ocb, owb);
        c.line();
        tile(c, p, d, ocb, owb);
      }
    for (std::int64_t ocb : d.oc_blocks) {
      c.line();
      interior(c, p, d, ocb);
    }
  }
  if (p.border_pixels > 0) {
    c.line();
    emitBorderPixel(c, p, d.window);
  }
  return c.text();
}

std::string body(const KernelPlan& p, const DirectPlan& d) {
  const LayerSpec& l = p.layer;
  Code c;
  c.indent(1);
  c.open("for (std::int64_t g = 0; g < kG; ++g)");
  c.line("const T* x_g = input + (n * kC + g * kCg) * kH * kW;");
  c.line("const T* w_g = weight + g * kOg * kCg * kKH * kKW;");
  if (l.bias) c.line("const T* b_g = bias + g * kOg;");
  c.line("T* y_g = output + (n * kO + g * kOg) * kOH * kOW;");
  residualLine(c, l, "const T* r_g = residual + (n * kO + g * kOg) * kOH * kOW;");
  if (hasInterior(p)) {
    const std::int64_t og = l.out_channels / l.groups;
    const std::int64_t full = og / d.oc_tile * d.oc_tile;
    auto call = [&](std::int64_t ocb, const std::string& o) {
      return "interior_oc" + str(ocb) + "(x_g, w_g + " + o + " * kCg * kKH * kKW, " +
             (l.bias ? "b_g + " + o : std::string("nullptr")) + ", y_g + " + o + " * kOH * kOW" +
             residualArg(l, "r_g + " + o + " * kOH * kOW") + ", oh_lo, oh_hi);";
    };
    c.open("for (std::int64_t o = 0; o < " + str(full) + "; o += " + str(d.oc_tile) + ")");
    c.line(call(d.oc_tile, "o"));
    c.close();
    if (full < og) c.line(call(og - full, str(full)));
  }
  if (p.border_pixels > 0) {
    c.line("// The border: pixels whose window reads padding.");
    if (!hasInterior(p)) {
      emitBorderLoop(c, p, "0", "kOH", "0; ow < kOW");
    } else {
      if (p.rows.lo > 0) emitBorderLoop(c, p, "0", "kRowLo", "0; ow < kOW");
      if (p.rows.hi < p.shapes.out_height) emitBorderLoop(c, p, "kRowHi", "kOH", "0; ow < kOW");
      if (p.cols.lo > 0) emitBorderLoop(c, p, "kRowLo", "kRowHi", "0; ow < kColLo");
      if (p.cols.hi < p.shapes.out_width) emitBorderLoop(c, p, "kRowLo", "kRowHi", "kColHi; ow < kOW");
    }
  }
  c.close();
  return c.text();
}

}  // namespace

StrategyCode emitDirect(const KernelPlan& plan) {
  const DirectPlan& d = std::get<DirectPlan>(plan.detail);
  return {kernels(plan, d), body(plan, d)};
}

}  // namespace convgen::detail
