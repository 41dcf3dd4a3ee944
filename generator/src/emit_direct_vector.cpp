// The DirectVector strategy's code: "direct_w8" (AVX2 + FMA), "direct_w16"
// (AVX-512F), "direct_w4" (NEON), one algorithm over the vector back-ends.
//
// A vector register holds consecutive output columns of one output channel.
// A register tile is oc x rows x vectors; the input-channel loop runs inside
// the tile and the kh x kw window is straight-line (unrolled_* functions, no
// loops). Every decision (tiles, which columns are interior, the load of
// each border (tap, vector)) is in the plan (plan_direct_vector.cpp); this
// file renders it. Rows map through sourceRow(), and rows of zero padding
// are skipped.
#include "convgen/internal_error.h"
#include "emit_code.h"
#include "emit_epilogue.h"
#include "vector_backend.h"

namespace convgen::detail {
namespace {

class DirectVectorEmitter {
 public:
  DirectVectorEmitter(const KernelPlan& p)
      : p_(p), l_(p.layer), v_(std::get<DirectVectorPlan>(p.detail)),
        isa_(makeVectorBackend(p.isa)), kLanes(isa_->lanes()), attr_(targetAttribute(p)) {
    CONVGEN_CHECK(v_.lanes == kLanes, "plan and back-end disagree on the vector width");
  }

  StrategyCode render() { return {kernels(), body()}; }

 private:
  std::int64_t og() const { return l_.out_channels / l_.groups; }
  std::int64_t reduction() const { return (l_.in_channels / l_.groups) * l_.kernel.h * l_.kernel.w; }

  std::string tileName(const ColumnTile& t, std::int64_t ocb, std::int64_t rows) const {
    return (t.interior ? std::string("in") : "b" + str(t.index)) + "_oc" + str(ocb) + "_r" +
           str(rows);
  }

  std::string loadExpr(const VectorLoad& load, const std::string& row) const {
    const std::string at = row + " + " + str(load.base);
    switch (load.kind) {
      case VectorLoad::Zero:
        break;
      case VectorLoad::Contiguous:
        return isa_->load(at);
      case VectorLoad::Masked:
        return isa_->maskedLoad(at, load.live);
      case VectorLoad::Expand:
        return isa_->expandLoad(at, load.live);
      case VectorLoad::Strided2:
        return isa_->evenColumns(at);
      case VectorLoad::Strided2Masked:
        return isa_->evenColumnsMasked(at, load.live);
      case VectorLoad::PermuteTwo:
        return isa_->permuteTwo(at, load.index, load.live);
      case VectorLoad::Permute:
        return isa_->permute(at, load.index, load.live);
      case VectorLoad::Gather:
        return isa_->gather(row, load.index, load.live);
    }
    CONVGEN_CHECK(false, "a zero load has no expression");
    return "";
  }

