// conv_transpose2d (nn.ConvTranspose2d): its output size, and the conv it is
// the input gradient of (docs/design.md "conv_transpose2d").
//
// ConvTranspose2d(x, W), W of shape (Cin, Cout/g, kh, kw), is dL/dinput of
// the Conv2d with in_channels = Cout, out_channels = Cin, the same kernel,
// stride, dilation, groups and top/left padding, whose weight is the same
// tensor (conv_out, conv_in/g, kh, kw) = (Cin, Cout/g, kh, kw), on an input of
// ConvTranspose2d's output size. Only the padding after the input differs:
// it is chosen so that that conv's output has exactly x's H x W (output
// padding adds rows that only padding reaches; see convTransposeView).
#pragma once

#include <optional>

#include "convgen/shapes.h"
#include "convgen/spec.h"

namespace convgen {

// (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_padding + 1,
// PyTorch 1.13's formula, exact for any int64 arguments.
__int128 convTransposeExtent(std::int64_t in, std::int64_t stride, std::int64_t pad,
                             std::int64_t kernel, std::int64_t dilation, std::int64_t out_pad);
// The layer's output H x W; nullopt when an axis is < 1 or > kMaxDimension.
std::optional<Hw> convTransposeOutput(const LayerSpec& layer);

// The padding after the input of the view conv along one axis: the least
// p_after >= 0 whose conv output is exactly `in` positions, when one exists
// (output_padding - pad < stride), else pad - output_padding < 0: the view
// then crops the last positions, which no tap of ConvTranspose2d reaches.
std::int64_t convTransposeAfterPad(std::int64_t pad, std::int64_t out_pad, std::int64_t stride);

// inferShapes() of a conv_transpose2d layer: input (N, Cin, H, W), output
// (N, Cout, H_out, W_out), weight (Cin, Cout/g, kh, kw), bias (Cout); MACs
// are input elements x Cout/g x kh x kw; `reduction` bounds the terms of one
// output element (Cin/g x the taps), for tolerances.
LayerShapes convTransposeShapes(const LayerSpec& layer);

// The conv2d view of a conv_transpose2d layer (source_op ConvTranspose2d):
// no bias, no epilogue, no baked weights (the transposed layer adds those).
LayerSpec convTransposeView(const LayerSpec& layer);

}  // namespace convgen
