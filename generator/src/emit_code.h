// Internal to the emitters: building code text. Code is the only way an
// emitter writes lines; the helpers turn plan facts into C++ spellings.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "convgen/plan.h"
#include "convgen/spec.h"

namespace convgen::detail {

inline std::string join(const std::vector<std::int64_t>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
  return s;
}

inline std::string str(std::int64_t v) { return std::to_string(v); }

// Lines of code with indentation.
class Code {
 public:
  Code& line(const std::string& text = "") {
    out_ << (text.empty() ? "" : std::string(2 * depth_, ' ') + text) << "\n";
    return *this;
  }
  Code& open(const std::string& text) {
    line(text + " {");
    ++depth_;
    return *this;
  }
  Code& close(const std::string& suffix = "") {
    --depth_;
    return line("}" + suffix);
  }
  void indent(int levels) { depth_ += levels; }
  std::string text() const {
    std::string s = out_.str();
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }

 private:
  std::ostringstream out_;
  int depth_ = 0;
};

// The accumulator type of a dtype. Unsigned accumulation wraps modulo 2^bits
// like PyTorch's integer convolution, without signed-overflow UB.
std::string accType(DType t);
inline bool isFloat(DType t) { return t == DType::Float32 || t == DType::Float64; }

// acc += w * x, in the accumulator type.
inline std::string mac(DType t, const std::string& acc, const std::string& w,
                       const std::string& x) {
  if (isFloat(t)) return acc + " += " + w + " * " + x + ";";
  return acc + " += Acc(" + w + ") * Acc(" + x + ");";
}

// The config's namespace with '::' as '_': every C entry point's prefix.
std::string cPrefix(const ModelSpec& model);
// The C entry point of a layer: <namespace with '::' as '_'>_<layer>_forward;
// with `entry`, ..._<layer>_<entry>.
std::string cName(const ModelSpec& model, const LayerSpec& layer,
                  const std::string& entry = "forward");
// One line describing the layer, for comments.
std::string summary(const KernelPlan& p);
// The prefix of every function definition of a plan: its ISA's target
// macro and a space, or nothing.
std::string targetAttribute(const KernelPlan& p);

// What a strategy emits for one layer; the layer frame (layer_frame.cpp)
// puts it between the layer's constants and its entry points.
struct StrategyCode {
  std::string kernels;  // the helper functions, inside the layer's anonymous namespace
  // The statements of forward_rows(input, weight, bias, output, n, oh_lo,
  // oh_hi): output rows [oh_lo, oh_hi) of image n, every channel.
  std::string body;
};

// What a packed strategy emits besides forward's code.
struct PackedCode {
  std::string kernels;  // its helper functions, next to forward's
  // The statements of forward_packed_rows(input, packed, output, n, oh_lo,
  // oh_hi), and pack_weights() at the layer's namespace.
  std::string rows_body;
  std::string pack;
};

// The frame's constants (kN, kC, ..., the padding index maps) of a plan, for
// its layer's anonymous namespace.
std::string layerConstants(const KernelPlan& plan);

// conv_transpose2d layers (emit_conv_transpose.cpp): the .cpp code (the
// view conv's gather, forward, pack_weights, forward_packed, the backward
// kernels with `backward: true`, C twins), ending in a newline; the header's
// declarations (`info`: LayerInfo's initializer) and C prototypes.
std::string renderConvTranspose(const ModelSpec& model, const KernelPlan& plan);
std::string convTransposeDeclaration(const ModelSpec& model, const KernelPlan& plan,
                                     const std::string& info);
std::string convTransposeCDeclarations(const ModelSpec& model, const KernelPlan& plan);
// The header's X-macro over them (`list`: X(name) ...), not in the conv
// layers' one (they have no forward_partition); "" when there are none.
std::string convTransposeMacro(const std::string& list, const std::string& full_prefix,
                               const std::string& short_prefix);

// The whole layer: frame + strategy code (+ the packed strategy's when the
// plan has one; otherwise forward_packed() runs forward() on weights packed
// in PyTorch's layout).
std::string renderLayer(const ModelSpec& model, const KernelPlan& plan, const StrategyCode& code,
                        const PackedCode* packed);

// The lines a baked layer (`weights:`) adds after its entry points: its
// forward(input, output) and packed_weights() (emit_weights.cpp); "" when
// the layer has no baked weights.
std::string bakedLayerCode(const ModelSpec& model, const KernelPlan& plan);

// The strategies (one file each).
StrategyCode emitDirect(const KernelPlan& plan);
StrategyCode emitDirectVector(const KernelPlan& plan);
PackedCode emitChannelVector(const KernelPlan& plan);

// The per-pixel border path both strategies use (emit_pixel.cpp): one output
// pixel whose window touches padding, all channels of its group, taps through
// the frame's sourceRow/sourceCol maps.
void emitBorderPixel(Code& c, const KernelPlan& plan, WindowUnroll window);
// for (oh in [from, to) within [oh_lo, oh_hi)) for (ow in cols)
// border_pixel(...); cols as C++ text "<from>; ow < <to>".
void emitBorderLoop(Code& c, const KernelPlan& plan, const std::string& from,
                    const std::string& to, const std::string& cols);
// DirectVector: roff[rr * kKH + p], the offset of kernel row p's source
// row for output row oh + rr (-1: zero padding, only when `mapped`).
void emitRowOffsets(Code& c, std::int64_t rows, bool mapped);
// A DirectVector plan's stride-2 row split for its row_tiles[row_tile]
// (emit_deinterleave.cpp): split_rows_r<rows>(x_g, roff, xd).
class VectorBackend;
void emitSplitRows(Code& c, const KernelPlan& p, const VectorBackend& isa, std::size_t row_tile,
                   const std::string& attr);
// "std::int64_t oh = <max(from, oh_lo)>; oh < <min(to, oh_hi)>": a row
// loop's bounds clipped to the rows being computed ("0"/"kOH": the whole).
std::string rowLoop(const std::string& from, const std::string& to);

}  // namespace convgen::detail
