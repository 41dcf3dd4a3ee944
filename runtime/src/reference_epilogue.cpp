// The reference epilogue (see reference_epilogue.h): each formula as
// PyTorch's documentation states it, evaluated in T.
#include "convgen/reference_epilogue.h"

#include <cstdint>
#include <type_traits>

namespace convgen::ref {
namespace {

// max(x, lo) as std::max(x, lo) does it (torch.clamp's CPU kernel): x
// unless x < lo, so NaN and -0 pass through.
template <typename T>
T atLeast(T x, T lo) {
  return x < lo ? lo : x;
}
template <typename T>
T atMost(T x, T hi) {
  return hi < x ? hi : x;
}

}  // namespace

template <typename T>
T activate(const EpilogueParams& e, T x) {
  switch (e.activation) {
    case Activation::None:
      return x;
    case Activation::Relu:  // torch.relu(x) = torch.clamp_min(x, 0)
      return atLeast(x, T(0));
    case Activation::Relu6:  // ReLU6(x) = min(max(0, x), 6) = hardtanh(x, 0, 6)
      return atMost(atLeast(x, T(0)), T(6));
    case Activation::Clamp: {  // min(max(x, min_value), max_value)
      T y = x;
      if (e.has_min) y = atLeast(y, static_cast<T>(e.min));
      if (e.has_max) y = atMost(y, static_cast<T>(e.max));
      return y;
    }
    case Activation::LeakyRelu:  // x if x > 0 (x >= 0: the same value), else slope * x
      if constexpr (std::is_floating_point_v<T>)
        return x > T(0) ? x : x * static_cast<T>(e.negative_slope);
      break;
    case Activation::Hardswish:  // x * ReLU6(x + 3) / 6
      if constexpr (std::is_floating_point_v<T>) {
        const T relu6 = atMost(atLeast(T(x + T(3)), T(0)), T(6));
        return T(x * relu6) / T(6);
      }
      break;
  }
  return x;  // integer leaky_relu / hardswish: PyTorch has no such kernel
}

template <typename T>
void epilogueForward(const EpilogueParams& e, const T* residual, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    T v = y[i];
    if (residual) {
      if constexpr (std::is_floating_point_v<T>) {
        v = v + residual[i];
      } else {  // two's complement wrap, without signed-overflow UB
        using U = std::make_unsigned_t<T>;
        v = static_cast<T>(static_cast<U>(v) + static_cast<U>(residual[i]));
      }
    }
    y[i] = activate(e, v);
  }
}

#define CONVGEN_REF_EPILOGUE(T)                                    \
  template T activate<T>(const EpilogueParams&, T);                \
  template void epilogueForward<T>(const EpilogueParams&, const T*, T*, std::size_t);
CONVGEN_REF_EPILOGUE(float)
CONVGEN_REF_EPILOGUE(double)
CONVGEN_REF_EPILOGUE(std::int32_t)
CONVGEN_REF_EPILOGUE(std::int64_t)
#undef CONVGEN_REF_EPILOGUE

}  // namespace convgen::ref
