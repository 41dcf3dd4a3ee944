// The backward kernels' explicit vector code (float32 on a vector ISA),
// over the same VectorBackend as the forward strategies:
//
// * backward_input: a register tile of `input_channels` input channels x
//   `input_vectors` vectors of consecutive positions of one column phase.
//   Each (output channel, row tap, column tap) loads the tile's grad_output
//   vectors once (contiguous: the phase's positions are consecutive output
//   columns) and multiplies them with one broadcast weight per channel.
//   Stride-1 columns add the tile to grad_input with plain loads and
//   stores; larger strides spread its lanes over every kSW-th column.
// * backward_weight: `weight_vectors` vectors of partial sums per column
//   tap along the output width, one grad_output load per vector serving
//   every tap of the block; plain loads of the input row (stride 1) or
//   de-interleaving ones (stride 2), reduced across lanes once at the end.
#include <algorithm>

#include "emit_backward.h"
#include "vector_backend.h"

namespace convgen::detail {
namespace {

std::string a(std::int64_t ct, std::int64_t v) { return "a" + str(ct) + "_" + str(v); }

}  // namespace

std::string emitInputTileVector(const KernelPlan& p, const BackwardPlan& b, std::int64_t ct) {
  const auto be = makeVectorBackend(p.isa);
  const std::string attr = targetAttribute(p), VT = be->type();
  const std::int64_t lanes = b.lanes, nv = b.input_vectors;
  Code c;
  c.line("// " + str(ct) + " input channels x " + str(nv * lanes) +
         " positions kBColPhase[pc] + kSW * u ... of row i: every tap inside.");
  c.open(attr + "inline void bwInputTile" + str(ct) +
         "(const T* gy, const T* weight, T* gx, std::int64_t o0, std::int64_t cl0, "
         "std::int64_t i, std::int64_t pr, std::int64_t v, std::int64_t pc, std::int64_t u, "
         "std::int64_t skip) noexcept");
  for (std::int64_t k = 0; k < ct; ++k)
    for (std::int64_t j = 0; j < nv; ++j) c.line(VT + " " + a(k, j) + " = " + be->zero() + ";");
  c.open("for (std::int64_t o = o0; o < o0 + kOg; ++o)");
  c.open("for (std::int64_t t = kBRowFirst[pr]; t < kBRowFirst[pr + 1]; ++t)");
  c.line("const std::int64_t oh = v - kBRowShift[t];");
  c.line("if (oh < 0 || oh >= kOH) continue;  // a row check, outside the column loops");
  c.line("const T* grow = gy + (o * kOH + oh) * kOW + u;");
  c.line("const T* wrow = weight + ((o * kCg + cl0) * kKH + kBRowTap[t]) * kKW;");
  c.open("for (std::int64_t tc = kBColFirst[pc]; tc < kBColFirst[pc + 1]; ++tc)");
  c.line("const T* src = grow - kBColShift[tc];");
  c.line("const T* wt = wrow + kBColTap[tc];");
  for (std::int64_t j = 0; j < nv; ++j)
    c.line("const " + VT + " g" + str(j) + " = " + be->load("src + " + str(j * lanes)) + ";");
  for (std::int64_t k = 0; k < ct; ++k) {
    c.line("const " + VT + " w" + str(k) + " = " +
           be->broadcast("wt + " + str(k) + " * kKH * kKW") + ";");
    for (std::int64_t j = 0; j < nv; ++j)
      c.line(a(k, j) + " = " + be->fma("w" + str(k), "g" + str(j), a(k, j)) + ";");
  }
  c.close();
  c.close();
  c.close();
  // skip > 0: a last tile moved back to end at the run's end; its first
  // `skip` lanes were added by the tile before.
  const bool unit = p.layer.stride.w == 1;
  c.line("alignas(64) T lane[" + str(nv * lanes) + "];");
  c.open("if (skip > 0)");
  for (std::int64_t k = 0; k < ct; ++k) {
    c.line(std::string(k == 0 ? "T* " : "") + "d = gx + (" + str(k) +
           " * kH + i) * kW + kBColPhase[pc] + kSW * u - kPL;");
    for (std::int64_t j = 0; j < nv; ++j) c.line(be->store("lane + " + str(j * lanes), a(k, j)) + ";");
    c.line("for (std::int64_t l = skip; l < " + str(nv * lanes) + "; ++l) d[kSW * l] += lane[l];");
  }
  c.line("return;");
  c.close();
  if (unit) c.line("const " + VT + " one = " + be->set1("1.0f") + ";");
  for (std::int64_t k = 0; k < ct; ++k) {
    c.line(std::string(k == 0 ? "" : "dst = ") + (k == 0 ? "T* dst = " : "") + "gx + (" + str(k) +
           " * kH + i) * kW + kBColPhase[pc] + kSW * u - kPL;");
    for (std::int64_t j = 0; j < nv; ++j) {
      if (unit) {
        const std::string at = "dst + " + str(j * lanes);
        // a + old, exactly: one rounding, as an add.
        c.line(be->store(at, be->fma(a(k, j), "one", be->load(at))) + ";");
      } else {
        c.line(be->store("lane + " + str(j * lanes), a(k, j)) + ";");
      }
    }
    if (!unit)
      c.line("for (std::int64_t l = 0; l < " + str(nv * lanes) + "; ++l) dst[kSW * l] += lane[l];");
  }
  c.close();
  return c.text();
}

std::string offset(const std::string& base, std::int64_t d) {
  return d == 0 ? base : d > 0 ? base + " + " + str(d) : base + " - " + str(-d);
}

std::string inputEdgeName(std::int64_t ct, std::size_t phase, std::size_t side) {
  return "bwInputEdge" + str(ct) + "_" + str(static_cast<std::int64_t>(phase)) + "_" +
         str(static_cast<std::int64_t>(side));
}

std::string emitInputEdgeVector(const KernelPlan& p, const BackwardPlan& b, std::int64_t ct,
                                std::size_t phase, std::size_t side) {
  const auto be = makeVectorBackend(p.isa);
  const std::string attr = targetAttribute(p), VT = be->type();
  const std::int64_t lanes = b.lanes, nv = b.input_vectors, L = nv * lanes;
  const TapPhase& ph = b.cols.phases[phase];
  const EdgeTile& e = b.edges[phase][side];
  Code c;
  c.line("// Column phase " + str(ph.phase) + ", positions u in [" + str(e.store_lo) + ", " +
         str(e.store_hi) + ") as one tile at u = " + str(e.u0) +
         ": lanes whose output column leaves the output are masked off.");
  c.open(attr + "inline void " + inputEdgeName(ct, phase, side) +
         "(const T* gy, const T* weight, T* gx, std::int64_t o0, std::int64_t cl0, "
         "std::int64_t i, std::int64_t pr, std::int64_t v) noexcept");
  for (std::int64_t k = 0; k < ct; ++k)
    for (std::int64_t j = 0; j < nv; ++j) c.line(VT + " " + a(k, j) + " = " + be->zero() + ";");
  c.open("for (std::int64_t o = o0; o < o0 + kOg; ++o)");
  c.open("for (std::int64_t t = kBRowFirst[pr]; t < kBRowFirst[pr + 1]; ++t)");
  c.line("const std::int64_t oh = v - kBRowShift[t];");
  c.line("if (oh < 0 || oh >= kOH) continue;");
  c.line("const T* grow = gy + (o * kOH + oh) * kOW;");
  c.line("const T* wrow = weight + ((o * kCg + cl0) * kKH + kBRowTap[t]) * kKW;");
  const std::int64_t out_w = p.shapes.out_width;
  bool read = false;
  for (std::size_t q = 0; q < ph.taps.size(); ++q) {
    const std::int64_t shift = ph.shifts[q];
    std::vector<std::vector<bool>> live(nv, std::vector<bool>(lanes, false));
    std::vector<bool> any(nv, false);
    for (std::int64_t l = 0; l < L; ++l) {
      const std::int64_t u = e.u0 + l, ow = u - shift;
      const bool on = u >= e.store_lo && u < e.store_hi && ow >= 0 && ow < out_w;
      live[l / lanes][l % lanes] = on;
      if (on) any[l / lanes] = true;
    }
    if (std::find(any.begin(), any.end(), true) == any.end()) continue;
    read = true;
    c.open("");
    for (std::int64_t j = 0; j < nv; ++j)
      if (any[j])
        c.line("const " + VT + " g" + str(j) + " = " +
               be->maskedLoad(offset("grow", e.u0 + j * lanes - shift), live[j]) + ";");
    for (std::int64_t k = 0; k < ct; ++k) {
      c.line("const " + VT + " w" + str(k) + " = " +
             be->broadcast("wrow + " + str(ph.taps[q]) + " + " + str(k) + " * kKH * kKW") + ";");
      for (std::int64_t j = 0; j < nv; ++j)
        if (any[j]) c.line(a(k, j) + " = " + be->fma("w" + str(k), "g" + str(j), a(k, j)) + ";");
    }
    c.close();
  }
  if (!read) c.line("(void)grow, (void)wrow;  // no tap reaches these positions: they add 0");
  c.close();
  c.close();
  c.line("alignas(64) T lane[" + str(L) + "];");
  for (std::int64_t k = 0; k < ct; ++k) {
    c.line(std::string(k == 0 ? "T* " : "") + "d = gx + (" + str(k) + " * kH + i) * kW + " +
           str(ph.phase) + " + kSW * " + str(e.u0) + " - kPL;");
    for (std::int64_t j = 0; j < nv; ++j) c.line(be->store("lane + " + str(j * lanes), a(k, j)) + ";");
    c.line("for (std::int64_t l = " + str(e.store_lo - e.u0) + "; l < " + str(e.store_hi - e.u0) +
           "; ++l) d[kSW * l] += lane[l];");
  }
  c.close();
  return c.text();
}

std::string weightTapsName(std::int64_t kb, std::int64_t ob) {
  return "bwWeightTaps" + str(kb) + (ob > 1 ? "x" + str(ob) : std::string());
}

void emitWeightTapsVector(Code& c, const KernelPlan& p, const BackwardPlan& b, std::int64_t kb,
                          std::int64_t ob) {
  const auto be = makeVectorBackend(p.isa);
  const std::string VT = be->type();
  const LayerSpec& l = p.layer;
  const bool zeros = l.padding_mode == PaddingMode::Zeros;
  const std::int64_t lanes = b.lanes, nv = b.weight_vectors, sw = l.stride.w;
  auto acc = [](std::int64_t o, std::int64_t k, std::int64_t j) {
    return "a" + str(o) + "_" + str(k) + "_" + str(j);
  };
  c.line("// grad_weight[o .. o + " + str(ob) + ", c, ki, kj0 .. kj0 + " + str(kb) +
         "): over every image and output pixel.");
  c.open(targetAttribute(p) + "inline void " + weightTapsName(kb, ob) +
         "(const T* input, const T* grad_output, T* grad_weight, std::int64_t o, std::int64_t c, "
         "std::int64_t ki, std::int64_t kj0) noexcept");
  for (std::int64_t o = 0; o < ob; ++o)
    for (std::int64_t k = 0; k < kb; ++k)
      for (std::int64_t j = 0; j < nv; ++j) c.line(VT + " " + acc(o, k, j) + " = " + be->zero() + ";");
  c.line("Acc tail[" + str(ob) + "][" + str(kb) + "] = {};");
  c.open("for (std::int64_t n = 0; n < kN; ++n)");
  c.open("for (std::int64_t oh = 0; oh < kOH; ++oh)");
  c.line("const std::int64_t r = oh * kSH + ki * kDH - kPT;");
  if (zeros) {
    c.line("if (r < 0 || r >= kH) continue;  // zeros padding: no gradient");
    c.line("const T* x = input + ((n * kC + c) * kH + r) * kW;");
  } else {
    c.line("const T* x = input + ((n * kC + c) * kH + bwSourceRow(r)) * kW;");
  }
  for (std::int64_t o = 0; o < ob; ++o)
    c.line("const T* g" + str(o) + " = grad_output + ((n * kO + o + " + str(o) + ") * kOH + oh) * kOW;");
  c.line("std::int64_t ow = kBWColLo;");
  // Tiles of nv vectors, then of one, then (stride 1, where the ISA masks
  // loads) the last columns of the run as one masked vector: the run's
  // bounds are constants, so its mask is too.
  auto tile = [&](std::int64_t vectors, const std::vector<bool>* live) {
    for (std::int64_t o = 0; o < ob; ++o)
      for (std::int64_t j = 0; j < vectors; ++j) {
        const std::string at = "g" + str(o) + " + ow + " + str(j * lanes);
        c.line("const " + VT + " y" + str(o) + "_" + str(j) + " = " +
               (live ? be->maskedLoad(at, *live) : be->load(at)) + ";");
      }
    for (std::int64_t k = 0; k < kb; ++k) {
      const std::string xs = "xs" + str(k);
      c.line("const T* " + xs + " = x + ow * kSW + (kj0 + " + str(k) + ") * kDW - kPL;");
      for (std::int64_t j = 0; j < vectors; ++j) {
        const std::string at = xs + " + " + str(j * lanes * sw);
        c.line("const " + VT + " x" + str(k) + "_" + str(j) + " = " +
               (live ? be->maskedLoad(at, *live) : sw == 1 ? be->load(at) : be->evenColumns(at)) + ";");
        for (std::int64_t o = 0; o < ob; ++o)
          c.line(acc(o, k, j) + " = " +
                 be->fma("y" + str(o) + "_" + str(j), "x" + str(k) + "_" + str(j), acc(o, k, j)) + ";");
      }
    }
  };
  c.open("for (; ow + " + str(nv * lanes) + " <= kBWVecHi; ow += " + str(nv * lanes) + ")");
  tile(nv, nullptr);
  c.close();
  if (nv > 1) {
    c.open("for (; ow + " + str(lanes) + " <= kBWVecHi; ow += " + str(lanes) + ")");
    tile(1, nullptr);
    c.close();
  }
  const std::int64_t run = b.weight_vec_hi - b.weight_cols.lo;
  const std::int64_t left = run > 0 ? run % lanes : 0;
  if (left > 0 && sw == 1 && be->isa().caps.masked_load) {
    std::vector<bool> live(lanes, false);
    for (std::int64_t j = 0; j < left; ++j) live[j] = true;
    c.open("");
    tile(1, &live);
    c.line("ow += " + str(left) + ";");
    c.close();
  }
  // The columns the tiles left, and those whose taps read padding.
  for (const char* range : {"std::int64_t w = 0; w < kBWColLo; ++w", "std::int64_t w = ow; w < kOW; ++w"}) {
    c.open("for (" + std::string(range) + ")");
    c.open("for (std::int64_t k = 0; k < " + str(kb) + "; ++k)");
    c.line("const std::int64_t s = w * kSW + (kj0 + k) * kDW - kPL;");
    if (zeros) c.line("if (s < 0 || s >= kW) continue;");
    c.line(std::string("const Acc xv = x[") + (zeros ? "s" : "bwSourceCol(s)") + "];");
    for (std::int64_t o = 0; o < ob; ++o)
      c.line("tail[" + str(o) + "][k] += g" + str(o) + "[w] * xv;");
    c.close();
    c.close();
  }
  c.close();
  c.close();
  c.line("alignas(64) T lane[" + str(nv * lanes) + "];");
  c.line("const std::int64_t cl = c - o / kOg * kCg;");
  for (std::int64_t o = 0; o < ob; ++o)
    for (std::int64_t k = 0; k < kb; ++k) {
      for (std::int64_t j = 0; j < nv; ++j)
        c.line(be->store("lane + " + str(j * lanes), acc(o, k, j)) + ";");
      c.line("for (std::int64_t j = 0; j < " + str(nv * lanes) + "; ++j) tail[" + str(o) + "][" +
             str(k) + "] += lane[j];");
      c.line("grad_weight[((o + " + str(o) + ") * kCg + cl) * kKH * kKW + ki * kKW + kj0 + " +
             str(k) + "] = T(tail[" + str(o) + "][" + str(k) + "]);");
    }
  c.close();
}

}  // namespace convgen::detail
