// Kernel planning: every decision about one layer's code, made before any
// code is emitted. A KernelPlan is the complete, typed record of them: the
// strategy and its parameters (register tiles, column tiles, the load of
// every border vector and tap, the window unrolling), from which the
// emitter only renders text, and from which the report, the kernel name and
// LayerInfo are computed. A plan is a pure, deterministic function of
// (LayerSpec, PlanOptions).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "convgen/isa.h"
#include "convgen/kernel_name.h"
#include "convgen/shapes.h"
#include "convgen/spec.h"

namespace convgen {

struct Tuning;         // tuning.h
struct ForwardTile;    // tuning.h
struct PackedTile;     // tuning.h

struct PlanOptions {
  // Most multiply-accumulate statements one straight-line (unrolled) function
  // may hold. Measured on Zen 3: straight-line code beyond ~32 KB runs
  // 1.5-1.9x slower than a loop; a scalar statement is ~8-12 bytes of x86.
  std::int64_t unroll_budget = 2048;
  // Bytes of cache one layer's row band may fill (plan_bands.cpp): half of
  // the smallest L2 seen on the project's machines (Zen 3, 512 KB). 0: no
  // bands, every block of output channels walks every row.
  std::int64_t band_cache_bytes = 256 * 1024;
  // Measured choices (`generate --tuning`, tuning.h): a layer whose key is
  // in it is planned with its entry's choice instead of the cost model's.
  // Precondition: checkTuning passed for the model (a choice that does not
  // fit is an internal error here).
  const Tuning* tuning = nullptr;
};
// The largest --unroll-budget accepted: it bounds every unrolled function
// (and so the generated code) whatever the layer.
inline constexpr std::int64_t kMaxUnrollBudget = 1 << 16;

// [lo, hi): the output rows (or columns) whose whole window lies inside the
// input, so they need neither padding nor bounds checks. Empty when lo == hi.
struct Interval {
  std::int64_t lo = 0, hi = 0;
  std::int64_t size() const { return hi - lo; }
  friend bool operator==(const Interval& a, const Interval& b) {
    return a.lo == b.lo && a.hi == b.hi;
  }
};

// The output positions [lo, hi) along one axis whose taps all read inside the
// input: out*stride - pad_lo + tap*dilation in [0, in) for every tap.
Interval interiorRange(std::int64_t in, std::int64_t out, std::int64_t pad_lo, std::int64_t kernel,
                       std::int64_t stride, std::int64_t dilation);

// --- Strategy Direct: portable scalar code ----------------------------------
struct DirectPlan {
  std::int64_t oc_tile = 1;  // output channels per register tile
  std::int64_t ow_tile = 1;  // output columns per register tile
  WindowUnroll window = WindowUnroll::Full;
  std::vector<std::int64_t> oc_blocks;  // oc_tile, then the group's remainder if any
  std::vector<std::int64_t> ow_blocks;  // ow_tile, then the interior's remainder if any
};

// --- Strategy DirectVector: vectors along output columns ---------------------
// How one input vector of a border tile is formed, for one tap column.
struct VectorLoad {
  enum Kind {
    Zero,            // every lane reads zero padding (or is never stored)
    Contiguous,      // one plain load from `base`
    Masked,          // a masked load from `base` (live lanes consecutive)
    Expand,          // the live run loaded from `base` into the live lanes
    Strided2,        // even columns of 2*lanes floats from `base`
    Strided2Masked,  // the same from masked loads
    Permute,         // one load from `base`, lanes permuted by `index`
    PermuteTwo,      // two loads from `base`, lanes permuted by `index`
    Gather,          // lanes from columns `index`
  } kind = Zero;
  std::int64_t base = 0;            // first column loaded
  std::vector<std::int64_t> index;  // Permute*: lane source within the load; Gather: column
  std::vector<bool> live;           // lanes that read input (others are 0)
};

// A run of output columns of one output row covered by one register tile's
// code: an interior tile (every lane reads inside the input with the plain
// load its stride uses) repeated `repeat` times, or one border tile with the
// load of each (tap column, vector) chosen here.
struct ColumnTile {
  std::int64_t index = 0;       // ordinal of the tile in the row (names its code)
  std::int64_t ow0 = 0;         // first output column
  std::int64_t vectors = 0;     // vectors in this tile
  std::int64_t valid_last = 0;  // stored lanes of the last vector
  std::int64_t repeat = 1;      // interior: consecutive tiles, each vec_tile*lanes columns on
  bool interior = false;
  std::vector<std::vector<VectorLoad>> loads;  // border: [tap column q][vector v]
  bool readsTapColumn(std::int64_t q) const;   // border: any vector of tap q reads input
};

struct DirectVectorPlan {
  std::int64_t lanes = 0;     // floats per vector register
  std::int64_t oc_tile = 1;   // output channels per register tile
  std::int64_t row_tile = 1;  // output rows per register tile (interior rows)
  std::int64_t vec_tile = 1;  // vectors per row of a register tile
  std::vector<ColumnTile> tiles;  // one output row, left to right
  // Columns far from the interior (only with padding many tiles wide) run
  // the per-pixel border path, so code size does not grow with padding.
  std::vector<Interval> pixel_columns;
  std::vector<std::int64_t> row_tiles;  // row_tile, then 1 when rows remain
  std::vector<std::int64_t> oc_blocks;  // oc_tile, then the group's remainder if any
  // Column stride 2 (plan_deinterleave.cpp): the input rows a row block reads
  // are split once per block into even and odd columns in a stack buffer, so
  // every interior tap is a plain load, and every block of output channels
  // reads the same split rows. Absent: interior taps de-interleave per load.
  struct Deinterleave {
    std::int64_t half = 0;  // floats per half row: ceil(in_width / 2)
    // Per entry of row_tiles: slot s of the buffer holds the input row read
    // first by (output row rr, kernel row kr) = slots[s] as rr * kKH + kr,
    // and slot_of[rr * kKH + kr] is the slot that row is in.
    std::vector<std::vector<std::int64_t>> slots, slot_of;
    std::int64_t floats = 0;  // the buffer: kCg x (most slots) x 2 halves
  };
  std::optional<Deinterleave> deinterleave;
};

// --- Strategy ChannelVector: vectors along output channels ----------------------
// A register tile is `pixels` consecutive output pixels of one row x
// `vectors` vectors of output channels: each tap is `vectors` loads of
// packed weights and one broadcast input value per pixel (any layout serves
// a broadcast, so the input stays NCHW). Weights are packed ahead of time
// into blocks of `vectors` x lanes output channels:
//   for each group, for each block: bias[width], then w[ci][kh][kw][width]
// (width = vectors * lanes; lanes past the group's channels are zero).
struct ChannelBlock {
  std::int64_t vectors = 0;   // vectors of output channels
  std::int64_t channels = 0;  // of them real (the last block of a group may be partial)
  std::int64_t count = 1;     // consecutive blocks of this shape
};

// A run of output pixels of one row covered by one tile's code: interior
// (every tap of every pixel inside the row) repeated `repeat` times with a
// run-time column, or a border tile whose every (tap column q, pixel p)
// source column is fixed here (-1: zero padding, the tap is skipped).
struct PixelTile {
  std::int64_t index = 0;   // ordinal in the row (names its code)
  std::int64_t ow0 = 0;     // first output column
  std::int64_t pixels = 0;  // output columns in this tile
  std::int64_t repeat = 1;
  bool interior = false;
  std::vector<std::vector<std::int64_t>> source;  // border: [q][p] input column or -1
};

// Input-channel blocking (plan_channel_vector.cpp): a block's packed weights
// (kCg x kh x kw x width floats) larger than an L1 budget are read from L2
// by every tile. Blocked, each output row is reduced `channels` input
// channels at a time over all its tiles (that slice of the weights stays in
// L1 for the row), the row's partial sums waiting between channel blocks in
// a stack array of `scratch_floats` (out_width x width, pixel-major, for the
// widest block). Same FMAs in the same order per output: the same bits.
struct CiBlocking {
  std::int64_t channels = 0;        // per block, < kCg; the last block may have fewer
  std::int64_t scratch_floats = 0;  // the partial sums of one output row
};

struct ChannelVectorPlan {
  std::int64_t lanes = 0;
  std::int64_t vectors = 1;  // output-channel vectors per tile (a full block)
  std::int64_t pixels = 1;   // output pixels per tile
  std::vector<ChannelBlock> blocks;  // one group's output channels, in order
  std::vector<PixelTile> tiles;      // one output row, left to right
  std::int64_t packed_size = 0;      // floats of packed weights, all groups
  // Absent: every tile reduces over all kCg input channels at once.
  std::optional<CiBlocking> ci_blocking;
  std::int64_t blockFloats(const ChannelBlock& b, std::int64_t reduction) const {
    return b.vectors * lanes * (1 + reduction);
  }
};

struct KernelPlan {
  LayerSpec layer;
  LayerShapes shapes;
  Isa isa = Isa::Scalar;      // the instructions the emitted code uses
  Interval rows, cols;        // the interior region
  std::int64_t border_pixels = 0;        // output pixels per plane outside the interior
  std::int64_t unrolled_statements = 0;  // in the largest straight-line function
  std::variant<DirectPlan, DirectVectorPlan> detail;  // forward()
  // forward_packed() when it runs its own strategy; otherwise it runs
  // forward() on weights "packed" in PyTorch's layout.
  std::optional<ChannelVectorPlan> packed;
  // Row bands (plan_bands.cpp): output-row boundaries 0 = b0 < b1 < ... =
  // out_height, each on a row-unit boundary (no register tile straddles
  // one). forward_rows() and forward_packed_rows() compute every block of
  // output channels of a band before the next band, so the band's input
  // rows are read from L2 by every block instead of streamed from L3 once
  // per block. Empty: one band (the layer's input and weights fit anyway).
  std::vector<std::int64_t> bands;
  // conv_transpose2d (layer.source_op ConvTranspose2d): the plan of the conv
  // it is the input gradient of (convTransposeView); the fields above are
  // copied from it (isa, strategy, interior: its forward, which is the
  // layer's backward_input), except layer, shapes and packed (none).
  std::shared_ptr<const KernelPlan> view;

