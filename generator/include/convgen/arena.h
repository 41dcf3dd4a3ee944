// The activation arena of a network: where every intermediate tensor lives,
// planned at generation time from the tensors' lifetimes.
//
// A network runs its steps in config order. Step s writes one tensor and
// reads earlier ones (its input, a residual). A tensor is live from the step
// that writes it to the last step that reads it, both included, so a step's
// output never shares bytes with anything that step reads. The network's
// input and output are the caller's buffers and are not planned here.
//
// The plan: tensors by decreasing size (ties: the earlier step first), each
// at the lowest 64-byte-aligned offset where it overlaps no already placed
// tensor whose lifetime overlaps its own ("greedy by size", as TFLite's and
// TVM's static memory planners do). Deterministic; a chain of layers becomes
// ping-pong between two regions, and a residual keeps its region until the
// step that adds it.
#pragma once

#include <cstdint>
#include <vector>

namespace convgen {

inline constexpr std::int64_t kArenaAlignment = 64;

struct ArenaTensor {
  std::int64_t bytes = 0;   // > 0
  std::int64_t first = 0;   // the step that writes it
  std::int64_t last = 0;    // the last step that reads it (>= first)
};

struct ArenaPlan {
  std::vector<std::int64_t> offsets;  // one per tensor, multiples of kArenaAlignment
  std::int64_t bytes = 0;             // the arena size the offsets need
  // The most bytes live at once (each tensor rounded up to the alignment):
  // no plan can use less, so bytes - lower_bound is what the packing wastes.
  std::int64_t lower_bound = 0;
};

// Precondition: every tensor has bytes > 0 and first <= last.
ArenaPlan planArena(const std::vector<ArenaTensor>& tensors);

// The aligned size planArena gives a tensor of `bytes` bytes.
std::int64_t arenaAlign(std::int64_t bytes);

}  // namespace convgen
