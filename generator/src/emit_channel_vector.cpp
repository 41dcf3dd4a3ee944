// The ChannelVector strategy's code: forward_packed() and pack_weights().
// A vector holds `lanes` consecutive output channels of one output pixel;
// a register tile is P pixels of one row x M such vectors. Per tap: M loads
// of packed weights, one broadcast input value per pixel, P*M FMAs. Every
// decision (tile, channel blocks, the source column of each border (tap,
// pixel)) is in the plan (plan_channel_vector.cpp); this file renders it.
#include <algorithm>

#include "convgen/internal_error.h"
#include "emit_code.h"
#include "emit_epilogue.h"
#include "vector_backend.h"

namespace convgen::detail {
namespace {

class ChannelVectorEmitter {
 public:
  explicit ChannelVectorEmitter(const KernelPlan& p)
      : p_(p), l_(p.layer), c_(*p.packed), isa_(makeVectorBackend(p.isa)),
        attr_(targetAttribute(p)), kLanes(isa_->lanes()) {
    CONVGEN_CHECK(c_.lanes == kLanes, "plan and back-end disagree on the vector width");
  }

  std::string kernels() {
    Code c;
    for (const ChannelBlock& b : c_.blocks) {
      for (const PixelTile& t : c_.tiles) {
        c.line();
        window(c, t, b);
        c.line();
        tile(c, t, b);
      }
      c.line();
      rows(c, b);
    }
    return c.text();
  }

  // pack_weights(), at namespace scope of the layer.
  std::string pack() {
    Code c;
    c.line("// weight (out, in/groups, kh, kw) and bias -> blocks of " + str(c_.vectors * kLanes) +
           " output channels: bias[width], then w[ci][kh][kw][width] (docs/design.md).");
    c.open("void pack_weights(const T* weight, const T* bias, T* packed) noexcept");
    if (!l_.bias) c.line("(void)bias;");
    c.line("constexpr std::int64_t kR = kCg * kKH * kKW;  // weights per output channel");
    c.line("T* out = packed;");
    c.open("for (std::int64_t g = 0; g < kG; ++g)");
    c.line("std::int64_t o = g * kOg;  // first output channel of the block");
    for (const ChannelBlock& b : c_.blocks) {
      const std::int64_t width = b.vectors * kLanes;
      c.open("for (std::int64_t b = 0; b < " + str(b.count) + "; ++b, o += " + str(b.channels) +
             ", out += " + str(width) + " * (1 + kR))");
      c.open("for (std::int64_t j = 0; j < " + str(width) + "; ++j)");
      c.line(l_.bias ? "out[j] = j < " + str(b.channels) + " ? bias[o + j] : T(0);" : "out[j] = T(0);");
      c.close();
      c.open("for (std::int64_t k = 0; k < kR; ++k)");
      c.open("for (std::int64_t j = 0; j < " + str(width) + "; ++j)");
      c.line("out[" + str(width) + " + k * " + str(width) + " + j] = j < " + str(b.channels) +
             " ? weight[(o + j) * kR + k] : T(0);");
      c.close().close().close();
    }
    c.close().close();
    return c.text();
  }

  // forward_packed_rows()'s statements: rows [oh_lo, oh_hi) of image n.
  std::string rowsBody() {
    Code c;
    c.indent(1);
    c.open("for (std::int64_t g = 0; g < kG; ++g)");
    c.line("const float* x_g = input + (n * kC + g * kCg) * kH * kW;");
    c.line("const float* blk = packed + g * " + str(c_.packed_size / l_.groups) + ";");
    c.line("float* y_o = output + (n * kO + g * kOg) * kOH * kOW;");
    residualLine(c, l_, "const float* r_o = residual + (n * kO + g * kOg) * kOH * kOW;");
    const std::int64_t reduction = (l_.in_channels / l_.groups) * l_.kernel.h * l_.kernel.w;
    for (const ChannelBlock& b : c_.blocks) {
      const std::int64_t floats = c_.blockFloats(b, reduction);
      c.open("for (std::int64_t b = 0; b < " + str(b.count) + "; ++b, blk += " + str(floats) +
             ", y_o += " + str(b.channels) + " * kOH * kOW" +
             residualArg(l_, "r_o += " + str(b.channels) + " * kOH * kOW") + ")");
      c.line("cv_rows_c" + str(b.channels) + "(x_g, blk, y_o" + residualArg(l_, "r_o") +
             ", oh_lo, oh_hi);");
      c.close();
    }
    c.close();
    return c.text();
  }

 private:
  std::string tileName(const PixelTile& t, const ChannelBlock& b) const {
    return (t.interior ? std::string("in") : "b" + str(t.index)) + "_c" + str(b.channels);
  }

  bool zeroRows() const {
    return l_.padding_mode == PaddingMode::Zeros &&
           (p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height);
  }

