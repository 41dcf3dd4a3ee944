// backward_weight and backward_bias: reductions over the batch and the
// output pixels. grad_weight[o, c, ki, kj] sums grad_output[n, o, oh, ow] *
// xp[n, c, oh*sh + ki*dh, ow*sw + kj*dw]: per (o, c, ki) and a block of
// column taps, `weight_lanes` partial sums per tap run along the output
// width (one grad_output load serves every tap of the block), reduced once
// at the end; output columns whose taps read padding take a bounds-checked
// (zeros) or folded (other modes) path, and a padded row reads its source
// row. grad_bias sums grad_output per channel into `bias_lanes` partial sums.
#include "emit_backward.h"

namespace convgen::detail {

namespace {

// bwWeightTaps<kb>(): grad_weight[o, c, ki, kj0 .. kj0 + kb) of one output
// channel, every image and output pixel, in portable loops.
void weightTaps(Code& c, const KernelPlan& p, const BackwardPlan& b, std::int64_t kb) {
  const LayerSpec& l = p.layer;
  const bool zeros = l.padding_mode == PaddingMode::Zeros;
  const std::string L = str(b.weight_lanes), KB = str(kb);
  c.line("// grad_weight[o, c, ki, kj0 .. kj0 + " + KB + "): over every image and output pixel.");
  c.open(targetAttribute(p) + "inline void " + weightTapsName(kb, 1) +
         "(const T* input, const T* grad_output, T* grad_weight, std::int64_t o, std::int64_t c, "
         "std::int64_t ki, std::int64_t kj0) noexcept");
  c.line("Acc acc[" + KB + "][" + L + "] = {};");
  c.line("Acc tail[" + KB + "] = {};");
  c.open("for (std::int64_t n = 0; n < kN; ++n)");
  c.open("for (std::int64_t oh = 0; oh < kOH; ++oh)");
  c.line("const std::int64_t r = oh * kSH + ki * kDH - kPT;");
  if (zeros) {
    c.line("if (r < 0 || r >= kH) continue;  // zeros padding: no gradient");
    c.line("const T* x = input + ((n * kC + c) * kH + r) * kW;");
  } else {
    c.line("const T* x = input + ((n * kC + c) * kH + bwSourceRow(r)) * kW;");
  }
  c.line("const T* g = grad_output + ((n * kO + o) * kOH + oh) * kOW;");
  c.line("std::int64_t ow = kBWColLo;");
  c.open("for (; ow + " + L + " <= kBWColHi; ow += " + L + ")");
  c.open("for (std::int64_t k = 0; k < " + KB + "; ++k)");
  c.line("const T* xs = x + ow * kSW + (kj0 + k) * kDW - kPL;");
  c.line("for (std::int64_t j = 0; j < " + L + "; ++j) " +
         mac(l.dtype, "acc[k][j]", "g[ow + j]", "xs[kSW * j]"));
  c.close();
  c.close();
  // The columns the tiles left, and those whose taps read padding: before
  // the interior, and from the first column the tiles left.
  for (const char* range : {"std::int64_t w = 0; w < kBWColLo; ++w", "std::int64_t w = ow; w < kOW; ++w"}) {
    c.open("for (" + std::string(range) + ")");
    c.open("for (std::int64_t k = 0; k < " + KB + "; ++k)");
    c.line("const std::int64_t s = w * kSW + (kj0 + k) * kDW - kPL;");
    if (zeros)
      c.line("if (s >= 0 && s < kW) " + mac(l.dtype, "tail[k]", "g[w]", "x[s]"));
    else
      c.line(mac(l.dtype, "tail[k]", "g[w]", "x[bwSourceCol(s)]"));
    c.close();
    c.close();
  }
  c.close();
  c.close();
  c.line("const std::int64_t cl = c - o / kOg * kCg;");
  c.open("for (std::int64_t k = 0; k < " + KB + "; ++k)");
  c.line("Acc sum = tail[k];");
  c.line("for (std::int64_t j = 0; j < " + L + "; ++j) sum += acc[k][j];");
  c.line("grad_weight[((o * kCg + cl) * kKH + ki) * kKW + kj0 + k] = T(sum);");
  c.close();
  c.close();
}

}  // namespace

BackwardCode emitBackwardWeight(const KernelPlan& p, const BackwardPlan& b) {
  const LayerSpec& l = p.layer;
  const bool vec = b.lanes > 1 && b.weight_vector;
  const std::int64_t kb = b.weight_taps, rest = l.kernel.w % kb;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t ob = vec ? b.weight_channels : 1, orest = og % ob;
  BackwardCode out;
  Code c;
  bool first = true;
  for (std::int64_t width : {ob, orest}) {
    if (width == 0 || (width == orest && orest == ob)) continue;
    for (std::int64_t taps : {kb, rest}) {
      if (taps == 0) continue;
      if (!first) c.line();
      first = false;
      if (vec) emitWeightTapsVector(c, p, b, taps, width);
      else weightTaps(c, p, b, taps);
    }
  }
  out.helpers = c.text();

  Code e;
  e.open(targetAttribute(p) +
         "void backward_weight(const T* input, const T* grad_output, T* grad_weight) noexcept");
  auto calls = [&](std::int64_t width) {
    e.open("for (std::int64_t c = o / kOg * kCg; c < (o / kOg + 1) * kCg; ++c)");
    e.open("for (std::int64_t ki = 0; ki < kKH; ++ki)");
    e.line("std::int64_t kj = 0;");
    e.line("for (; kj + " + str(kb) + " <= kKW; kj += " + str(kb) + ") " + weightTapsName(kb, width) +
           "(input, grad_output, grad_weight, o, c, ki, kj);");
    if (rest > 0)
      e.line(weightTapsName(rest, width) + "(input, grad_output, grad_weight, o, c, ki, kj);");
    e.close();
    e.close();
  };
  e.open("for (std::int64_t g = 0; g < kG; ++g)");
  e.open("for (std::int64_t o = g * kOg; o + " + str(ob) + " <= (g + 1) * kOg; o += " + str(ob) + ")");
  calls(ob);
  e.close();
  if (orest > 0) {
    e.open("for (std::int64_t o = (g + 1) * kOg - " + str(orest) + "; o < (g + 1) * kOg; o += " +
           str(orest) + ")");
    calls(orest);
    e.close();
  }
  e.close();
  e.close();
  out.entry = e.text();
  return out;
}

BackwardCode emitBackwardBias(const KernelPlan& p, const BackwardPlan& b) {
  const std::string attr = targetAttribute(p);
  const std::string L = str(b.bias_lanes);
  Code e;
  e.open(attr + "void backward_bias(const T* grad_output, T* grad_bias) noexcept");
  e.open("for (std::int64_t o = 0; o < kO; ++o)");
  e.line("Acc part[" + L + "] = {};");
  e.line("Acc sum = Acc(0);");
  e.open("for (std::int64_t n = 0; n < kN; ++n)");
  e.line("const T* g = grad_output + (n * kO + o) * kOH * kOW;");
  e.line("std::int64_t i = 0;");
  e.line("for (; i + " + L + " <= kOH * kOW; i += " + L + ")");
  e.line("  for (std::int64_t j = 0; j < " + L + "; ++j) part[j] += Acc(g[i + j]);");
  e.line("for (; i < kOH * kOW; ++i) sum += Acc(g[i]);");
  e.close();
  e.line("for (std::int64_t j = 0; j < " + L + "; ++j) sum += part[j];");
  e.line("grad_bias[o] = T(sum);");
  e.close();
  e.close();
  return {"", e.text()};
}

}  // namespace convgen::detail
