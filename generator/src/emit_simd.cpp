// The SIMD emitter for float32: strategies "direct_w8" (AVX2 + FMA, 8 lanes),
// "direct_w16" (AVX-512F, 16 lanes) and "direct_w4" (NEON, 4 lanes). One algorithm, two instruction
// sets: the VectorIsa below is the only place that knows intrinsic names.
//
// A vector register holds consecutive output columns of one output channel,
// so input rows are read with plain loads (NCHW's contiguous axis) and each
// weight is a broadcast. A register tile is oc_tile channels x vec_tile
// vectors of one output row; the c loop runs inside the tile and the kh x kw
// window is straight-line (unrolled_* functions, no loops).
//
// Every output row is cut into column tiles at generation time. Interior
// tiles (every lane reads inside the input) run in a loop with constant
// offsets. Border tiles (a lane reads padding, or lies past the row's end)
// get their own code with each (vector, tap) load chosen here: a plain load,
// an in-range load plus a constant lane permutation (which also realises
// reflect/replicate/circular padding and zero lanes), or a masked gather.
// Rows map through sourceRow(), and rows of zero padding are skipped.
#include "layer_emitter.h"

#include <cstdio>

namespace convgen::detail {
namespace {

std::string lanes(const std::vector<std::int64_t>& v) { return join(v, ", "); }

// The intrinsics of one vector ISA, as C++ expressions.
class VectorIsa {
 public:
  virtual ~VectorIsa() = default;
  virtual std::int64_t lanes() const = 0;
  virtual std::string type() const = 0;
  virtual std::string attribute() const = 0;  // the target macro, then a space
  virtual std::string load(const std::string& at) const = 0;
  // Lanes j of the result = at[2j]: the even columns of 2 * lanes floats.
  virtual std::string evenColumns(const std::string& at) const = 0;
  // Lanes j = live[j] ? at[2j] : 0, reading only the live elements (no
  // fault past the row's end). Empty when the ISA has no masked loads.
  virtual std::string evenColumnsMasked(const std::string& at,
                                        const std::vector<bool>& live) const = 0;
  // Lanes j = at[j * stride], every lane inside the input.
  virtual std::string stridedGather(const std::string& at, std::int64_t stride) const = 0;
  // Lanes j = live[j] ? at[j] : 0; dead lanes are not read (no fault).
  virtual std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const = 0;
  // Live lanes (a contiguous run) take at[0], at[1], ... in order; the others
  // are 0. Empty when the ISA has no such load.
  virtual std::string expandLoad(const std::string& at, const std::vector<bool>& live) const = 0;
  // Lanes j = live[j] ? vector loaded at `at`, lane index[j] : 0.
  virtual std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                              const std::vector<bool>& live) const = 0;
  // Lanes j = live[j] ? at[index[j]] : 0 with index[j] < 2 * lanes, reading
  // only the elements live lanes use. Empty when the ISA cannot.
  virtual std::string permuteTwo(const std::string& at, const std::vector<std::int64_t>& index,
                                 const std::vector<bool>& live) const = 0;
  // Lanes j = live[j] ? row[index[j]] : 0.
  virtual std::string gather(const std::string& row, const std::vector<std::int64_t>& index,
                             const std::vector<bool>& live) const = 0;
  virtual std::string broadcast(const std::string& at) const = 0;
  virtual std::string fma(const std::string& a, const std::string& b,
                          const std::string& acc) const = 0;
  virtual std::string zero() const = 0;
  virtual std::string set1(const std::string& value) const = 0;
  virtual std::string store(const std::string& at, const std::string& v) const = 0;
  // Stores lanes [0, valid) only.
  virtual std::string storeFirst(const std::string& at, const std::string& v,
                                 std::int64_t valid) const = 0;
};

class Avx2 final : public VectorIsa {
 public:
  std::int64_t lanes() const override { return 8; }
  std::string type() const override { return "__m256"; }
  std::string attribute() const override { return "CONVGEN_TARGET_AVX2 "; }
  std::string load(const std::string& at) const override { return "_mm256_loadu_ps(" + at + ")"; }
  std::string evenColumns(const std::string& at) const override {
    // Shuffle within 128-bit halves, then put the 64-bit pairs in order.
    return "_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(" +
           load(at) + ", " + load(at + " + 8") + ", _MM_SHUFFLE(2, 0, 2, 0))), "
           "_MM_SHUFFLE(3, 1, 2, 0)))";
  }
  std::string evenColumnsMasked(const std::string& at,
                                const std::vector<bool>& live) const override {
    std::vector<bool> lo(8, false), hi(8, false);
    for (std::int64_t j = 0; j < 8; ++j)
      if (live[j]) (2 * j < 8 ? lo[2 * j] : hi[2 * j - 8]) = true;
    return "_mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(" +
           maskedLoad(at, lo) + ", " + maskedLoad(at + " + 8", hi) +
           ", _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)))";
  }
  std::string stridedGather(const std::string& at, std::int64_t stride) const override {
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < 8; ++j) idx.push_back(j * stride);
    return "_mm256_i32gather_ps(" + at + ", _mm256_setr_epi32(" + convgen::detail::join(idx, ", ") +
           "), 4)";
  }
  std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                      const std::vector<bool>& live) const override {
    std::string v = "_mm256_permutevar8x32_ps(" + load(at) + ", _mm256_setr_epi32(" +
                    convgen::detail::join(index, ", ") + "))";
    if (std::find(live.begin(), live.end(), false) == live.end()) return v;
    return "_mm256_and_ps(" + v + ", _mm256_castsi256_ps(" + mask(live) + "))";
  }
  std::string permuteTwo(const std::string&, const std::vector<std::int64_t>&,
                         const std::vector<bool>&) const override {
    return "";  // AVX2 has no two-source float permute
  }
  std::string gather(const std::string& row, const std::vector<std::int64_t>& index,
                     const std::vector<bool>& live) const override {
    return "_mm256_mask_i32gather_ps(_mm256_setzero_ps(), " + row + ", _mm256_setr_epi32(" +
           convgen::detail::join(index, ", ") + "), _mm256_castsi256_ps(" + mask(live) + "), 4)";
  }
  std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const override {
    // No lane read: no pointer formed (it could lie past the buffer).
    if (std::find(live.begin(), live.end(), true) == live.end()) return zero();
    return "_mm256_maskload_ps(" + at + ", " + mask(live) + ")";
  }
  std::string expandLoad(const std::string&, const std::vector<bool>&) const override {
    return "";
  }
  std::string broadcast(const std::string& at) const override {
    return "_mm256_broadcast_ss(" + at + ")";
  }
  std::string fma(const std::string& a, const std::string& b,
                  const std::string& acc) const override {
    return "_mm256_fmadd_ps(" + a + ", " + b + ", " + acc + ")";
  }
  std::string zero() const override { return "_mm256_setzero_ps()"; }
  std::string set1(const std::string& value) const override {
    return "_mm256_set1_ps(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "_mm256_storeu_ps(" + at + ", " + v + ")";
  }
  std::string storeFirst(const std::string& at, const std::string& v,
                         std::int64_t valid) const override {
    std::vector<bool> on(8);
    for (std::int64_t j = 0; j < 8; ++j) on[j] = j < valid;
    return "_mm256_maskstore_ps(" + at + ", " + mask(on) + ", " + v + ")";
  }

 private:
  static std::string mask(const std::vector<bool>& on) {
    std::vector<std::int64_t> bits;
    for (bool b : on) bits.push_back(b ? -1 : 0);
    return "_mm256_setr_epi32(" + convgen::detail::join(bits, ", ") + ")";
  }
};

