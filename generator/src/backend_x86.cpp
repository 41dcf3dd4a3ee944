// The x86 vector back-ends: AVX2 + FMA (8 lanes) and AVX-512F (16 lanes).
// Functions using them carry the ISA table's target macro, so no -m flag is
// needed to compile the generated code.
#include <algorithm>
#include <cstdio>

#include "convgen/internal_error.h"
#include "emit_code.h"
#include "vector_backend.h"

namespace convgen::detail {
namespace {

class Avx2 final : public VectorBackend {
 public:
  const IsaInfo& isa() const override { return isaInfo(Isa::Avx2); }
  std::string type() const override { return "__m256"; }
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
    return "_mm256_i32gather_ps(" + at + ", _mm256_setr_epi32(" + join(idx, ", ") +
           "), 4)";
  }
  std::string permute(const std::string& at, const std::vector<std::int64_t>& index,
                      const std::vector<bool>& live) const override {
    std::string v = "_mm256_permutevar8x32_ps(" + load(at) + ", _mm256_setr_epi32(" +
                    join(index, ", ") + "))";
    if (std::find(live.begin(), live.end(), false) == live.end()) return v;
    return "_mm256_and_ps(" + v + ", _mm256_castsi256_ps(" + mask(live) + "))";
  }
  std::string permuteTwo(const std::string&, const std::vector<std::int64_t>&,
                         const std::vector<bool>&) const override {
    CONVGEN_CHECK(false, "AVX2 has no two-source float permute (caps.permute_two)");
    return "";
  }
  std::string gather(const std::string& row, const std::vector<std::int64_t>& index,
                     const std::vector<bool>& live) const override {
    return "_mm256_mask_i32gather_ps(_mm256_setzero_ps(), " + row + ", _mm256_setr_epi32(" +
           join(index, ", ") + "), _mm256_castsi256_ps(" + mask(live) + "), 4)";
  }
  std::string maskedLoad(const std::string& at, const std::vector<bool>& live) const override {
    // No lane read: no pointer formed (it could lie past the buffer).
    if (std::find(live.begin(), live.end(), true) == live.end()) return zero();
    return "_mm256_maskload_ps(" + at + ", " + mask(live) + ")";
  }
  std::string expandLoad(const std::string&, const std::vector<bool>&) const override {
    CONVGEN_CHECK(false, "no expanding load on this ISA (caps.expand_load)");
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
  std::string maxNan(const std::string& v, const std::string& m) const override {
    return "_mm256_blendv_ps(" + m + ", " + v + ", _mm256_or_ps(_mm256_cmp_ps(" + v + ", " + m +
           ", _CMP_GT_OQ), _mm256_cmp_ps(" + v + ", " + v + ", _CMP_UNORD_Q)))";
  }
  std::string set1(const std::string& value) const override {
    return "_mm256_set1_ps(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "_mm256_storeu_ps(" + at + ", " + v + ")";
  }
  std::string add(const std::string& a, const std::string& b) const override {
    return "_mm256_add_ps(" + a + ", " + b + ")";
  }
  std::string mul(const std::string& a, const std::string& b) const override {
    return "_mm256_mul_ps(" + a + ", " + b + ")";
  }
  std::string div(const std::string& a, const std::string& b) const override {
    return "_mm256_div_ps(" + a + ", " + b + ")";
  }
  std::string max(const std::string& a, const std::string& b) const override {
    return "_mm256_max_ps(" + a + ", " + b + ")";
  }
  std::string min(const std::string& a, const std::string& b) const override {
    return "_mm256_min_ps(" + a + ", " + b + ")";
  }
  std::string less(const std::string& a, const std::string& b) const override {
    return "_mm256_cmp_ps(" + a + ", " + b + ", _CMP_LT_OQ)";
  }
  std::string select(const std::string& mask, const std::string& a,
                     const std::string& b) const override {
    return "_mm256_blendv_ps(" + b + ", " + a + ", " + mask + ")";
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
    return "_mm256_setr_epi32(" + join(bits, ", ") + ")";
  }
};

class Avx512 final : public VectorBackend {
 public:
  const IsaInfo& isa() const override { return isaInfo(Isa::Avx512); }
  std::string type() const override { return "__m512"; }
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
  std::string maxNan(const std::string& v, const std::string& m) const override {
    return "_mm512_mask_blend_ps(_mm512_cmp_ps_mask(" + v + ", " + m +
           ", _CMP_GT_OQ) | _mm512_cmp_ps_mask(" + v + ", " + v + ", _CMP_UNORD_Q), " + m + ", " +
           v + ")";
  }
  std::string set1(const std::string& value) const override {
    return "_mm512_set1_ps(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "_mm512_storeu_ps(" + at + ", " + v + ")";
  }
  std::string add(const std::string& a, const std::string& b) const override {
    return "_mm512_add_ps(" + a + ", " + b + ")";
  }
  std::string mul(const std::string& a, const std::string& b) const override {
    return "_mm512_mul_ps(" + a + ", " + b + ")";
  }
  std::string div(const std::string& a, const std::string& b) const override {
    return "_mm512_div_ps(" + a + ", " + b + ")";
  }
  // The masked forms, as in stridedGather: GCC 12's unmasked max/min start
  // from _mm512_undefined_ps(), which -Wmaybe-uninitialized reports.
  std::string max(const std::string& a, const std::string& b) const override {
    return "_mm512_maskz_max_ps(0xFFFF, " + a + ", " + b + ")";
  }
  std::string min(const std::string& a, const std::string& b) const override {
    return "_mm512_maskz_min_ps(0xFFFF, " + a + ", " + b + ")";
  }
  std::string less(const std::string& a, const std::string& b) const override {
    return "_mm512_cmp_ps_mask(" + a + ", " + b + ", _CMP_LT_OQ)";
  }
  std::string select(const std::string& mask, const std::string& a,
                     const std::string& b) const override {
    return "_mm512_mask_blend_ps(" + mask + ", " + b + ", " + a + ")";
  }
  std::string storeFirst(const std::string& at, const std::string& v,
                         std::int64_t valid) const override {
    std::vector<bool> on(16);
    for (std::int64_t j = 0; j < 16; ++j) on[j] = j < valid;
    return "_mm512_mask_storeu_ps(" + at + ", " + mask(on) + ", " + v + ")";
  }

 private:
  static std::string indices(const std::vector<std::int64_t>& idx) {
    return "_mm512_setr_epi32(" + join(idx, ", ") + ")";
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

}  // namespace

std::unique_ptr<VectorBackend> makeX86Backend(Isa isa) {
  if (isa == Isa::Avx2) return std::make_unique<Avx2>();
  CONVGEN_CHECK(isa == Isa::Avx512, "no x86 back-end for this ISA");
  return std::make_unique<Avx512>();
}

std::unique_ptr<VectorBackend> makeVectorBackend(Isa isa) {
  switch (isaInfo(isa).family) {
    case IsaFamily::X86:
      return makeX86Backend(isa);
    case IsaFamily::Arm:
      return makeNeonBackend();
    case IsaFamily::Portable:
      break;
  }
  CONVGEN_CHECK(false, "no vector back-end for a scalar ISA");
  return nullptr;
}

}  // namespace convgen::detail
