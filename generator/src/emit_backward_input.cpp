// backward_input: dL/dx as a gather. Every padded input position (r, s) sums
// w[o, c, ki, kj] * grad_output[o, oh, ow] over the taps that read it; the
// stride phase of r and s picks those taps at generation time (the
// kBRow*/kBCol* tables), so no loop tests divisibility. A tile is
// `input_tile` consecutive positions of one column phase, accumulated over
// every output channel of the group and every tap of the two phases in
// registers, then added to grad_input once; positions near the border
// (some tap outside the output, or a padded position whose gradient folds
// back into the pixel it copies) take the per-position path with bounds
// checks. grad_input starts at zero: pixels no window reads keep it.
#include "emit_backward.h"

#include "convgen/internal_error.h"

namespace convgen::detail {

BackwardCode emitBackwardInput(const KernelPlan& p, const BackwardPlan& b, bool rows) {
  // Rows are disjoint only where no padded row folds into another.
  CONVGEN_CHECK(!rows || p.layer.padding_mode == PaddingMode::Zeros,
                "backward_input_rows of a layer whose padding folds rows");
  const std::string attr = targetAttribute(p);
  const std::string L = str(b.input_tile);
  BackwardCode out;
  Code c;
  const bool vec = b.lanes > 1;
  const std::int64_t ct = b.input_channels, cg = p.layer.in_channels / p.layer.groups;
  const std::int64_t rest = vec ? cg % ct : 0;
  if (vec) {
    for (std::int64_t width : {ct, rest}) {
      if (width == 0) continue;
      c.line(emitInputTileVector(p, b, width));
      for (std::size_t q = 0; q < b.edges.size(); ++q)
        for (std::size_t side = 0; side < b.edges[q].size(); ++side)
          c.line(emitInputEdgeVector(p, b, width, q, side));
    }
  }
  if (!vec) {
  c.line("// grad_input positions kBColPhase[pc] + kSW * (u + l), l < " + L +
         ", of padded row kBRowPhase[pr] + kSH * v: every tap inside.");
  c.open(attr + "inline void bwInputTile(const T* gy, const T* weight, T* gxrow, std::int64_t o0, "
                "std::int64_t cl, std::int64_t pr, std::int64_t v, std::int64_t pc, "
                "std::int64_t u) noexcept");
  c.line("Acc acc[" + L + "] = {};");
  c.open("for (std::int64_t o = o0; o < o0 + kOg; ++o)");
  c.open("for (std::int64_t t = kBRowFirst[pr]; t < kBRowFirst[pr + 1]; ++t)");
  c.line("const std::int64_t oh = v - kBRowShift[t];");
  c.line("if (oh < 0 || oh >= kOH) continue;  // a row check, outside the column loops");
  c.line("const T* grow = gy + (o * kOH + oh) * kOW + u;");
  c.line("const T* wrow = weight + ((o * kCg + cl) * kKH + kBRowTap[t]) * kKW;");
  c.open("for (std::int64_t tc = kBColFirst[pc]; tc < kBColFirst[pc + 1]; ++tc)");
  c.line("const Acc wv = Acc(wrow[kBColTap[tc]]);");
  c.line("const T* src = grow - kBColShift[tc];");
  c.line("for (std::int64_t l = 0; l < " + L + "; ++l) acc[l] += wv * Acc(src[l]);");
  c.close();
  c.close();
  c.close();
  c.line("T* dst = gxrow + kBColPhase[pc] + kSW * u - kPL;");
  c.line("for (std::int64_t l = 0; l < " + L + "; ++l) dst[kSW * l] = T(Acc(dst[kSW * l]) + acc[l]);");
  c.close();
  }
  c.line();
  c.line("// One position u of column phase pc (bounds-checked taps; the fold of padding).");
  c.open(attr + "inline void bwInputPixel(const T* gy, const T* weight, T* gxrow, std::int64_t o0, "
                "std::int64_t cl, std::int64_t pr, std::int64_t v, std::int64_t pc, "
                "std::int64_t u) noexcept");
  c.line("Acc acc = Acc(0);");
  c.open("for (std::int64_t o = o0; o < o0 + kOg; ++o)");
  c.open("for (std::int64_t t = kBRowFirst[pr]; t < kBRowFirst[pr + 1]; ++t)");
  c.line("const std::int64_t oh = v - kBRowShift[t];");
  c.line("if (oh < 0 || oh >= kOH) continue;");
  c.line("const T* grow = gy + (o * kOH + oh) * kOW;");
  c.line("const T* wrow = weight + ((o * kCg + cl) * kKH + kBRowTap[t]) * kKW;");
  c.open("for (std::int64_t tc = kBColFirst[pc]; tc < kBColFirst[pc + 1]; ++tc)");
  c.line("const std::int64_t ow = u - kBColShift[tc];");
  c.line("if (ow >= 0 && ow < kOW) " + mac(p.layer.dtype, "acc", "Acc(wrow[kBColTap[tc]])", "grow[ow]"));
  c.close();
  c.close();
  c.close();
  c.line("T& dst = gxrow[bwSourceCol(kBColPhase[pc] + kSW * u - kPL)];");
  c.line("dst = T(Acc(dst) + acc);");
  c.close();
  out.helpers = c.text();

  Code e;
  const std::string v_loop = rows ? "for (std::int64_t v = bwRowVLo(pr, i_lo); v < bwRowVHi(pr, i_hi); ++v)"
                                  : "for (std::int64_t v = kBRowULo[pr]; v < kBRowUHi[pr]; ++v)";
  if (rows) {
    // The padded rows of phase pr that land in [i_lo, i_hi): row i is
    // kBRowPhase[pr] + kSH * v - kPT (zeros padding: no fold), so v is in
    // [ceil((i_lo + kPT - phase) / kSH), ...) within [kBRowULo, kBRowUHi);
    // the numerator is above -kSH, so a non-positive one rounds up to 0.
    e.open("constexpr std::int64_t bwRowV(std::int64_t pr, std::int64_t i) noexcept");
    e.line("const std::int64_t a = i + kPT - kBRowPhase[pr];");
    e.line("return a <= 0 ? 0 : (a + kSH - 1) / kSH;");
    e.close();
    e.open("constexpr std::int64_t bwRowVLo(std::int64_t pr, std::int64_t i) noexcept");
    e.line("return bwRowV(pr, i) > kBRowULo[pr] ? bwRowV(pr, i) : kBRowULo[pr];");
    e.close();
    e.open("constexpr std::int64_t bwRowVHi(std::int64_t pr, std::int64_t i) noexcept");
    e.line("return bwRowV(pr, i) < kBRowUHi[pr] ? bwRowV(pr, i) : kBRowUHi[pr];");
    e.close();
    e.line();
    e.line("// Rows [i_lo, i_hi) of image n of grad_input, every channel: zeroed, then gathered.");
    e.open(attr + "void backward_input_rows(const T* grad_output, const T* weight, T* grad_input, "
                  "std::int64_t n, std::int64_t i_lo, std::int64_t i_hi) noexcept");
    e.open("for (std::int64_t c = 0; c < kC; ++c)");
    e.line("T* plane = grad_input + (n * kC + c) * kH * kW;");
    e.line("for (std::int64_t i = i_lo * kW; i < i_hi * kW; ++i) plane[i] = T(0);");
    e.close();
    e.open("");
  } else {
    e.open(attr + "void backward_input(const T* grad_output, const T* weight, T* grad_input) noexcept");
    e.line("for (std::int64_t i = 0; i < kN * kC * kH * kW; ++i) grad_input[i] = T(0);");
    e.open("for (std::int64_t n = 0; n < kN; ++n)");
  }
  e.line("const T* gy = grad_output + n * kO * kOH * kOW;");
  if (!vec) {
    e.open("for (std::int64_t c = 0; c < kC; ++c)");
    e.line("const std::int64_t o0 = c / kCg * kOg, cl = c % kCg;");
    e.line("T* gx = grad_input + (n * kC + c) * kH * kW;");
    e.open("for (std::int64_t pr = 0; pr < kBRowPhases; ++pr)");
    e.open(v_loop);
    e.line("T* gxrow = gx + bwSourceRow(kBRowPhase[pr] + kSH * v - kPT) * kW;");
    e.open("for (std::int64_t pc = 0; pc < kBColPhases; ++pc)");
    e.line("std::int64_t u = kBColInLo[pc];");
    e.line("for (; u + " + L + " <= kBColInHi[pc]; u += " + L +
           ") bwInputTile(gy, weight, gxrow, o0, cl, pr, v, pc, u);");
    e.line("for (std::int64_t w = kBColULo[pc]; w < kBColInLo[pc]; ++w) bwInputPixel(gy, weight, "
           "gxrow, o0, cl, pr, v, pc, w);");
    e.line("for (; u < kBColUHi[pc]; ++u) bwInputPixel(gy, weight, gxrow, o0, cl, pr, v, pc, u);");
    e.close();
    e.close();
    e.close();
    e.close();
  } else {
    // Blocks of `ct` input channels of a group (then the group's remainder).
    auto block = [&](std::int64_t width, const std::string& loop) {
      e.open(loop);
      e.line("const std::int64_t o0 = g * kOg;");
      e.line("T* gx = grad_input + (n * kC + g * kCg + cl0) * kH * kW;");
      e.open("for (std::int64_t pr = 0; pr < kBRowPhases; ++pr)");
      e.open(v_loop);
      e.line("const std::int64_t i = bwSourceRow(kBRowPhase[pr] + kSH * v - kPT);");
      if (b.edges.empty()) {
        e.open("for (std::int64_t pc = 0; pc < kBColPhases; ++pc)");
        e.line("std::int64_t u = kBColInLo[pc];");
        e.line("for (; u + " + L + " <= kBColInHi[pc]; u += " + L + ") bwInputTile" + str(width) +
               "(gy, weight, gx, o0, cl0, i, pr, v, pc, u, 0);");
        e.open("if (u < kBColInHi[pc] && kBColInHi[pc] - kBColInLo[pc] >= " + L + ")");
        e.line("bwInputTile" + str(width) + "(gy, weight, gx, o0, cl0, i, pr, v, pc, kBColInHi[pc] - " +
               L + ", u - (kBColInHi[pc] - " + L + "));");
        e.line("u = kBColInHi[pc];");
        e.close();
        e.open("for (std::int64_t k = 0; k < " + str(width) + "; ++k)");
        e.line("T* gxrow = gx + (k * kH + i) * kW;");
        e.line("for (std::int64_t w = kBColULo[pc]; w < kBColInLo[pc]; ++w) bwInputPixel(gy, weight, "
               "gxrow, o0, cl0 + k, pr, v, pc, w);");
        e.line("for (std::int64_t w = u; w < kBColUHi[pc]; ++w) bwInputPixel(gy, weight, gxrow, o0, "
               "cl0 + k, pr, v, pc, w);");
        e.close();
        e.close();
      } else {
        // Each column phase on its own: interior tiles, the masked edge
        // tiles, and the per-position path for what they leave.
        const std::int64_t tile = b.input_tile;
        for (std::size_t q = 0; q < b.cols.phases.size(); ++q) {
          const TapPhase& ph = b.cols.phases[q];
          const std::string pc = str(static_cast<std::int64_t>(q));
          e.open("");
          const std::int64_t full = ph.in_hi - ph.in_lo >= tile ? (ph.in_hi - ph.in_lo) / tile : 0;
          if (full > 0) {
            e.line("for (std::int64_t u = " + str(ph.in_lo) + "; u < " + str(ph.in_lo + full * tile) +
                   "; u += " + L + ") bwInputTile" + str(width) + "(gy, weight, gx, o0, cl0, i, pr, v, " +
                   pc + ", u, 0);");
            if (ph.in_lo + full * tile < ph.in_hi)
              e.line("bwInputTile" + str(width) + "(gy, weight, gx, o0, cl0, i, pr, v, " + pc + ", " +
                     str(ph.in_hi - tile) + ", " + str(ph.in_lo + full * tile - (ph.in_hi - tile)) + ");");
          }
          for (std::size_t side = 0; side < b.edges[q].size(); ++side)
            e.line(inputEdgeName(width, q, side) + "(gy, weight, gx, o0, cl0, i, pr, v);");
          const std::vector<Interval>& pixels = b.pixel_runs[q];
          CONVGEN_CHECK(b.interior_end[q] == (full > 0 ? ph.in_hi : ph.in_lo),
                        "interior tiles and the plan disagree");
          bool any = false;
          for (const Interval& r : pixels) any = any || r.hi > r.lo;
          if (any) {
            e.open("for (std::int64_t k = 0; k < " + str(width) + "; ++k)");
            e.line("T* gxrow = gx + (k * kH + i) * kW;");
            for (const Interval& r : pixels)
              if (r.hi > r.lo)
                e.line("for (std::int64_t w = " + str(r.lo) + "; w < " + str(r.hi) +
                       "; ++w) bwInputPixel(gy, weight, gxrow, o0, cl0 + k, pr, v, " + pc + ", w);");
            e.close();
          }
          e.close();
        }
      }
      e.close();
      e.close();
      e.close();
    };
    e.open("for (std::int64_t g = 0; g < kG; ++g)");
    block(ct, "for (std::int64_t cl0 = 0; cl0 + " + str(ct) + " <= kCg; cl0 += " + str(ct) + ")");
    if (rest > 0) block(rest, "for (std::int64_t cl0 = kCg - " + str(rest) + "; cl0 < kCg; cl0 += " +
                                  str(rest) + ")");
    e.close();
  }
  e.close();
  e.close();
  out.entry = e.text();
  return out;
}

}  // namespace convgen::detail