// AArch64 Advanced SIMD (NEON): 4 lanes, 32 registers, always present on
// AArch64, so no target attribute. It has no masked load or gather: lanes
// are built from scalar reads, which only border vectors need.
class Neon final : public VectorIsa {
 public:
  std::int64_t lanes() const override { return 4; }
  std::string type() const override { return "float32x4_t"; }
  std::string attribute() const override { return ""; }
  std::string load(const std::string& at) const override { return "vld1q_f32(" + at + ")"; }
  std::string evenColumns(const std::string& at) const override {
    return "vld2q_f32(" + at + ").val[0]";  // the de-interleaving load
  }
  std::string evenColumnsMasked(const std::string&, const std::vector<bool>&) const override {
    return "";
  }
  std::string stridedGather(const std::string& at, std::int64_t stride) const override {
    std::vector<std::string> lanes;
    for (std::int64_t j = 0; j < 4; ++j) lanes.push_back("(" + at + ")[" + str(j * stride) + "]");
    return build(lanes);
  }
  std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const override {
    std::vector<std::string> lanes;
    for (std::int64_t j = 0; j < 4; ++j)
      lanes.push_back(live[j] ? "(" + at + ")[" + str(j) + "]" : "0.0f");
    return build(lanes);
  }
  std::string expandLoad(const std::string&, const std::vector<bool>&) const override {
    return "";
  }
  std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                      const std::vector<bool>& live) const override {
    std::vector<std::string> lanes;
    for (std::int64_t j = 0; j < 4; ++j)
      lanes.push_back(live[j] ? "(" + at + ")[" + str(index[j]) + "]" : "0.0f");
    return build(lanes);
  }
  std::string permuteTwo(const std::string&, const std::vector<std::int64_t>&,
                         const std::vector<bool>&) const override {
    return "";  // lanes are built from scalar reads anyway (gather)
  }
  std::string gather(const std::string& row, const std::vector<std::int64_t>& index,
                     const std::vector<bool>& live) const override {
    return permute(row, index, live);
  }
  std::string broadcast(const std::string& at) const override {
    return "vld1q_dup_f32(" + at + ")";
  }
  std::string fma(const std::string& a, const std::string& b,
                  const std::string& acc) const override {
    return "vfmaq_f32(" + acc + ", " + a + ", " + b + ")";
  }
  std::string zero() const override { return "vdupq_n_f32(0.0f)"; }
  std::string set1(const std::string& value) const override {
    return "vdupq_n_f32(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "vst1q_f32(" + at + ", " + v + ")";
  }
  std::string storeFirst(const std::string& at, const std::string& v,
                         std::int64_t valid) const override {
    std::string out;
    for (std::int64_t j = 0; j < valid; ++j)
      out += (j ? "; " : "") + std::string("vst1q_lane_f32(") + at + " + " + str(j) + ", " + v +
             ", " + str(j) + ")";
    return out;
  }

 private:
  // A vector from four scalar expressions (GCC/Clang vector initialisation).
  static std::string build(const std::vector<std::string>& lanes) {
    return "float32x4_t{" + lanes[0] + ", " + lanes[1] + ", " + lanes[2] + ", " + lanes[3] + "}";
  }
};