  Strategy strategy() const;
  std::string strategyName() const;  // "direct", "direct_w16", ...
  KernelName name() const;
  std::string kernelName() const { return encode(name()); }
  KernelName packedName() const;  // name() when there is no packed strategy
  std::string packedKernelName() const { return encode(packedName()); }
  // Elements of forward_packed's weights (weights and bias of the layer).
  std::int64_t packedWeightSize() const;
  // Bytes of the local arrays the largest kernel function declares (its
  // accumulators and row offsets): what its stack frame holds beyond spills.
  // forward_packed's too, when it has a strategy of its own.
  std::int64_t localArrayBytes() const;
  std::int64_t forwardArrayBytes() const;  // forward's alone
};

KernelPlan planLayer(const LayerSpec& layer, const PlanOptions& options);
std::vector<KernelPlan> planModel(const ModelSpec& model, const PlanOptions& options);

// The strategies' planners (plan_direct.cpp, plan_direct_vector.cpp). Each
// fills plan.detail; the vector one returns false when the layer does not
// fit it (the window alone exceeds the unroll budget). With `tile` (a
// tuning choice) the vector one uses it instead of the cost model's, or
// returns false with *problem saying why it does not fit.
void planDirect(KernelPlan& plan, std::int64_t budget);
bool planDirectVector(KernelPlan& plan, std::int64_t budget, const ForwardTile* tile = nullptr,
                      std::string* problem = nullptr);
// Fills plan.packed when the ChannelVector strategy is predicted faster
// than plan.detail's (plan_channel_vector.cpp). With `choice`, a tuning's
// decision instead: *choice (none leaves plan.packed empty); false with
// *problem when the tile does not fit.
void planChannelVector(KernelPlan& plan, std::int64_t budget);
// Fills plan.bands for a finished vector plan (plan_bands.cpp).
void planBands(KernelPlan& plan, std::int64_t cache_bytes);
// The row-unit boundaries of a plan: the rows where forward_partition()
// may split it (a register tile of several rows is one unit).
std::vector<std::int64_t> rowUnitBoundaries(const KernelPlan& plan);
bool planChannelVectorTile(KernelPlan& plan, std::int64_t budget,
                           const std::optional<PackedTile>& choice, std::string* problem);

}  // namespace convgen
