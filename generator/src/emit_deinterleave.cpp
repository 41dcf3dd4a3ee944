// DirectVector row blocks: their row offsets (split or not), and the
// stride-2 row split of a DirectVector plan with `deinterleave`
// (plan_deinterleave.cpp): the function that splits the input rows of one
// row block into their even and odd columns, in the caller's stack buffer.
// Slot s of input channel ci is at xd + (ci * S + s) * 2 * kHalf (even
// columns), then kHalf floats later the odd columns; S is the row tile's
// slot count. The interior tiles read these with plain loads.
#include "convgen/internal_error.h"
#include "emit_code.h"
#include "vector_backend.h"

namespace convgen::detail {

void emitRowOffsets(Code& c, std::int64_t rows, bool mapped) {
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
}

void emitSplitRows(Code& c, const KernelPlan& p, const VectorBackend& isa, std::size_t row_tile,
                   const std::string& attr) {
  const auto& v = std::get<DirectVectorPlan>(p.detail);
  CONVGEN_CHECK(v.deinterleave && row_tile < v.deinterleave->slots.size(),
                "a row split without its plan");
  const auto& d = *v.deinterleave;
  const std::vector<std::int64_t>& first = d.slots[row_tile];
  const std::int64_t rows = v.row_tiles[row_tile], slots = first.size();
  const std::int64_t lanes = isa.lanes(), width = p.layer.in_width;
  // Vectors j = 0, lanes, ... while the odd half's load (2 * lanes floats
  // from column 2j + 1) ends inside the row; the rest column by column.
  const std::int64_t vector_end = (width - 1) / (2 * lanes) * lanes;
  c.line("// The input rows of " + str(rows) + " output row(s), split into even and odd columns:");
  c.line("// slot s of channel ci at xd + (ci * " + str(slots) + " + s) * 2 * kHalf (then odd).");
  c.open(attr + "inline void split_rows_r" + str(rows) +
         "(const float* x_g, const std::int64_t* roff, float* xd) noexcept");
  c.line("// The roff entry of each slot's first reader (output row x kKH + kernel row).");
  c.line("constexpr std::int64_t kFirst[" + str(slots) + "] = {" + join(first, ", ") + "};");
  c.open("for (std::int64_t ci = 0; ci < kCg; ++ci)");
  c.open("for (std::int64_t s = 0; s < " + str(slots) + "; ++s)");
  c.line("if (roff[kFirst[s]] < 0) continue;  // a row of zero padding: no tile reads it");
  c.line("const float* x = x_g + ci * kH * kW + roff[kFirst[s]];");
  c.line("float* e = xd + (ci * " + str(slots) + " + s) * 2 * kHalf;");
  c.line("float* o = e + kHalf;");
  if (vector_end > 0) {
    c.open("for (std::int64_t j = 0; j < " + str(vector_end) + "; j += " + str(lanes) + ")");
    c.line(isa.store("e + j", isa.evenColumns("x + 2 * j")) + ";");
    c.line(isa.store("o + j", isa.evenColumns("x + 2 * j + 1")) + ";");
    c.close();
  }
  c.line("for (std::int64_t j = " + str(vector_end) + "; j < " + str((width + 1) / 2) +
         "; ++j) e[j] = x[2 * j];");
  c.line("for (std::int64_t j = " + str(vector_end) + "; j < " + str(width / 2) +
         "; ++j) o[j] = x[2 * j + 1];");
  c.close();
  c.close();
  c.close();
}

}  // namespace convgen::detail