class Avx512 final : public VectorIsa {
 public:
  std::int64_t lanes() const override { return 16; }
  std::string type() const override { return "__m512"; }
  std::string attribute() const override { return "CONVGEN_TARGET_AVX512 "; }
  std::string load(const std::string& at) const override { return "_mm512_loadu_ps(" + at + ")"; }
  std::string evenColumns(const std::string& at) const override {
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < 16; ++j) idx.push_back(2 * j);
    return "_mm512_permutex2var_ps(" + load(at) + ", " + indices(idx) + ", " + load(at + " + 16") +
           ")";
  }
  std::string evenColumnsMasked(const std::string& at,
                                const std::vector<bool>& live) const override {
    std::vector<bool> lo(16, false), hi(16, false);
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < 16; ++j) {
      idx.push_back(2 * j);
      if (live[j]) (2 * j < 16 ? lo[2 * j] : hi[2 * j - 16]) = true;
    }
    return "_mm512_permutex2var_ps(" + maskedLoad(at, lo) + ", " + indices(idx) + ", " +
           maskedLoad(at + " + 16", hi) + ")";
  }
  std::string stridedGather(const std::string& at, std::int64_t stride) const override {
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < 16; ++j) idx.push_back(j * stride);
    // The masked forms throughout: GCC 12's unmasked ones start from
    // _mm512_undefined_ps(), which -Wuninitialized reports.
    return "_mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, " + indices(idx) +
           ", " + at + ", 4)";
  }
  std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                      const std::vector<bool>& live) const override {
    return "_mm512_maskz_permutexvar_ps(" + mask(live) + ", " + indices(index) + ", " + load(at) +
           ")";
  }
  std::string permuteTwo(const std::string& at, const std::vector<std::int64_t>& index,
                         const std::vector<bool>& live) const override {
    std::vector<bool> lo(16, false), hi(16, false);
    for (std::int64_t j = 0; j < 16; ++j)
      if (live[j]) (index[j] < 16 ? lo[index[j]] : hi[index[j] - 16]) = true;
    return "_mm512_maskz_permutex2var_ps(" + mask(live) + ", " + maskedLoad(at, lo) + ", " +
           indices(index) + ", " + maskedLoad(at + " + 16", hi) + ")";
  }
  std::string gather(const std::string& row, const std::vector<std::int64_t>& index,
                     const std::vector<bool>& live) const override {
    return "_mm512_mask_i32gather_ps(_mm512_setzero_ps(), " + mask(live) + ", " + indices(index) +
           ", " + row + ", 4)";
  }
  std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const override {
    // No lane read: no pointer formed (it could lie past the buffer).
    if (std::find(live.begin(), live.end(), true) == live.end()) return zero();
    return "_mm512_maskz_loadu_ps(" + mask(live) + ", " + at + ")";
  }
  std::string expandLoad(const std::string& at, const std::vector<bool>& live) const override {
    return "_mm512_maskz_expandloadu_ps(" + mask(live) + ", " + at + ")";
  }
  std::string broadcast(const std::string& at) const override {
    return "_mm512_set1_ps(*(" + at + "))";
  }
  std::string fma(const std::string& a, const std::string& b,
                  const std::string& acc) const override {
    return "_mm512_fmadd_ps(" + a + ", " + b + ", " + acc + ")";
  }
  std::string zero() const override { return "_mm512_setzero_ps()"; }
  std::string set1(const std::string& value) const override {
    return "_mm512_set1_ps(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "_mm512_storeu_ps(" + at + ", " + v + ")";
  }
  std::string storeFirst(const std::string& at, const std::string& v,
                         std::int64_t valid) const override {
    std::vector<bool> on(16);
    for (std::int64_t j = 0; j < 16; ++j) on[j] = j < valid;
    return "_mm512_mask_storeu_ps(" + at + ", " + mask(on) + ", " + v + ")";
  }

 private:
  static std::string indices(const std::vector<std::int64_t>& idx) {
    return "_mm512_setr_epi32(" + convgen::detail::join(idx, ", ") + ")";
  }
  static std::string mask(const std::vector<bool>& on) {
    unsigned bits = 0;
    for (std::size_t j = 0; j < on.size(); ++j) bits |= on[j] ? 1u << j : 0u;
    // A plain literal converts to __mmask16 (SIMDe, for tests, has no
    // __mmask16 alias).
    char text[32];
    std::snprintf(text, sizeof text, "0x%04X", bits);
    return text;
  }
};

