// Emission of pooling layers (emit_pool.cpp), private to generator/src.
#pragma once

#include <string>

#include "convgen/pool_plan.h"
#include "convgen/spec.h"

namespace convgen::detail {

std::string poolSummary(const PoolPlan& plan);
// The layer's kernel, for a .cpp shard.
std::string renderPool(const ModelSpec& model, const PoolPlan& plan);
// Its declarations inside the header's namespace, and its C entry point.
std::string poolDeclaration(const PoolPlan& plan);
std::string poolCDeclaration(const ModelSpec& model, const PoolPlan& plan);
// The PoolInfo type, in headers of configs with pools.
std::string poolInfoStruct();

}  // namespace convgen::detail