  // One input channel's window for one tile: straight-line, no loops.
  void window(Code& c, const PixelTile& t, const ChannelBlock& b) {
    const std::string vt = isa_->type();
    const std::int64_t width = b.vectors * kLanes;
    c.line("// Channel ci's window for " + str(t.pixels) + " pixels x " + str(b.channels) +
           " output channels (" + (t.interior ? "interior" : "border tile at column " + str(t.ow0)) +
           ").");
    c.open(attr_ + "CONVGEN_ALWAYS_INLINE void cv_unrolled_" + tileName(t, b) + "(" + vt + " (&acc)[" +
           str(t.pixels) + "][" + str(b.vectors) +
           "], const float* x_c, const std::int64_t* roff, const float* w_c, std::int64_t c0) "
           "noexcept");
    c.line("(void)acc, (void)x_c, (void)roff, (void)w_c, (void)c0;");
    for (std::int64_t kr = 0; kr < l_.kernel.h; ++kr) {
      c.open(zeroRows() ? "if (roff[" + str(kr) + "] >= 0)" : "");
      c.line("const float* r = x_c + roff[" + str(kr) + "];");
      c.line("(void)r;");
      for (std::int64_t q = 0; q < l_.kernel.w; ++q) {
        std::vector<std::int64_t> cols;  // per pixel: column relative to r (+ c0), or -1
        for (std::int64_t p = 0; p < t.pixels; ++p)
          cols.push_back(t.interior ? p * l_.stride.w + q * l_.dilation.w : t.source[q][p]);
        if (std::all_of(cols.begin(), cols.end(), [](std::int64_t x) { return x < 0; })) continue;
        c.open("");
        for (std::int64_t m = 0; m < b.vectors; ++m)
          c.line("const " + vt + " w" + str(m) + " = " +
                 isa_->load("w_c + " + str((kr * l_.kernel.w + q) * width + m * kLanes)) + ";");
        for (std::int64_t p = 0; p < t.pixels; ++p) {
          if (cols[p] < 0) continue;  // zero padding
          c.open("");
          c.line("const " + vt + " x = " +
                 isa_->broadcast("r + " + std::string(t.interior ? "c0 + " : "") + str(cols[p])) + ";");
          for (std::int64_t m = 0; m < b.vectors; ++m) {
            const std::string acc = "acc[" + str(p) + "][" + str(m) + "]";
            c.line(acc + " = " + isa_->fma("w" + str(m), "x", acc) + ";");
          }
          c.close();
        }
        c.close();
      }
      c.close();
    }
    c.close();
  }

  // Bias, every input channel, then each accumulator's lanes to their
  // output channel planes. With input-channel blocks (CiBlocking), channels
  // [ci_lo, ci_hi) only: the accumulators start from the bias (first block)
  // or the row's partial sums in `part`, and go back to them (all but the
  // last block).
  void tile(Code& c, const PixelTile& t, const ChannelBlock& b) {
    const std::string vt = isa_->type();
    const std::int64_t width = b.vectors * kLanes;
    const std::string name = tileName(t, b);
    const bool blocked = c_.ci_blocking.has_value();
    c.open(attr_ + "inline void cv_tile_" + name +
           "(const float* x_g, const std::int64_t* roff, const float* blk, " +
           (blocked ? "float* part, " : "") + "float* y_o" + residualParam(l_, "const float* r_o") +
           ", std::int64_t oh, std::int64_t ow0" +
           (blocked ? ", std::int64_t ci_lo, std::int64_t ci_hi" : "") + ") noexcept");
    if (!t.interior) c.line("(void)ow0;");
    c.line(vt + " acc[" + str(t.pixels) + "][" + str(b.vectors) + "];");
    // Where pixel p's vector m waits between blocks of input channels.
    auto partial = [&](std::int64_t p, std::int64_t m) {
      const std::int64_t at = p * width + m * kLanes;
      return t.interior ? "part + ow0 * " + str(width) + " + " + str(at)
                        : "part + " + str(t.ow0 * width + at);
    };
    if (blocked) c.open("if (ci_lo == 0)");
    for (std::int64_t p = 0; p < t.pixels; ++p)
      for (std::int64_t m = 0; m < b.vectors; ++m)
        c.line("acc[" + str(p) + "][" + str(m) + "] = " + isa_->load("blk + " + str(m * kLanes)) +
               ";");
    if (blocked) {
      c.close();
      c.open("else");
      for (std::int64_t p = 0; p < t.pixels; ++p)
        for (std::int64_t m = 0; m < b.vectors; ++m)
          c.line("acc[" + str(p) + "][" + str(m) + "] = " + isa_->load(partial(p, m)) + ";");
      c.close();
    }
    c.open(blocked ? "for (std::int64_t ci = ci_lo; ci < ci_hi; ++ci)"
                   : "for (std::int64_t ci = 0; ci < kCg; ++ci)");
    c.line("cv_unrolled_" + name + "(acc, x_g + ci * kH * kW, roff, blk + " + str(width) +
           " + ci * kKH * kKW * " + str(width) + ", " +
           (t.interior ? "ow0 * kSW - kPL" : std::string("0")) + ");");
    c.close();
    if (blocked) {
      c.open("if (ci_hi < kCg)");
      for (std::int64_t p = 0; p < t.pixels; ++p)
        for (std::int64_t m = 0; m < b.vectors; ++m)
          c.line(isa_->store(partial(p, m), "acc[" + str(p) + "][" + str(m) + "]") + ";");
      c.line("return;");
      c.close();
    }
    c.line("float lanes[" + str(kLanes) + "];");
    const std::string col = t.interior ? "ow0" : str(t.ow0);
    for (std::int64_t p = 0; p < t.pixels; ++p)
      for (std::int64_t m = 0; m < b.vectors; ++m) {
        // The activation on the vector; a residual (strided across the
        // lanes' channel planes) is added lane by lane, then activated.
        const std::string acc = "acc[" + str(p) + "][" + str(m) + "]";
        if (l_.epilogue.hasResidual())
          c.line(isa_->store("lanes", acc) + ";");
        else
          vectorStore(c, *isa_, l_, "lanes", "", acc, kLanes);
        const std::int64_t live = std::min(kLanes, b.channels - m * kLanes);
        for (std::int64_t j = 0; j < live; ++j) {
          const std::string at = "[" + str(m * kLanes + j) + " * kOH * kOW + oh * kOW + " + col +
                                 " + " + str(p) + "]";
          const std::string lane = "lanes[" + str(j) + "]";
          c.line(l_.epilogue.hasResidual() ? scalarStore(l_, "y_o" + at, lane, "r_o" + at)
                                           : "y_o" + at + " = " + lane + ";");
        }
      }
    c.close();
  }

