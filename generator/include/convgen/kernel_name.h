// The kernel name codec: a generated kernel's name is its plan, in a fixed
// grammar (docs/design.md, "Kernel names"):
//
//   name     := layer "__" isa "_" strategy "_oc" N "x" tile "_" window
//   isa      := a name of the ISA table (isa.h): scalar | avx2 | avx512 | neon
//   strategy := "direct" | "direct_w" LANES | "channel_w" LANES
//   tile     := "ow" M             M output columns (direct)
//             | "r" R "v" M ["d"]  R output rows x M vectors (direct_w*); "d": the
//                                  stride-2 input rows de-interleaved once per row block
//             | "p" P              P output pixels of one row (channel_w*; N is
//                                  the tile's output channels, a multiple of LANES)
//   window   := full | row | none  how much of the kh x kw window is straight-line
//
// encode() and decode() are the only code that writes or reads that text;
// everything else carries the typed KernelName (or LayerInfo's fields).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "convgen/isa.h"

namespace convgen {

// How much of the kh x kw window one unrolled function covers.
enum class WindowUnroll {
  Full,  // all kh*kw taps straight-line
  Row,   // one kernel row (kw taps) straight-line; a loop over kh
  None,  // loops over both (windows too large for the budget)
};
std::string_view toString(WindowUnroll u);

// The strategies convgen plans and emits: one row per strategy in the
// planner's dispatch (plan.cpp) and the emitter's (emit.cpp).
enum class Strategy {
  Direct,        // portable scalar direct convolution, register tiles of oc x ow
  DirectVector,  // vectors along output columns (NCHW's contiguous axis), lanes from the ISA
  ChannelVector,  // vectors along output channels, weights packed ahead of time
};
// "direct", or "direct_w<lanes>" / "channel_w<lanes>" on an ISA of `lanes` floats.
std::string strategyName(Strategy strategy, Isa isa);

struct KernelName {
  std::string layer;
  Isa isa = Isa::Scalar;
  Strategy strategy = Strategy::Direct;
  std::int64_t lanes = 1;  // DirectVector: floats per vector (the "w" number)
  std::int64_t oc_tile = 1;
  std::int64_t ow_tile = 0;    // Direct: output columns per tile
  std::int64_t row_tile = 0;   // DirectVector: output rows per tile
  std::int64_t vec_tile = 0;   // DirectVector: vectors per row
  bool deinterleaved = false;  // DirectVector: stride-2 rows split into even/odd columns
  std::int64_t pixel_tile = 0;  // ChannelVector: output pixels per tile
  WindowUnroll window = WindowUnroll::Full;

  friend bool operator==(const KernelName& a, const KernelName& b);
};

std::string encode(const KernelName& name);
// The KernelName `text` encodes, or nullopt when it is not in the grammar.
std::optional<KernelName> decode(std::string_view text);

}  // namespace convgen
