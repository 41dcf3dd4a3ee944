// Internal to the emitters: the backward kernels of a layer with
// `backward: true` (issue 13; docs/design.md "Backward kernels"). The
// layer's block follows its forward code in the same shard, so it reuses
// the frame's constants (kN, kC, ... in the layer's anonymous namespace).
#pragma once

#include <string>

#include "emit_code.h"
#include "plan_backward.h"

namespace convgen::detail {

// The whole backward block of one layer: tables, helpers, the three entry
// points (backward_bias only with a bias) and their extern "C" twins.
// Starts with a newline, ends without one.
std::string renderBackward(const ModelSpec& model, const KernelPlan& plan);
// The declarations inside the header's `namespace <name>` (starting with a
// blank line), or "" when the layer has no backward kernels.
std::string backwardDeclarations(const KernelPlan& plan);
// The C prototypes of the backward entry points (each line ending in '\n'
// except the last), or "".
std::string backwardCDeclarations(const ModelSpec& model, const KernelPlan& plan);
// The header's X-macro over the layers with backward kernels (starting with
// a newline), or "" when there are none. `full` is the config's unique macro
// prefix, `short_name` its CONVGEN_<STEM> name.
std::string backwardLayerMacro(const std::vector<KernelPlan>& plans, const std::string& full,
                               const std::string& short_name);

// The stride-phase tables, bounds and padding folds both gradient kernels
// read (inside the layer's anonymous namespace, after the frame's constants).
std::string backwardTables(const KernelPlan& plan, const BackwardPlan& b);

// The parts (emit_backward_input.cpp, emit_backward_weight.cpp): helper
// functions for the anonymous namespace, and the entry point's definition.
struct BackwardCode {
  std::string helpers;
  std::string entry;
};
// With `rows` (zeros padding only: the conv_transpose2d view), the entry is
// backward_input_rows(..., n, i_lo, i_hi) instead: rows [i_lo, i_hi) of image n.
BackwardCode emitBackwardInput(const KernelPlan& plan, const BackwardPlan& b, bool rows = false);
BackwardCode emitBackwardWeight(const KernelPlan& plan, const BackwardPlan& b);
BackwardCode emitBackwardBias(const KernelPlan& plan, const BackwardPlan& b);

// Explicit vector pieces (emit_backward_vector.cpp; BackwardPlan::lanes > 0).
// bwInputTile<ct>(): a register tile of `ct` input channels.
std::string emitInputTileVector(const KernelPlan& plan, const BackwardPlan& b, std::int64_t ct);
// The masked edge tile `side` of column phase `phase` (BackwardPlan::edges)
// for `ct` channels, and its function's name.
std::string emitInputEdgeVector(const KernelPlan& plan, const BackwardPlan& b, std::int64_t ct,
                                std::size_t phase, std::size_t side);
std::string inputEdgeName(std::int64_t ct, std::size_t phase, std::size_t side);
// bwWeightTaps<kb>[x<ob>](): grad_weight of `ob` output channels x `kb`
// column taps over every image and pixel, in vector tiles.
void emitWeightTapsVector(Code& c, const KernelPlan& plan, const BackwardPlan& b, std::int64_t kb,
                          std::int64_t ob);
std::string weightTapsName(std::int64_t kb, std::int64_t ob);

}  // namespace convgen::detail
