#include "convgen/arena.h"

#include <algorithm>
#include <numeric>

#include "convgen/internal_error.h"

namespace convgen {

std::int64_t arenaAlign(std::int64_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

ArenaPlan planArena(const std::vector<ArenaTensor>& tensors) {
  for (const ArenaTensor& t : tensors)
    CONVGEN_CHECK(t.bytes > 0 && t.first <= t.last, "an arena tensor with no bytes or lifetime");
  const std::size_t n = tensors.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (tensors[a].bytes != tensors[b].bytes) return tensors[a].bytes > tensors[b].bytes;
    return tensors[a].first < tensors[b].first;
  });

  ArenaPlan plan;
  plan.offsets.assign(n, 0);
  std::vector<std::size_t> placed;
  for (const std::size_t i : order) {
    const ArenaTensor& t = tensors[i];
    const std::int64_t size = arenaAlign(t.bytes);
    // The regions of placed tensors live at the same time as t, by offset.
    std::vector<std::pair<std::int64_t, std::int64_t>> busy;
    for (const std::size_t j : placed)
      if (tensors[j].first <= t.last && t.first <= tensors[j].last)
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + arenaAlign(tensors[j].bytes));
    std::sort(busy.begin(), busy.end());
    // The lowest gap that holds t: busy regions are sorted by start, so a
    // candidate offset only ever moves up past a region it would overlap.
    std::int64_t offset = 0;
    for (const auto& [lo, hi] : busy) {
      if (offset + size <= lo) break;
      offset = std::max(offset, hi);
    }
    plan.offsets[i] = offset;
    plan.bytes = std::max(plan.bytes, offset + size);
    placed.push_back(i);
  }

  std::int64_t steps = 0;
  for (const ArenaTensor& t : tensors) steps = std::max(steps, t.last + 1);
  for (std::int64_t s = 0; s < steps; ++s) {
    std::int64_t live = 0;
    for (const ArenaTensor& t : tensors)
      if (t.first <= s && s <= t.last) live += arenaAlign(t.bytes);
    plan.lower_bound = std::max(plan.lower_bound, live);
  }
  return plan;
}

}  // namespace convgen
