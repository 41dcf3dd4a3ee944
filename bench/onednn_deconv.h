// oneDNN's deconvolution (transposed convolution) primitive, as a PyTorch
// user would pay for it: NCHW tensors in and out, oneDNN's preferred layouts
// in between (reorders timed; weights and bias reordered once).
#pragma once

#include <memory>

#include "convgen/conv_transpose_reference.h"

namespace convgen::bench {

class OnednnDeconv {
 public:
  // weight: PyTorch's (in, out/groups, kh, kw); bias (out) or nullptr.
  OnednnDeconv(const ref::ConvTranspose2dParams& p, const float* weight, const float* bias);
  ~OnednnDeconv();
  void run(const float* input, float* output);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convgen::bench
