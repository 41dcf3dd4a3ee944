// Human-readable reports over a validated model.
#pragma once

#include "convgen/emit.h"
#include "convgen/object_sizes.h"
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

// `convgen generate --report=json`: the same facts as one JSON object (the
// format is documented in docs/design.md, "The JSON report"); `sizes` adds
// object_bytes per layer and in total when a compiler measured them.
void printGenerationReportJson(const ModelSpec& model, const GeneratedModel& generated,
                               const ObjectSizes* sizes, llvm::raw_ostream& os);

// --report-compiler with the text report: per layer and total code bytes.
void printObjectSizes(const ModelSpec& model, const ObjectSizes& sizes,
                      const ObjectSizeRequest& request, llvm::raw_ostream& os);

// A network's flash (baked weights; code with `sizes`) per layer and in
// total, and its arena against the lower bound (network_report.cpp).
void printNetworkReport(const ModelSpec& model, const GeneratedModel& generated,
                        const ObjectSizes* sizes, llvm::raw_ostream& os);

// --flash-budget / --ram-budget (negative: none): "" when within, else the
// message, naming the biggest contributors.
std::string checkBudgets(const ModelSpec& model, const GeneratedModel& generated,
                         const ObjectSizes* sizes, std::int64_t flash_budget,
                         std::int64_t ram_budget);

}  // namespace convgen
