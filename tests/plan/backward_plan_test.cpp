// The backward planner (generator/src/plan_backward.h) in memory: its stride
// phases against brute force, the check-free runs, and that backward_input's
// interior tiles, masked edge tiles and per-position runs cover every padded
// position exactly once, over a grid of strides, dilations, paddings, modes
// and ISAs.
#include <catch2/catch.hpp>

#include <map>

#include "convgen/plan.h"
#include "plan_backward.h"
#include "tiny_layers.h"

using convgen::detail::BackwardPlan;
using convgen::detail::TapPhase;

namespace {

// Every tap k and padded position r: k reads r from output (r - k*d)/s
// exactly when r = k*d (mod s); the phase of r must list k with that shift.
void checkAxis(const convgen::detail::BackwardAxis& a, std::int64_t kernel, std::int64_t stride,
               std::int64_t dilation) {
  std::map<std::int64_t, const TapPhase*> by_phase;
  for (const TapPhase& p : a.phases) by_phase[p.phase] = &p;
  for (std::int64_t r = 0; r < a.padded; ++r)
    for (std::int64_t k = 0; k < kernel; ++k) {
      const bool hits = (r - k * dilation) % stride == 0 && r >= k * dilation;
      const auto it = by_phase.find(r % stride);
      bool listed = false;
      if (it != by_phase.end())
        for (std::size_t t = 0; t < it->second->taps.size(); ++t)
          if (it->second->taps[t] == k) {
            listed = true;
            const std::int64_t u = r / stride;
            if (hits) CHECK(u - it->second->shifts[t] == (r - k * dilation) / stride);
          }
      // A listed tap with a negative output position is skipped by the
      // kernels' bounds (checks or runs); an unlisted one must never hit.
      if (!listed) CHECK_FALSE(hits);
    }
}

}  // namespace

TEST_CASE("backward phases, runs and tiles partition every padded position", "[plan][backward]") {
  using convgen::Isa;
  using convgen::PaddingMode;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Neon})
    for (PaddingMode mode : {PaddingMode::Zeros, PaddingMode::Reflect, PaddingMode::Circular})
      for (std::int64_t stride : {1, 2, 3, 7})
        for (std::int64_t dilation : {1, 2})
          for (std::int64_t width : {5, 40, 77}) {
            convgen::LayerSpec l = conv("b", {1, 3, 9, width}, 4, 3, stride, 2);
            l.kernel = {3, 4};
            l.dilation = {dilation, dilation};
            l.padding_mode = mode;
            l.isa = isa;
            l.backward = true;
            const convgen::KernelPlan plan = convgen::planLayer(l, convgen::PlanOptions{});
            const BackwardPlan b = convgen::detail::planBackward(plan);
            INFO("isa " << toString(isa) << ", mode " << toString(mode) << ", stride " << stride
                        << ", dilation " << dilation << ", width " << width);
            checkAxis(b.rows, 3, stride, dilation);
            checkAxis(b.cols, 4, stride, dilation);
            const std::int64_t out_w = plan.shapes.out_width;
            for (std::size_t q = 0; q < b.cols.phases.size(); ++q) {
              const TapPhase& p = b.cols.phases[q];
              // The check-free run: inside the input, every tap inside the output.
              for (std::int64_t u = p.in_lo; u < p.in_hi; ++u) {
                const std::int64_t s = p.phase + stride * u - l.pad.left;
                CHECK((s >= 0 && s < width));
                for (std::int64_t shift : p.shifts) CHECK((u - shift >= 0 && u - shift < out_w));
              }
              if (b.edges.empty()) continue;
              std::vector<int> covered(static_cast<std::size_t>(p.u_end), 0);
              for (std::int64_t u = p.in_lo; u < b.interior_end[q]; ++u) ++covered[u];
              for (const auto& e : b.edges[q])
                for (std::int64_t u = e.store_lo; u < e.store_hi; ++u) ++covered[u];
              for (const convgen::Interval& r : b.pixel_runs[q])
                for (std::int64_t u = r.lo; u < r.hi; ++u) ++covered[u];
              for (std::int64_t u = 0; u < p.u_end; ++u) {
                INFO("column phase " << p.phase << ", u " << u);
                CHECK(covered[u] == (u >= p.u_lo && u < p.u_hi ? 1 : 0));
              }
            }
          }
}
