// The reference fused epilogue: what PyTorch computes after a conv layer,
// written from PyTorch 1.13's documentation (docs/semantics.md section 14),
// applied to the reference convolution's output in the tensor's own type:
//
//   y = conv2d(x, w) + b      (reference.h; rounded to T)
//   y = y + residual          (torch.add, in T; integers wrap)
//   y = activation(y)         (in T, one rounding per operation)
//
// Shares no code with the generator.
#pragma once

#include <cstddef>
#include <cstring>

namespace convgen::ref {

enum class Activation { None, Relu, Relu6, LeakyRelu, Clamp, Hardswish };

struct EpilogueParams {
  Activation activation = Activation::None;
  double negative_slope = 0.01;  // nn.LeakyReLU's default
  bool has_min = false, has_max = false;  // torch.clamp's bounds
  double min = 0, max = 0;
};

// One element, by PyTorch's formulas:
//   relu(x)       = torch.clamp_min(x, 0) (max(x, 0); NaN stays NaN, -0 stays -0)
//   relu6(x)      = hardtanh(x, 0, 6) = clamp(x, 0, 6)
//   leaky_relu(x) = x if x > 0 else negative_slope * x
//   clamp(x)      = min(max(x, min), max): all elements max when min > max
//   hardswish(x)  = x * relu6(x + 3) / 6
template <typename T>
T activate(const EpilogueParams& e, T x);

// y[i] = activate(e, y[i] + residual[i]) for i < n; `residual` may be
// nullptr (then no add). T is float, double, std::int32_t or std::int64_t.
template <typename T>
void epilogueForward(const EpilogueParams& e, const T* residual, T* y, std::size_t n);

// The parameters of a generated layer's `epilogue` constant (a
// convgen::generated::Epilogue in the generated header).
template <typename GeneratedEpilogue>
EpilogueParams epilogueOf(const GeneratedEpilogue& g) {
  EpilogueParams e;
  const char* a = g.activation;
  e.activation = std::strcmp(a, "relu") == 0         ? Activation::Relu
                 : std::strcmp(a, "relu6") == 0      ? Activation::Relu6
                 : std::strcmp(a, "leaky_relu") == 0 ? Activation::LeakyRelu
                 : std::strcmp(a, "clamp") == 0      ? Activation::Clamp
                 : std::strcmp(a, "hardswish") == 0  ? Activation::Hardswish
                                                     : Activation::None;
  e.negative_slope = g.negative_slope;
  e.has_min = g.has_min;
  e.has_max = g.has_max;
  e.min = g.min;
  e.max = g.max;
  return e;
}

}  // namespace convgen::ref
