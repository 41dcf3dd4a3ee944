// Internal to the emitters: a vector ISA as C++ expressions. A back-end
// renders the operations the vector strategies need; which operations exist
// in one instruction is the ISA table's VectorCaps (isa.h), which the
// planner consults when it chooses loads. An operation a plan cannot contain
// for this ISA (the planner checked the caps) is an internal error.
//
// The interface assumes nothing about the register width beyond lanes()
// (the ISA table's row) and expresses partial vectors as live-lane masks, so
// a scalable-vector ISA (SVE, RVV, Helium) fits as a back-end whose masks are
// predicates; see docs/design.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convgen/isa.h"

namespace convgen::detail {

class VectorBackend {
 public:
  virtual ~VectorBackend() = default;
  virtual const IsaInfo& isa() const = 0;
  std::int64_t lanes() const { return isa().lanes; }
  virtual std::string type() const = 0;
  virtual std::string load(const std::string& at) const = 0;
  // Lanes j of the result = at[2j]: the even columns of 2 * lanes floats.
  virtual std::string evenColumns(const std::string& at) const = 0;
  // Lanes j = live[j] ? at[2j] : 0, reading only the live elements (caps.masked_load).
  virtual std::string evenColumnsMasked(const std::string& at,
                                        const std::vector<bool>& live) const = 0;
  // Lanes j = at[j * stride], every lane inside the input.
  virtual std::string stridedGather(const std::string& at, std::int64_t stride) const = 0;
  // Lanes j = live[j] ? at[j] : 0; dead lanes are not read (no fault).
  virtual std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const = 0;
  // Live lanes (a contiguous run) take at[0], at[1], ... in order; the others
  // are 0 (caps.expand_load).
  virtual std::string expandLoad(const std::string& at, const std::vector<bool>& live) const = 0;
  // Lanes j = live[j] ? vector loaded at `at`, lane index[j] : 0.
  virtual std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                              const std::vector<bool>& live) const = 0;
  // Lanes j = live[j] ? at[index[j]] : 0 with index[j] < 2 * lanes, reading
  // only the elements live lanes use (caps.permute_two).
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
  // The epilogue's arithmetic (emit_epilogue.cpp) and pooling's
  // (emit_pool.cpp), lane by lane: a + b, a * b, a / b (IEEE, one rounding
  // each); max/min exactly a > b ? a : b / a < b ? a : b, only where
  // caps.ordered_max_min; less(a, b) the mask of a < b (false for NaN);
  // select(mask, a, b) = mask ? a : b; maxNan(v, m) lane-wise
  // (v > m || v is NaN) ? v : m, PyTorch's max-pool step.
  virtual std::string add(const std::string& a, const std::string& b) const = 0;
  virtual std::string mul(const std::string& a, const std::string& b) const = 0;
  virtual std::string div(const std::string& a, const std::string& b) const = 0;
  virtual std::string max(const std::string& a, const std::string& b) const = 0;
  virtual std::string min(const std::string& a, const std::string& b) const = 0;
  virtual std::string less(const std::string& a, const std::string& b) const = 0;
  virtual std::string select(const std::string& mask, const std::string& a,
                             const std::string& b) const = 0;
  virtual std::string maxNan(const std::string& v, const std::string& m) const = 0;
  // Stores lanes [0, valid) only.
  virtual std::string storeFirst(const std::string& at, const std::string& v,
                                 std::int64_t valid) const = 0;
};

// The back-end of a vector ISA (backend_x86.cpp, backend_neon.cpp).
std::unique_ptr<VectorBackend> makeVectorBackend(Isa isa);
std::unique_ptr<VectorBackend> makeX86Backend(Isa isa);
std::unique_ptr<VectorBackend> makeNeonBackend();

}  // namespace convgen::detail