// How one 8-lane input vector of a border tile is formed.
struct VectorLoad {
  enum Kind {
    Zero, Contiguous, Masked, Expand, Strided2, Strided2Masked, Permute, PermuteTwo, Gather
  } kind = Zero;
  std::int64_t base = 0;            // Contiguous/Permute: first column loaded
  std::vector<std::int64_t> index;  // Permute: lane source within the load; Gather: column
  std::vector<bool> live;           // lanes that read input (others are 0)
};

class SimdEmitter : public LayerEmitter {
 public:
  SimdEmitter(const ModelSpec& model, const KernelPlan& plan, std::unique_ptr<VectorIsa> isa)
      : LayerEmitter(model, plan), isa_(std::move(isa)), kLanes(isa_->lanes()) {}

 protected:
  std::string targetAttribute() const override { return isa_->attribute(); }

  struct ColumnTile {
    std::int64_t ow0 = 0;              // first output column
    std::int64_t vectors = 0;          // vectors in this tile
    std::int64_t valid_last = 0;  // live lanes of the last vector
    bool interior = false;
  };

  std::int64_t og() const { return l_.out_channels / l_.groups; }
  std::int64_t reduction() const {
    return (l_.in_channels / l_.groups) * l_.kernel.h * l_.kernel.w;
  }

  // Column of output lane (vector v, lane j) for tap q, before padding maps.
  std::int64_t column(const ColumnTile& t, std::int64_t v, std::int64_t j, std::int64_t q) const {
    return (t.ow0 + kLanes * v + j) * l_.stride.w - l_.pad.left + q * l_.dilation.w;
  }

  bool laneValid(const ColumnTile& t, std::int64_t v, std::int64_t j) const {
    return t.ow0 + kLanes * v + j < p_.shapes.out_width;
  }

  // A clean vector: every lane is stored and, for every tap, reads inside
  // the row with the plain load its stride uses (stride 2 loads 16 floats).
  bool isClean(std::int64_t v) const {
    ColumnTile t;
    t.ow0 = kLanes * v;
    if (t.ow0 + kLanes > p_.shapes.out_width) return false;
    for (std::int64_t q = 0; q < l_.kernel.w; ++q) {
      const std::int64_t first = column(t, 0, 0, q);
      const std::int64_t last = column(t, 0, kLanes - 1, q);
      if (first < 0 || last >= l_.in_width) return false;
      if (l_.stride.w == 2 && first + 2 * kLanes - 1 >= l_.in_width) return false;
    }
    return true;
  }

  // Column tiles of one output row: vec_tile vectors each from column 0, so
  // every tile keeps the planned register tile. A tile whose vectors are all
  // clean is interior (run in a loop); the others get constant code in which
  // each vector still loads directly when it can.
  std::vector<ColumnTile> columnTiles() const {
    const std::int64_t vectors = (p_.shapes.out_width + kLanes - 1) / kLanes;
    std::vector<ColumnTile> tiles;
    for (std::int64_t v0 = 0; v0 < vectors; v0 += p_.vec_tile) {
      ColumnTile t;
      t.ow0 = v0 * kLanes;
      t.vectors = std::min(p_.vec_tile, vectors - v0);
      t.valid_last = std::min(kLanes, p_.shapes.out_width - (v0 + t.vectors - 1) * kLanes);
      t.interior = t.vectors == p_.vec_tile;
      for (std::int64_t v = v0; v < v0 + t.vectors; ++v) t.interior &= isClean(v);
      tiles.push_back(t);
    }
    return tiles;
  }