  // Straight-line window of one input channel for one column tile of
  // `rows` output rows; roff[rr * kKH + p] is the offset of kernel row p's
  // source row for output row rr, -1 for a row of zero padding (only in
  // single-row tiles: multi-row tiles cover interior rows).
  void window(Code& c, const ColumnTile& t, std::int64_t ocb, std::int64_t rows) {
    // Split rows (interior tiles of a plan with `deinterleave`): x_c is the
    // channel's split rows, and r<rr> kernel row kr's slot.
    const bool split = t.interior && v_.deinterleave;
    const bool zeros_rows = rows == 1 && l_.padding_mode == PaddingMode::Zeros &&
                            (p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height);
    const std::string vt = isa_->type();
    c.line("// Channel ci's " + str(l_.kernel.h) + "x" + str(l_.kernel.w) + " window for " +
           str(ocb) + " output channels x " + str(rows) + " rows x " + str(t.vectors) +
           " vectors (" + (t.interior ? "interior tile" : "border tile at column " + str(t.ow0)) +
           ").");
    const std::int64_t nv = rows * t.vectors;
    c.open(attr_ + "CONVGEN_ALWAYS_INLINE void unrolled_" + tileName(t, ocb, rows) + "(" + vt + " (&acc)[" +
           str(ocb) + "][" + str(nv) +
           "], const float* x_c, const std::int64_t* roff, const float* w_c, std::int64_t c0) "
           "noexcept");
    // A border tile may read only padding (then nothing here is used).
    c.line("(void)acc, (void)x_c, (void)roff, (void)w_c, (void)c0;");
    for (std::int64_t kr = 0; kr < l_.kernel.h; ++kr) {
      c.open(zeros_rows ? "if (roff[" + str(kr) + "] >= 0)" : "");
      for (std::int64_t rr = 0; rr < rows; ++rr) {
        if (split) {
          const std::int64_t slot = splitSlots(rows)[rr * l_.kernel.h + kr];
          c.line("const float* r" + str(rr) + " = x_c + " + str(slot) + " * 2 * kHalf;");
          continue;
        }
        c.line("const float* r" + str(rr) + " = x_c + roff[" + str(rr * l_.kernel.h + kr) + "];");
        c.line("(void)r" + str(rr) + ";  // unused when this tile reads only padding here");
      }
      for (std::int64_t q = 0; q < l_.kernel.w; ++q) {
        if (!t.readsTapColumn(q)) continue;  // reads only zero padding
        c.open("");
        std::vector<bool> live_vector(nv, true);
        for (std::int64_t k = 0; k < nv; ++k) {
          const std::int64_t rr = k / t.vectors, v = k % t.vectors;
          const std::string x = "x" + str(k), row = "r" + str(rr);
          if (split) {
            // Input column 2 * ow + e of tap q is column ow + floor(e / 2)
            // of the half of e's parity.
            const std::int64_t e = q * l_.dilation.w - l_.pad.left;
            const std::int64_t odd = ((e % 2) + 2) % 2, half = (e - odd) / 2;
            c.line("const " + vt + " " + x + " = " +
                   isa_->load(row + " + c0 + " + (odd ? "kHalf + " : "") +
                              str(kLanes * v + half)) + ";");
            continue;
          }
          if (t.interior) {
            const std::string at =
                row + " + c0 + " + str(kLanes * v * l_.stride.w + q * l_.dilation.w);
            const std::string value = l_.stride.w == 1   ? isa_->load(at)
                                      : l_.stride.w == 2 ? isa_->evenColumns(at)
                                                         : isa_->stridedGather(at, l_.stride.w);
            c.line("const " + vt + " " + x + " = " + value + ";");
            continue;
          }
          const VectorLoad& load = t.loads[q][v];
          if (load.kind == VectorLoad::Zero) {
            live_vector[k] = false;
            continue;
          }
          c.line("const " + vt + " " + x + " = " + loadExpr(load, row) + ";");
        }
        for (std::int64_t i = 0; i < ocb; ++i) {
          c.line("{");
          c.indent(1);
          c.line("const " + vt + " w = " +
                 isa_->broadcast("w_c + " + str(i * reduction() + kr * l_.kernel.w + q)) + ";");
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
  void tile(Code& c, const ColumnTile& t, std::int64_t ocb, std::int64_t rows) {
    const std::string name = tileName(t, ocb, rows);
    const std::int64_t nv = rows * t.vectors;
    c.open(attr_ + "inline void tile_" + name +
           "(const float* x_g, const std::int64_t* roff, const float* w_o, const float* b_o, "
           "float* y_row" + residualParam(l_, "const float* r_row") + ", std::int64_t ow0) noexcept");
    if (!t.interior) c.line("(void)ow0;");
    c.line(isa_->type() + " acc[" + str(ocb) + "][" + str(nv) + "];");
    for (std::int64_t i = 0; i < ocb; ++i) {
      const std::string init = l_.bias ? isa_->set1("b_o[" + str(i) + "]") : isa_->zero();
      for (std::int64_t k = 0; k < nv; ++k)
        c.line("acc[" + str(i) + "][" + str(k) + "] = " + init + ";");
    }
    if (!l_.bias) c.line("(void)b_o;");
    const bool split = t.interior && v_.deinterleave;
    const std::string c0 = split ? "ow0" : t.interior ? "ow0 * kSW - kPL" : "0";
    // Split rows: x_g is the row block's split rows, a channel's slots apart.
    const std::string channel = split ? str(slotCount(rows)) + " * 2 * kHalf" : "kH * kW";
    c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
    c.line("unrolled_" + name + "(acc, x_g + ci * " + channel + ", roff, w_o + ci * kKH * kKW, " +
           c0 + ");");
    c.close();
    const std::string col = t.interior ? "ow0" : str(t.ow0);
    for (std::int64_t i = 0; i < ocb; ++i) {
      for (std::int64_t k = 0; k < nv; ++k) {
        const std::int64_t rr = k / t.vectors, v = k % t.vectors;
        const std::string offset = " + " + str(i) + " * kOH * kOW + " + str(rr) + " * kOW + " +
                                   col + " + " + str(kLanes * v);
        const std::string value = "acc[" + str(i) + "][" + str(k) + "]";
        vectorStore(c, *isa_, l_, "y_row" + offset, "r_row" + offset, value,
                    v + 1 == t.vectors ? t.valid_last : kLanes);
      }
    }
    c.close();
  }

  // One output-row block: roff for `rows` rows from `oh`, then every
  // column tile.
  void rowBlock(Code& c, std::int64_t ocb, std::int64_t rows, bool mapped) {
    emitRowOffsets(c, rows, mapped);
    c.line("float* y_row = y_o + oh * kOW;");
    residualLine(c, l_, "const float* r_row = r_o + oh * kOW;");
    tileCalls(c, ocb, rows, "x_g");
  }

  // Every column tile of one row block; interior tiles read `interior_x`.
  void tileCalls(Code& c, std::int64_t ocb, std::int64_t rows, const std::string& interior_x) {
    for (const ColumnTile& t : v_.tiles) {
      if (t.interior) {
        const std::int64_t step = kLanes * v_.vec_tile;
        c.open("for (std::int64_t ow0 = " + str(t.ow0) + "; ow0 <= " +
               str(t.ow0 + (t.repeat - 1) * step) + "; ow0 += " + str(step) + ")");
        c.line("tile_" + tileName(t, ocb, rows) + "(" + interior_x + ", roff, w_o, b_o, y_row" +
               residualArg(l_, "r_row") + ", ow0);");
        c.close();
      } else {
        c.line("tile_" + tileName(t, ocb, rows) + "(x_g, roff, w_o, b_o, y_row" +
               residualArg(l_, "r_row") + ", " + str(t.ow0) + ");");
      }
    }
  }

  // Split rows: the slots of row tiles of `rows` rows, per roff entry.
  std::size_t rowTileIndex(std::int64_t rows) const {
    for (std::size_t i = 0; i < v_.row_tiles.size(); ++i)
      if (v_.row_tiles[i] == rows) return i;
    CONVGEN_CHECK(false, "no row tile of this height");
    return 0;
  }
  const std::vector<std::int64_t>& splitSlots(std::int64_t rows) const {
    return v_.deinterleave->slot_of[rowTileIndex(rows)];
  }
  std::int64_t slotCount(std::int64_t rows) const {
    return static_cast<std::int64_t>(v_.deinterleave->slots[rowTileIndex(rows)].size());
  }

  // Split rows: one row block of every output channel of the group. The
  // block's rows are split once, then each channel block's tiles read them.
  void splitRowBlock(Code& c, std::int64_t rows, bool mapped) {
    emitRowOffsets(c, rows, mapped);
    c.line("split_rows_r" + str(rows) + "(x_g, roff, xd);");
    const std::int64_t full = og() / v_.oc_tile * v_.oc_tile;
    for (std::int64_t ocb : v_.oc_blocks) {
      const bool repeated = ocb == v_.oc_tile;
      c.open(repeated ? "for (std::int64_t o = 0; o < " + str(full) + "; o += " + str(ocb) + ")"
                      : "");
      const std::string o = repeated ? "o" : str(full);
      c.line("const float* w_o = w_g + " + o + " * kCg * kKH * kKW;");
      c.line("const float* b_o = " + (l_.bias ? "b_g + " + o : std::string("nullptr")) + ";");
      c.line("float* y_row = y_g + " + o + " * kOH * kOW + oh * kOW;");
      residualLine(c, l_, "const float* r_row = r_g + " + o + " * kOH * kOW + oh * kOW;");
      tileCalls(c, ocb, rows, "xd");
      c.close();
    }
  }

  // Split rows: every output row of the group, row blocks outside, blocks
  // of output channels inside.
  void splitRows(Code& c) {
    const bool border_rows = p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height;
    const std::int64_t rt = v_.row_tile;
    const std::int64_t blocked_end = p_.rows.lo + p_.rows.size() / rt * rt;
    c.line("// All output rows of all output channels of a group, from split input rows.");
    c.open(attr_ + "inline void rows_split(const float* x_g, const float* w_g, const float* b_g, "
           "float* y_g" + residualParam(l_, "const float* r_g") +
           ", std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
    c.line("(void)b_g;");
    c.line("alignas(64) float xd[" + str(v_.deinterleave->floats) + "];");
    if (rt == 1) {
      c.open("for (" + rowLoop("0", "kOH") + "; ++oh)");
      splitRowBlock(c, 1, border_rows);
      c.close();
    } else {
      // Row blocks never straddle oh_lo or oh_hi (kRowUnits, unitRow()).
      c.open("for (" + rowLoop("kRowLo", str(blocked_end)) + "; oh += " + str(rt) + ")");
      splitRowBlock(c, rt, false);
      c.close();
      const std::pair<std::int64_t, std::int64_t> rest[] = {{0, p_.rows.lo},
                                                             {blocked_end, p_.shapes.out_height}};
      for (const auto& [from, to] : rest) {
        if (from >= to) continue;
        c.open("for (" + rowLoop(str(from), to == p_.shapes.out_height ? "kOH" : str(to)) + "; ++oh)");
        splitRowBlock(c, 1, border_rows);
        c.close();
      }
    }
    c.close();
  }

  // Every output row of one block of `ocb` output channels: interior rows
  // in blocks of row_tile, the others (border rows, the rest) one at a time.
  void outputRows(Code& c, std::int64_t ocb) {
    const bool border_rows = p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height;
    const std::int64_t rt = v_.row_tile;
    const std::int64_t blocked_end = p_.rows.lo + p_.rows.size() / rt * rt;
    c.line("// All output rows of " + str(ocb) + " output channels.");
    c.open(attr_ + "inline void rows_oc" + str(ocb) +
           "(const float* x_g, const float* w_o, const float* b_o, float* y_o" +
           residualParam(l_, "const float* r_o") + ", std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
    if (rt == 1) {
      c.open("for (" + rowLoop("0", "kOH") + "; ++oh)");
      rowBlock(c, ocb, 1, border_rows);
      c.close();
    } else {
      // Row blocks never straddle oh_lo or oh_hi (kRowUnits, unitRow()).
      c.open("for (" + rowLoop("kRowLo", str(blocked_end)) + "; oh += " + str(rt) + ")");
      rowBlock(c, ocb, rt, false);
      c.close();
      // The rows before and after the blocks, one at a time.
      const std::pair<std::int64_t, std::int64_t> rest[] = {{0, p_.rows.lo},
                                                             {blocked_end, p_.shapes.out_height}};
      for (const auto& [from, to] : rest) {
        if (from >= to) continue;
        c.open("for (" + rowLoop(str(from), to == p_.shapes.out_height ? "kOH" : str(to)) + "; ++oh)");
        rowBlock(c, ocb, 1, border_rows);
        c.close();
      }
    }
    c.close();
  }

  std::string kernels() {
    Code c;
    if (v_.deinterleave) {
      c.line("constexpr std::int64_t kHalf = " + str(v_.deinterleave->half) +
             ";  // floats per half (even or odd columns) of a split input row");
      for (std::size_t i = 0; i < v_.row_tiles.size(); ++i) {
        c.line();
        emitSplitRows(c, p_, *isa_, i, attr_);
      }
    }
    for (std::int64_t ocb : v_.oc_blocks) {
      for (const ColumnTile& t : v_.tiles)
        for (std::int64_t rows : v_.row_tiles) {
          c.line();
          window(c, t, ocb, rows);
          c.line();
          tile(c, t, ocb, rows);
        }
      if (v_.deinterleave) continue;
      c.line();
      outputRows(c, ocb);
    }
    if (v_.deinterleave) {
      c.line();
      splitRows(c);
    }
    if (!v_.pixel_columns.empty()) {
      c.line();
      emitBorderPixel(c, p_, WindowUnroll::Full);
    }
    return c.text();
  }

  std::string body() {
    Code c;
    c.indent(1);
    c.open("for (std::int64_t g = 0; g < kG; ++g)");
    c.line("const float* x_g = input + (n * kC + g * kCg) * kH * kW;");
    c.line("const float* w_g = weight + g * kOg * kCg * kKH * kKW;");
    if (l_.bias) c.line("const float* b_g = bias + g * kOg;");
    c.line("float* y_g = output + (n * kO + g * kOg) * kOH * kOW;");
    residualLine(c, l_, "const float* r_g = residual + (n * kO + g * kOg) * kOH * kOW;");
    if (v_.deinterleave) {
      c.line(std::string("rows_split(x_g, w_g, ") + (l_.bias ? "b_g" : "nullptr") + ", y_g" +
             residualArg(l_, "r_g") + ", oh_lo, oh_hi);");
    }
    const std::int64_t full = og() / v_.oc_tile * v_.oc_tile;
    auto call = [&](std::int64_t ocb, const std::string& o) {
      return "rows_oc" + str(ocb) + "(x_g, w_g + " + o + " * kCg * kKH * kKW, " +
             (l_.bias ? "b_g + " + o : std::string("nullptr")) + ", y_g + " + o + " * kOH * kOW" +
             residualArg(l_, "r_g + " + o + " * kOH * kOW") + ", oh_lo, oh_hi);";
    };
    if (!v_.deinterleave) {
      c.open("for (std::int64_t o = 0; o < " + str(full) + "; o += " + str(v_.oc_tile) + ")");
      c.line(call(v_.oc_tile, "o"));
      c.close();
      if (full < og()) c.line(call(og() - full, str(full)));
    }
    if (!v_.pixel_columns.empty()) {
      c.line("// Columns far from the interior (padding many tiles wide), per pixel.");
      for (const Interval& cols : v_.pixel_columns)
        emitBorderLoop(c, p_, "0", "kOH", str(cols.lo) + "; ow < " + str(cols.hi));
    }
    c.close();
    return c.text();
  }

  const KernelPlan& p_;
  const LayerSpec& l_;
  const DirectVectorPlan& v_;
  std::unique_ptr<VectorBackend> isa_;
  const std::int64_t kLanes;  // floats per vector register
  const std::string attr_;    // the ISA's target macro, before every function
};

}  // namespace

StrategyCode emitDirectVector(const KernelPlan& plan) { return DirectVectorEmitter(plan).render(); }

}  // namespace convgen::detail