  // Every output row of one block of output channels.
  void rows(Code& c, const ChannelBlock& b) {
    const bool mapped = p_.rows.lo > 0 || p_.rows.hi < p_.shapes.out_height;
    c.line("// All output rows of one block of " + str(b.channels) + " output channels.");
    c.open(attr_ + "inline void cv_rows_c" + str(b.channels) +
           "(const float* x_g, const float* blk, float* y_o" + residualParam(l_, "const float* r_o") +
           ", std::int64_t oh_lo, std::int64_t oh_hi) noexcept");
    const bool blocked = c_.ci_blocking.has_value();
    const std::int64_t width = b.vectors * kLanes;
    if (blocked) {
      CONVGEN_CHECK(p_.shapes.out_width * width <= c_.ci_blocking->scratch_floats,
                    "the partial sums of a row exceed the plan's scratch");
      c.line("// Input channels in blocks whose packed weights stay in L1 while every tile");
      c.line("// of the row reads them; the row's partial sums wait here between blocks.");
      c.line("constexpr std::int64_t kCiBlock = " + str(c_.ci_blocking->channels) + ";");
      // Zeroed once per call (not per row): GCC's -Wmaybe-uninitialized
      // cannot see that the first channel block stores every sum a later
      // block loads.
      c.line("alignas(" + str(kLanes * 4) + ") float part[kOW * " + str(width) + "] = {};");
    }
    c.open("for (std::int64_t oh = oh_lo; oh < oh_hi; ++oh)");
    c.line("std::int64_t roff[kKH];");
    c.open("for (std::int64_t p = 0; p < kKH; ++p)");
    if (mapped) {
      c.line("const std::int64_t r = sourceRow(oh * kSH - kPT + p * kDH);");
      c.line("roff[p] = r < 0 ? -1 : r * kW;");
    } else {
      c.line("roff[p] = (oh * kSH - kPT + p * kDH) * kW;");
    }
    c.close();
    if (blocked) {
      c.open("for (std::int64_t ci_lo = 0; ci_lo < kCg; ci_lo += kCiBlock)");
      c.line("const std::int64_t ci_hi = ci_lo + kCiBlock < kCg ? ci_lo + kCiBlock : kCg;");
    }
    const std::string part = blocked ? "part, " : "";
    const std::string range = blocked ? ", ci_lo, ci_hi" : "";
    for (const PixelTile& t : c_.tiles) {
      if (t.interior) {
        c.open("for (std::int64_t ow0 = " + str(t.ow0) + "; ow0 <= " +
               str(t.ow0 + (t.repeat - 1) * c_.pixels) + "; ow0 += " + str(c_.pixels) + ")");
        c.line("cv_tile_" + tileName(t, b) + "(x_g, roff, blk, " + part + "y_o" +
               residualArg(l_, "r_o") + ", oh, ow0" + range + ");");
        c.close();
      } else {
        c.line("cv_tile_" + tileName(t, b) + "(x_g, roff, blk, " + part + "y_o" +
               residualArg(l_, "r_o") + ", oh, " + str(t.ow0) + range + ");");
      }
    }
    if (blocked) c.close();
    c.close().close();
  }

  const KernelPlan& p_;
  const LayerSpec& l_;
  const ChannelVectorPlan& c_;
  std::unique_ptr<VectorBackend> isa_;
  const std::string attr_;
  const std::int64_t kLanes;
};

}  // namespace

PackedCode emitChannelVector(const KernelPlan& plan) {
  ChannelVectorEmitter e(plan);
  return {e.kernels(), e.rowsBody(), e.pack()};
}

}  // namespace convgen::detail