  VectorLoad borderLoad(const ColumnTile& t, std::int64_t v, std::int64_t q) const {
    VectorLoad load;
    std::vector<std::int64_t> src(kLanes, -1);
    load.live.assign(kLanes, false);
    std::int64_t lo = l_.in_width, hi = -1;
    for (std::int64_t j = 0; j < kLanes; ++j) {
      if (!laneValid(t, v, j)) continue;  // past the row's end: never stored
      src[j] = mapIndex(column(t, v, j, q), l_.in_width);
      if (src[j] < 0) continue;  // zero padding
      load.live[j] = true;
      lo = std::min(lo, src[j]);
      hi = std::max(hi, src[j]);
    }
    if (hi < 0) return load;  // all zero: the tap contributes nothing
    bool contiguous = true;
    for (std::int64_t j = 0; j < kLanes; ++j) contiguous &= load.live[j] && src[j] == src[0] + j;
    if (contiguous) {
      load.kind = VectorLoad::Contiguous;
      load.base = src[0];
      return load;
    }
    // Live lanes reading consecutive columns in lane order: one masked load
    // (from the first lane's column when it is not before the row), or an
    // expanding load of the live run.
    std::int64_t first = 0;
    while (!load.live[first]) ++first;
    bool consecutive = true;
    for (std::int64_t j = 0; j < kLanes; ++j)
      consecutive &= !load.live[j] || src[j] == src[first] + (j - first);
    if (consecutive && src[first] - first >= 0) {
      load.kind = VectorLoad::Masked;
      load.base = src[first] - first;
      return load;
    }
    std::int64_t last = kLanes - 1;
    while (!load.live[last]) --last;
    bool run = consecutive;
    for (std::int64_t j = first; j <= last; ++j) run &= load.live[j];
    if (run && !isa_->expandLoad("", load.live).empty()) {
      load.kind = VectorLoad::Expand;
      load.base = src[first];
      return load;
    }
    bool strided2 = src[0] + 2 * kLanes - 1 < l_.in_width;
    for (std::int64_t j = 0; j < kLanes; ++j) strided2 &= load.live[j] && src[j] == src[0] + 2 * j;
    if (strided2) {
      load.kind = VectorLoad::Strided2;
      load.base = src[0];
      return load;
    }
    // Live lanes on every second column from a base inside the row (dead
    // lanes: padding or past the output's end): masked loads, then the same
    // even-element selection.
    bool strided2_masked = src[first] - 2 * first >= 0;
    for (std::int64_t j = 0; j < kLanes; ++j)
      strided2_masked &= !load.live[j] || src[j] == src[first] + 2 * (j - first);
    if (strided2_masked && !isa_->evenColumnsMasked("", load.live).empty()) {
      load.kind = VectorLoad::Strided2Masked;
      load.base = src[first] - 2 * first;
      return load;
    }
    if (l_.in_width >= kLanes && hi - lo < kLanes) {
      load.kind = VectorLoad::Permute;
      load.base = std::min(lo, l_.in_width - kLanes);
      for (std::int64_t j = 0; j < kLanes; ++j)
        load.index.push_back(load.live[j] ? src[j] - load.base : 0);
      return load;
    }
    if (hi - lo < 2 * kLanes) {
      std::vector<std::int64_t> index;
      for (std::int64_t j = 0; j < kLanes; ++j) index.push_back(load.live[j] ? src[j] - lo : 0);
      if (!isa_->permuteTwo("", index, load.live).empty()) {
        load.kind = VectorLoad::PermuteTwo;
        load.base = lo;
        load.index = index;
        return load;
      }
    }
    load.kind = VectorLoad::Gather;
    for (std::int64_t j = 0; j < kLanes; ++j) load.index.push_back(load.live[j] ? src[j] : 0);
    return load;
  }

  bool anyLiveLoad(const ColumnTile& t, std::int64_t q) const {
    for (std::int64_t v = 0; v < t.vectors; ++v)
      if (borderLoad(t, v, q).kind != VectorLoad::Zero) return true;
    return false;
  }

  std::string tileName(const ColumnTile& t, std::size_t index, std::int64_t ocb,
                       std::int64_t rows) const {
    return (t.interior ? std::string("in") : "b" + str(index)) + "_oc" + str(ocb) + "_r" +
           str(rows);
  }

