// PyTorch's padding modes as index rules: which input position a padded
// position reads. These are facts of the layer (docs/semantics.md,
// "padding_mode"), used by the planner to choose loads and by the emitter to
// write index maps; the reference implements the same rules independently.
#pragma once

#include <cstdint>

#include "convgen/spec.h"

namespace convgen {

// The source index in [0, size) of padded position `pos`, or -1 when the
// position reads zero (zeros mode outside the input). Precondition: `pos`
// lies within the padding a validated layer allows for `mode` (reflect:
// |pad| < size; circular: |pad| <= size; replicate and zeros: any).
std::int64_t sourceIndex(PaddingMode mode, std::int64_t pos, std::int64_t size);

}  // namespace convgen
