// The same convolution through oneDNN, as a PyTorch user would pay for it:
// NCHW in and NCHW out, with oneDNN's preferred layouts in between
// (the input and output reorders are timed; the weights are reordered once,
// like convgen-side weight packing would be). reflect/replicate/circular
// padding is applied by a padded copy first, as PyTorch does.
#pragma once

#include "convgen/reference.h"

#include <memory>

namespace convgen::bench {

class OnednnConv {
 public:
  OnednnConv(const ref::Conv2dParams& p, const float* weight, const float* bias);
  ~OnednnConv();
  void run(const float* input_nchw, float* output_nchw);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convgen::bench