  // Straight-line window of one input channel for one column tile of
  // `rows` output rows; roff[rr * kKH + p] is the offset of kernel row p's
  // source row for output row rr, -1 for a row of zero padding (only in
  // single-row tiles: multi-row tiles cover interior rows).
  void window(Code& c, const ColumnTile& t, std::size_t index, std::int64_t ocb,
              std::int64_t rows) {
    const bool zeros_rows = rows == 1 && l_.padding_mode == PaddingMode::Zeros &&
                            (p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height);
    const std::string vt = isa_->type();
    c.line("// Channel ci's " + str(l_.kernel.h) + "x" + str(l_.kernel.w) + " window for " +
           str(ocb) + " output channels x " + str(rows) + " rows x " + str(t.vectors) +
           " vectors (" +
           (t.interior ? "interior tile" : "border tile at column " + str(t.ow0)) + ").");
    const std::int64_t nv = rows * t.vectors;
    c.open(targetAttribute() + "inline void unrolled_" + tileName(t, index, ocb, rows) +
           "(" + isa_->type() + " (&acc)[" + str(ocb) + "][" + str(nv) +
           "], const float* x_c, const std::int64_t* roff, const float* w_c, std::int64_t c0) "
           "noexcept");
    // A border tile may read only padding (then nothing here is used).
    c.line("(void)acc, (void)x_c, (void)roff, (void)w_c, (void)c0;");
    for (std::int64_t p = 0; p < l_.kernel.h; ++p) {
      if (zeros_rows)
        c.open("if (roff[" + str(p) + "] >= 0)");
      else
        c.open("");
      for (std::int64_t rr = 0; rr < rows; ++rr) {
        c.line("const float* r" + str(rr) + " = x_c + roff[" + str(rr * l_.kernel.h + p) + "];");
        c.line("(void)r" + str(rr) + ";  // unused when this tile reads only padding here");
      }
      for (std::int64_t q = 0; q < l_.kernel.w; ++q) {
        if (!t.interior && !anyLiveLoad(t, q)) continue;  // reads only zero padding
        c.open("");
        std::vector<bool> live_vector(nv, true);
        for (std::int64_t k = 0; k < nv; ++k) {
          const std::int64_t rr = k / t.vectors, v = k % t.vectors;
          const std::string x = "x" + str(k), row = "r" + str(rr);
          if (t.interior) {
            const std::string at =
                row + " + c0 + " + str(kLanes * v * l_.stride.w + q * l_.dilation.w);
            const std::string value = l_.stride.w == 1   ? isa_->load(at)
                                      : l_.stride.w == 2 ? isa_->evenColumns(at)
                                                         : isa_->stridedGather(at, l_.stride.w);
            c.line("const " + vt + " " + x + " = " + value + ";");
            continue;
          }
          const VectorLoad load = borderLoad(t, v, q);
          switch (load.kind) {
            case VectorLoad::Zero:
              live_vector[k] = false;
              break;
            case VectorLoad::Contiguous:
              c.line("const " + vt + " " + x + " = " + isa_->load(row + " + " + str(load.base)) + ";");
              break;
            case VectorLoad::Masked:
              c.line("const " + vt + " " + x + " = " +
                     isa_->maskedLoad(row + " + " + str(load.base), load.live) + ";");
              break;
            case VectorLoad::Expand:
              c.line("const " + vt + " " + x + " = " +
                     isa_->expandLoad(row + " + " + str(load.base), load.live) + ";");
              break;
            case VectorLoad::Strided2:
              c.line("const " + vt + " " + x + " = " + isa_->evenColumns(row + " + " + str(load.base)) +
                     ";");
              break;
            case VectorLoad::Strided2Masked:
              c.line("const " + vt + " " + x + " = " +
                     isa_->evenColumnsMasked(row + " + " + str(load.base), load.live) + ";");
              break;
            case VectorLoad::PermuteTwo:
              c.line("const " + vt + " " + x + " = " +
                     isa_->permuteTwo(row + " + " + str(load.base), load.index, load.live) + ";");
              break;
            case VectorLoad::Permute:
              c.line("const " + vt + " " + x + " = " +
                     isa_->permute(row + " + " + str(load.base), load.index, load.live) + ";");
              break;
            case VectorLoad::Gather:
              c.line("const " + vt + " " + x + " = " + isa_->gather(row, load.index, load.live) + ";");
              break;
          }
        }
        for (std::int64_t i = 0; i < ocb; ++i) {
          c.line("{");
          c.indent(1);
          c.line("const " + vt + " w = " +
                 isa_->broadcast("w_c + " + str(i * reduction() + p * l_.kernel.w + q)) + ";");
          for (std::int64_t k = 0; k < nv; ++k) {
            if (!live_vector[k]) continue;
            const std::string acc = "acc[" + str(i) + "][" + str(k) + "]";
            c.line(acc + " = " + isa_->fma("w", "x" + str(k), acc) + ";");
          }
          c.indent(-1);
          c.line("}");
        }
        c.close();
      }
      c.close();
    }
    c.close();
  }

