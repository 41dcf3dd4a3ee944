// The NEON vector back-end (AArch64 Advanced SIMD, 4 lanes).
#include "convgen/internal_error.h"
#include "emit_code.h"
#include "vector_backend.h"

namespace convgen::detail {
namespace {

// AArch64 Advanced SIMD (NEON): 4 lanes, 32 registers, always present on
// AArch64, so no target attribute. It has no masked load or gather: lanes
// are built from scalar reads, which only border vectors need.
class Neon final : public VectorBackend {
 public:
  const IsaInfo& isa() const override { return isaInfo(Isa::Neon); }
  std::string type() const override { return "float32x4_t"; }
  std::string load(const std::string& at) const override { return "vld1q_f32(" + at + ")"; }
  std::string evenColumns(const std::string& at) const override {
    return "vld2q_f32(" + at + ").val[0]";  // the de-interleaving load
  }
  std::string evenColumnsMasked(const std::string&, const std::vector<bool>&) const override {
    CONVGEN_CHECK(false, "no masked loads on NEON (caps.masked_load)");
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
    CONVGEN_CHECK(false, "no expanding load on this ISA (caps.expand_load)");
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
    CONVGEN_CHECK(false, "NEON has no two-source permute (caps.permute_two)");
    return "";
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
  std::string maxNan(const std::string& v, const std::string& m) const override {
    return "vbslq_f32(vorrq_u32(vcgtq_f32(" + v + ", " + m + "), vmvnq_u32(vceqq_f32(" + v +
           ", " + v + "))), " + v + ", " + m + ")";
  }
  std::string set1(const std::string& value) const override {
    return "vdupq_n_f32(" + value + ")";
  }
  std::string store(const std::string& at, const std::string& v) const override {
    return "vst1q_f32(" + at + ", " + v + ")";
  }
  std::string add(const std::string& a, const std::string& b) const override {
    return "vaddq_f32(" + a + ", " + b + ")";
  }
  std::string mul(const std::string& a, const std::string& b) const override {
    return "vmulq_f32(" + a + ", " + b + ")";
  }
  std::string div(const std::string& a, const std::string& b) const override {
    return "vdivq_f32(" + a + ", " + b + ")";
  }
  std::string max(const std::string&, const std::string&) const override {
    CONVGEN_CHECK(false, "NEON's fmax is not a > b ? a : b on signed zeros (caps.ordered_max_min)");
    return "";
  }
  std::string min(const std::string&, const std::string&) const override {
    CONVGEN_CHECK(false, "NEON's fmin is not a < b ? a : b on signed zeros (caps.ordered_max_min)");
    return "";
  }
  std::string less(const std::string& a, const std::string& b) const override {
    return "vcltq_f32(" + a + ", " + b + ")";
  }
  std::string select(const std::string& mask, const std::string& a,
                     const std::string& b) const override {
    return "vbslq_f32(" + mask + ", " + a + ", " + b + ")";
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

}  // namespace

std::unique_ptr<VectorBackend> makeNeonBackend() { return std::make_unique<Neon>(); }

}  // namespace convgen::detail
