// interiorRange (plan.h): the outputs whose every tap is inside the input.
// A file of its own: conv planning, pool windows and the backward planner
// use it, and so does validation's pool code, which the fuzz targets link
// without the planners.
#include <algorithm>

#include "convgen/internal_error.h"
#include "convgen/plan.h"

namespace convgen {

namespace {
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  CONVGEN_CHECK(b > 0, "floorDiv by a non-positive number");
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
std::int64_t ceilDiv(std::int64_t a, std::int64_t b) { return -floorDiv(-a, b); }
}  // namespace

Interval interiorRange(std::int64_t in, std::int64_t out, std::int64_t pad_lo, std::int64_t kernel,
                       std::int64_t stride, std::int64_t dilation) {
  // First tap inside: o*stride - pad_lo >= 0.
  const std::int64_t lo = std::clamp<std::int64_t>(ceilDiv(pad_lo, stride), 0, out);
  // Last tap inside: o*stride - pad_lo + (kernel-1)*dilation <= in-1.
  const std::int64_t last = in - 1 + pad_lo - (kernel - 1) * dilation;
  const std::int64_t hi =
      last < 0 ? 0 : std::clamp<std::int64_t>(floorDiv(last, stride) + 1, 0, out);
  return hi > lo ? Interval{lo, hi} : Interval{lo, lo};
}

}  // namespace convgen
