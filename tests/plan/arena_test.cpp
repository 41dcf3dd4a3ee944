// The arena planner (generator/src/arena.cpp): offsets never let two tensors
// that are live at the same step share a byte, the size is what the offsets
// need, and the simple shapes of networks get the plans they should.
#include "convgen/arena.h"

#include <catch2/catch.hpp>
#include <random>

using convgen::ArenaPlan;
using convgen::ArenaTensor;
using convgen::planArena;

namespace {

// Every invariant a plan must hold, whatever the tensors.
void checkSound(const std::vector<ArenaTensor>& ts, const ArenaPlan& plan) {
  REQUIRE(plan.offsets.size() == ts.size());
  std::int64_t needed = 0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    CHECK(plan.offsets[i] % convgen::kArenaAlignment == 0);
    CHECK(plan.offsets[i] >= 0);
    needed = std::max(needed, plan.offsets[i] + ts[i].bytes);
    for (std::size_t j = 0; j < i; ++j) {
      const bool live_together = ts[i].first <= ts[j].last && ts[j].first <= ts[i].last;
      const bool share_bytes = plan.offsets[i] < plan.offsets[j] + ts[j].bytes &&
                               plan.offsets[j] < plan.offsets[i] + ts[i].bytes;
      INFO("tensors " << i << " and " << j);
      CHECK_FALSE((live_together && share_bytes));
    }
  }
  CHECK(plan.bytes >= needed);
  CHECK(plan.bytes <= convgen::arenaAlign(needed));
  CHECK(plan.bytes >= plan.lower_bound);
}

}  // namespace

TEST_CASE("arena: a chain of layers ping-pongs between two regions", "[arena]") {
  // conv0 -> conv1 -> conv2 -> conv3: tensor k is written by step k and read by k+1.
  const std::vector<ArenaTensor> ts = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}};
  const ArenaPlan plan = planArena(ts);
  checkSound(ts, plan);
  CHECK(plan.offsets[0] == plan.offsets[2]);
  CHECK(plan.offsets[0] != plan.offsets[1]);
  CHECK(plan.bytes == 2 * 1024);
  CHECK(plan.lower_bound == 2 * 1024);
}

TEST_CASE("arena: a residual keeps its bytes until the step that adds it", "[arena]") {
  // t0 (block input) read by step 1 and, as the residual, by step 2.
  const std::vector<ArenaTensor> ts = {{4096, 0, 2}, {4096, 1, 2}, {4096, 2, 3}};
  const ArenaPlan plan = planArena(ts);
  checkSound(ts, plan);
  CHECK(plan.bytes == 3 * 4096);  // all three live at step 2
  CHECK(plan.lower_bound == 3 * 4096);
}

TEST_CASE("arena: a small tensor fits in a gap a large one left", "[arena]") {
  // Big tensors 0 and 2 overlap in time with the small 1 only at its ends.
  const std::vector<ArenaTensor> ts = {{8192, 0, 1}, {64, 1, 2}, {8192, 2, 3}, {64, 3, 4}};
  const ArenaPlan plan = planArena(ts);
  checkSound(ts, plan);
  CHECK(plan.bytes == 8192 + 64);
}

TEST_CASE("arena: no tensors, no bytes", "[arena]") {
  const ArenaPlan plan = planArena({});
  CHECK(plan.bytes == 0);
  CHECK(plan.lower_bound == 0);
}

TEST_CASE("arena: random lifetimes are always packed soundly and deterministically", "[arena]") {
  std::mt19937_64 rng(20261202);
  for (int round = 0; round < 300; ++round) {
    std::vector<ArenaTensor> ts(1 + rng() % 12);
    for (ArenaTensor& t : ts) {
      t.bytes = 1 + static_cast<std::int64_t>(rng() % 5000);
      t.first = static_cast<std::int64_t>(rng() % 10);
      t.last = t.first + static_cast<std::int64_t>(rng() % 4);
    }
    const ArenaPlan plan = planArena(ts);
    INFO("round " << round);
    checkSound(ts, plan);
    CHECK(planArena(ts).offsets == plan.offsets);
  }
}
