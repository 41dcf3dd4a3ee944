// no-rtti: dispatch on the dynamic type of a polymorphic helper.
// expect: 17:27: error: [no-rtti] 'dynamic_cast' needs RTTI: generated code builds with -fno-rtti
// expect: 25:9: error: [no-rtti] 'typeid' needs RTTI: generated code builds with -fno-rtti
#include <typeinfo>

#include "layer.h"

namespace viol::layer {
namespace {
struct Step {
  virtual ~Step() = default;
};
struct Scale : Step {
  float factor = 1;
};
void scaleAll(const Step& step, float* output) noexcept {
  if (const auto* scale = dynamic_cast<const Scale*>(&step))
    for (int i = 0; i < 4; ++i) output[i] *= scale->factor;
}
}  // namespace

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) output[i] = weight[0] * input[i];
  (void)typeid(Scale);
  scaleAll(Scale{}, output);
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