  // Bias, every input channel of the group, store (masked past the row's end).
  void tile(Code& c, const ColumnTile& t, std::size_t index, std::int64_t ocb,
            std::int64_t rows) {
    const std::string name = tileName(t, index, ocb, rows);
    const std::int64_t nv = rows * t.vectors;
    c.open(targetAttribute() + "inline void tile_" + name +
           "(const float* x_g, const std::int64_t* roff, const float* w_o, const float* b_o, "
           "float* y_row, std::int64_t ow0) noexcept");
    if (!t.interior) c.line("(void)ow0;");
    c.line(isa_->type() + " acc[" + str(ocb) + "][" + str(nv) + "];");
    for (std::int64_t i = 0; i < ocb; ++i) {
      const std::string init =
          l_.bias ? isa_->set1("b_o[" + str(i) + "]") : isa_->zero();
      for (std::int64_t k = 0; k < nv; ++k)
        c.line("acc[" + str(i) + "][" + str(k) + "] = " + init + ";");
    }
    if (!l_.bias) c.line("(void)b_o;");
    const std::string c0 = t.interior ? "ow0 * kSW - kPL" : "0";
    c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
    c.line("unrolled_" + name + "(acc, x_g + ci * kH * kW, roff, w_o + ci * kKH * kKW, " + c0 +
           ");");
    c.close();
    const std::string col = t.interior ? "ow0" : str(t.ow0);
    for (std::int64_t i = 0; i < ocb; ++i) {
      for (std::int64_t k = 0; k < nv; ++k) {
        const std::int64_t rr = k / t.vectors, v = k % t.vectors;
        const std::string at = "y_row + " + str(i) + " * kOH * kOW + " + str(rr) + " * kOW + " +
                               col + " + " + str(kLanes * v);
        const std::string value = "acc[" + str(i) + "][" + str(k) + "]";
        c.line((v + 1 == t.vectors && t.valid_last < kLanes
                    ? isa_->storeFirst(at, value, t.valid_last)
                    : isa_->store(at, value)) +
               ";");
      }
    }
    c.close();
  }

  // One output-row block: roff for `rows` rows from `oh`, then every
  // column tile.
  void rowBlock(Code& c, const std::vector<ColumnTile>& tiles, std::int64_t ocb,
                std::int64_t rows, bool mapped) {
    c.line("std::int64_t roff[" + str(rows) + " * kKH];");
    c.open("for (std::int64_t rr = 0; rr < " + str(rows) + "; ++rr)");
    c.open("for (std::int64_t p = 0; p < kKH; ++p)");
    if (mapped) {
      c.line("const std::int64_t r = sourceRow((oh + rr) * kSH - kPT + p * kDH);");
      c.line("roff[rr * kKH + p] = r < 0 ? -1 : r * kW;");
    } else {
      c.line("roff[rr * kKH + p] = ((oh + rr) * kSH - kPT + p * kDH) * kW;");
    }
    c.close();
    c.close();
    c.line("float* y_row = y_o + oh * kOW;");
    std::size_t i = 0;
    while (i < tiles.size()) {
      if (tiles[i].interior) {
        std::size_t j = i;
        while (j < tiles.size() && tiles[j].interior) ++j;
        const std::int64_t step = kLanes * p_.vec_tile;
        c.open("for (std::int64_t ow0 = " + str(tiles[i].ow0) +
               "; ow0 <= " + str(tiles[j - 1].ow0) + "; ow0 += " + str(step) + ")");
        c.line("tile_" + tileName(tiles[i], i, ocb, rows) + "(x_g, roff, w_o, b_o, y_row, ow0);");
        c.close();
        i = j;
      } else {
        c.line("tile_" + tileName(tiles[i], i, ocb, rows) + "(x_g, roff, w_o, b_o, y_row, " +
               str(tiles[i].ow0) + ");");
        ++i;
      }
    }
  }

