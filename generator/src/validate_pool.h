// Stage 2 for the non-conv ops (private to generator/src): a pooling layer
// becomes a PoolSpec, a linear layer a conv LayerSpec (validate_linear.cpp).
// PyTorch 1.13's rules, worded like its messages (docs/semantics.md section
// 12), and convgen's bounds.
#pragma once

#include <optional>

#include "convgen/config.h"

namespace convgen::detail {

std::optional<PoolSpec> validatePool(const RawLayer& raw, Isa default_isa, Diagnostics& diags);
std::optional<LayerSpec> validateLinear(const RawLayer& raw, Isa default_isa, Diagnostics& diags);
// conv_transpose2d (validate_conv_transpose.cpp): nn.ConvTranspose2d's own
// numbers in a LayerSpec with source_op ConvTranspose2d.
std::optional<LayerSpec> validateConvTranspose(const RawLayer& raw, Isa default_isa,
                                               Diagnostics& diags);

// Shared by both: the layer name, `isa:` and `dtype:` (any of spec.h's table;
// which an op supports is its validator's rule). False when one is unusable
// or invalid (diagnosed).
bool commonArgs(const RawLayer& raw, Isa default_isa, Diagnostics& diags, std::string& name,
                Isa& isa, DType& dtype);
// input_shape's values when every one is >= 0 (else diagnosed); nullopt when
// absent or ill-typed.
std::optional<std::vector<std::int64_t>> inputShape(const RawLayer& raw, Diagnostics& diags);

}  // namespace convgen::detail
