// The backward kernels' plan (issue 13): every decision about a layer's
// backward_input / backward_weight / backward_bias code, made from the
// layer alone before any text exists. Internal to generator/src; the
// emitters (emit_backward*.cpp) only render it.
//
// Coordinates are those of the padded input xp (docs/semantics.md section
// 11): padded row r in [0, Hp) is read by output row oh through tap ki when
// r = oh*sh + ki*dh. Gathering over the taps that hit r, the stride phase
// of r (r mod sh) decides which taps those are, so it is resolved here:
// rows r = phase + sh*v are hit by each listed tap at output row v - shift.
#pragma once

#include <cstdint>
#include <vector>

#include "convgen/plan.h"

namespace convgen::detail {

// The taps hitting one stride phase of an axis.
struct TapPhase {
  std::int64_t phase = 0;            // padded positions phase + stride * u
  std::vector<std::int64_t> taps;    // kernel taps k with k*dilation = phase (mod stride)
  std::vector<std::int64_t> shifts;  // output position = u - shift, per tap
  std::int64_t u_end = 0;            // positions u in [0, u_end) lie inside the padded axis
  // u in [u_lo, u_hi): padded positions the gradient keeps (inside the input
  // for zeros padding; every padded position for the other modes).
  std::int64_t u_lo = 0, u_hi = 0;
  // u in [in_lo, in_hi) within [u_lo, u_hi): inside the input, and every
  // tap's output position in [0, out) -- no bounds check, no padding fold.
  std::int64_t in_lo = 0, in_hi = 0;
  // u in [j_lo, j_hi): positions inside the input (== [u_lo, u_hi) for zeros).
  std::int64_t j_lo = 0, j_hi = 0;
};

// A vector tile of backward_input at a fixed position u0 of one column
// phase, next to the border: per tap, lanes whose output column leaves the
// output are masked off (not read); it adds lanes [store_lo, store_hi) only.
struct EdgeTile {
  std::int64_t u0 = 0, store_lo = 0, store_hi = 0;
  bool left = true;  // next to the row's start (else its end)
};

struct BackwardAxis {
  std::int64_t padded = 0;        // the padded extent (Hp or Wp)
  std::vector<TapPhase> phases;   // phases with at least one tap, in order
};

struct BackwardPlan {
  BackwardAxis rows, cols;
  // backward_input: input columns per tile (consecutive u of one phase),
  // accumulated over every (output channel, row tap, column tap) in registers.
  std::int64_t input_tile = 4;
  // backward_weight: partial sums per tap along the output width, and the
  // column taps sharing one grad_output load.
  std::int64_t weight_lanes = 4;
  std::int64_t weight_taps = 1;
  Interval weight_cols;  // output columns whose every tap reads inside the input
  std::int64_t bias_lanes = 4;
  // Explicit vectors (float32 on a vector ISA; 0 lanes: the portable loops
  // above, which the compiler may vectorize). backward_input: register
  // tiles of `input_channels` input channels x `input_vectors` vectors of
  // one column phase; backward_weight: `weight_vectors` vectors per tap
  // along the output width, when the column stride is 1 or 2 (plain or
  // de-interleaving loads; larger strides take the portable loop).
  std::int64_t lanes = 0;
  std::int64_t input_vectors = 2;
  std::int64_t input_channels = 1;
  std::int64_t weight_vectors = 2;
  bool weight_vector = false;
  std::int64_t weight_vec_hi = 0;  // vector tiles end by this output column
  // Output channels (of one group) sharing each input load of
  // backward_weight's vector tiles.
  std::int64_t weight_channels = 1;
  // backward_input's masked edge tiles (ISAs with masked loads), per column
  // phase: left, then right; positions of [j_lo, j_hi) they do not cover,
  // and padded ones, take the per-position path.
  std::vector<std::vector<EdgeTile>> edges;
  // With edges: per column phase, the runs of u the per-position path takes
  // (padded positions, and what the edge tiles leave). Interior tiles cover
  // [in_lo, interior_end[phase]); together with the edge tiles' stored lanes
  // and these runs, every u of [u_lo, u_hi) exactly once.
  std::vector<std::vector<Interval>> pixel_runs;
  std::vector<std::int64_t> interior_end;
};

BackwardPlan planBackward(const KernelPlan& plan);

}  // namespace convgen::detail