  // Every output row of one block of `ocb` output channels: interior rows
  // in blocks of row_tile, the others (border rows, the rest) one at a time.
  void outputRows(Code& c, const std::vector<ColumnTile>& tiles, std::int64_t ocb) {
    const bool border_rows = p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height;
    const std::int64_t rt = p_.row_tile;
    const std::int64_t blocked_end = p_.rows.lo + p_.rows.size() / rt * rt;
    c.line("// All output rows of " + str(ocb) + " output channels.");
    c.open(targetAttribute() + "inline void rows_oc" + str(ocb) +
           "(const float* x_g, const float* w_o, const float* b_o, float* y_o) noexcept");
    if (rt == 1) {
      c.open("for (std::int64_t oh = 0; oh < kOH; ++oh)");
      rowBlock(c, tiles, ocb, 1, border_rows);
      c.close();
    } else {
      c.open("for (std::int64_t oh = kRowLo; oh < " + str(blocked_end) + "; oh += " + str(rt) +
             ")");
      rowBlock(c, tiles, ocb, rt, false);
      c.close();
      // The rows before and after the blocks, one at a time.
      const std::pair<std::int64_t, std::int64_t> rest[] = {{0, p_.rows.lo},
                                                             {blocked_end, p_.shapes.out_height}};
      for (const auto& [from, to] : rest) {
        if (from >= to) continue;
        c.open("for (std::int64_t oh = " + str(from) + "; oh < " + str(to) + "; ++oh)");
        rowBlock(c, tiles, ocb, 1, border_rows);
        c.close();
      }
    }
    c.close();
  }

  // Tiles of row_tile rows cover blocks of interior rows; single-row tiles
  // cover the rest (always present unless row_tile divides an all-interior
  // output).
  std::vector<std::int64_t> rowTiles() const {
    if (p_.row_tile == 1) return {1};
    const bool rest = p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height ||
                      p_.rows.size() % p_.row_tile != 0;
    return rest ? std::vector<std::int64_t>{p_.row_tile, 1} : std::vector<std::int64_t>{p_.row_tile};
  }

  std::vector<std::int64_t> ocBlocks() const {
    std::vector<std::int64_t> blocks = {p_.oc_tile};
    if (og() % p_.oc_tile) blocks.push_back(og() % p_.oc_tile);
    return blocks;
  }

  std::string kernels() override {
    Code c;
    const std::vector<ColumnTile> tiles = columnTiles();
    for (std::int64_t ocb : ocBlocks()) {
      bool interior_done = false;
      for (std::size_t i = 0; i < tiles.size(); ++i) {
        if (tiles[i].interior && interior_done) continue;
        interior_done |= tiles[i].interior;
        for (std::int64_t rows : rowTiles()) {
          c.line();
          window(c, tiles[i], i, ocb, rows);
          c.line();
          tile(c, tiles[i], i, ocb, rows);
        }
      }
      c.line();
      outputRows(c, tiles, ocb);
    }
    return c.text();
  }

  std::unique_ptr<VectorIsa> isa_;
  const std::int64_t kLanes;  // floats per vector register

  std::string body() override {
    Code c;
    c.indent(1);
    c.open("for (std::int64_t n = 0; n < kN; ++n)");
    c.open("for (std::int64_t g = 0; g < kG; ++g)");
    c.line("const float* x_g = input + (n * kC + g * kCg) * kH * kW;");
    c.line("const float* w_g = weight + g * kOg * kCg * kKH * kKW;");
    if (l_.bias) c.line("const float* b_g = bias + g * kOg;");
    c.line("float* y_g = output + (n * kO + g * kOg) * kOH * kOW;");
    const std::int64_t full = og() / p_.oc_tile * p_.oc_tile;
    auto call = [&](std::int64_t ocb, const std::string& o) {
      return "rows_oc" + str(ocb) + "(x_g, w_g + " + o + " * kCg * kKH * kKW, " +
             (l_.bias ? "b_g + " + o : std::string("nullptr")) + ", y_g + " + o + " * kOH * kOW);";
    };
    c.open("for (std::int64_t o = 0; o < " + str(full) + "; o += " + str(p_.oc_tile) + ")");
    c.line(call(p_.oc_tile, "o"));
    c.close();
    if (full < og()) c.line(call(og() - full, str(full)));
    c.close().close();
    return c.text();
  }
};

}  // namespace

std::unique_ptr<LayerEmitter> makeSimdEmitter(const ModelSpec& model, const KernelPlan& plan) {
  std::unique_ptr<VectorIsa> isa;
  switch (plan.layer.isa) {
    case Isa::Avx512: isa = std::make_unique<Avx512>(); break;
    case Isa::Avx2: isa = std::make_unique<Avx2>(); break;
    case Isa::Neon: isa = std::make_unique<Neon>(); break;
    case Isa::Scalar: require(false, "no vector ISA for scalar plans");
  }
  require(plan.vec_lanes == isa->lanes(), "plan and emitter disagree on the vector width");
  return std::make_unique<SimdEmitter>(model, plan, std::move(isa));
}

}  // namespace convgen::detail
