// The per-pixel border path: one output pixel whose window touches padding,
// every channel of its group, each tap through the frame's sourceRow /
// sourceCol maps (zeros: a range test). Slow per pixel, but only border
// pixels take it, and its code does not grow with the padding.
#include "emit_code.h"
#include "emit_epilogue.h"

namespace convgen::detail {

void emitBorderPixel(Code& c, const KernelPlan& p, WindowUnroll window) {
  const LayerSpec& l = p.layer;
  const bool zeros = l.padding_mode == PaddingMode::Zeros;
  c.line("// Output pixel (oh, ow), all kOg channels of one group; its window touches padding.");
  c.open("void border_pixel(const T* x_g, const T* w_g, const T* b_g, T* y_g" +
         residualParam(l, "const T* r_g") + ", std::int64_t oh, std::int64_t ow) noexcept");
  c.line("const std::int64_t top = oh * kSH - kPT, left = ow * kSW - kPL;");
  if (!l.bias) c.line("(void)b_g;  // no bias");
  const bool unrolled = window != WindowUnroll::None;
  if (window == WindowUnroll::Full)
    for (std::int64_t q = 0; q < l.kernel.h; ++q)
      c.line("const std::int64_t r" + str(q) + " = sourceRow(top + " + str(q * l.dilation.h) +
             ");");
  if (unrolled)
    for (std::int64_t q = 0; q < l.kernel.w; ++q)
      c.line("const std::int64_t c" + str(q) + " = sourceCol(left + " + str(q * l.dilation.w) +
             ");");
  c.open("for (std::int64_t o = 0; o < kOg; ++o)");
  c.line(l.bias ? "Acc acc = Acc(b_g[o]);" : "Acc acc = 0;");
  c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
  c.line("const T* x_c = x_g + ci * kH * kW;");
  c.line("const T* w_c = w_g + (o * kCg + ci) * kKH * kKW;");
  auto tap = [&](const std::string& r, const std::string& col, const std::string& w_index) {
    const std::string m = mac(l.dtype, "acc", "w_c[" + w_index + "]", "x_c[" + r + " * kW + " + col + "]");
    c.line(zeros ? "if (" + r + " >= 0 && " + col + " >= 0) " + m : m);
  };
  if (window == WindowUnroll::Full) {
    for (std::int64_t r = 0; r < l.kernel.h; ++r)
      for (std::int64_t q = 0; q < l.kernel.w; ++q)
        tap("r" + str(r), "c" + str(q), str(r * l.kernel.w + q));
  } else {
    c.open("for (std::int64_t p = 0; p < kKH; ++p)");
    c.line("const std::int64_t r = sourceRow(top + p * kDH);");
    if (unrolled) {
      for (std::int64_t q = 0; q < l.kernel.w; ++q) tap("r", "c" + str(q), "p * kKW + " + str(q));
    } else {
      c.open("for (std::int64_t q = 0; q < kKW; ++q)");
      c.line("const std::int64_t cq = sourceCol(left + q * kDW);");
      tap("r", "cq", "p * kKW + q");
      c.close();
    }
    c.close();
  }
  c.close();
  c.line(scalarStore(l, "y_g[o * kOH * kOW + oh * kOW + ow]", "acc",
                     "r_g[o * kOH * kOW + oh * kOW + ow]"));
  c.close();
  c.close();
}

std::string rowLoop(const std::string& from, const std::string& to) {
  const std::string lo = from == "0" ? "oh_lo" : from + " > oh_lo ? " + from + " : oh_lo";
  const std::string hi = to == "kOH" ? "oh_hi" : "(" + to + " < oh_hi ? " + to + " : oh_hi)";
  return "std::int64_t oh = " + lo + "; oh < " + hi;
}

void emitBorderLoop(Code& c, const KernelPlan& p, const std::string& from, const std::string& to,
                    const std::string& cols) {
  c.open("for (" + rowLoop(from, to) + "; ++oh)");
  c.open("for (std::int64_t ow = " + cols + "; ++ow)");
  c.line("border_pixel(x_g, w_g, " + std::string(p.layer.bias ? "b_g" : "nullptr") +
         ", y_g" + residualArg(p.layer, "r_g") + ", oh, ow);");
  c.close().close();
}

}  // namespace convgen::detail
