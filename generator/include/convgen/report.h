// Human-readable reports over a validated model.
#pragma once

#include "convgen/emit.h"
#include "convgen/spec.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen {

// `convgen shapes`: per layer its input, output, padding (t/b/l/r), weight
// shape, parameter count and MACs, then totals.
void printShapesTable(const ModelSpec& model, llvm::raw_ostream& os);

// `convgen generate --report`: per layer the kernel (its name is its plan),
// register tile, window unrolling, the largest straight-line function, border
// pixels, MACs; per file its lines and bytes.
void printGenerationReport(const GeneratedModel& generated, llvm::raw_ostream& os);

}  // namespace convgen
