// The backward passes of a convolution through oneDNN, as a PyTorch user
// would pay for them: NCHW tensors in and out, oneDNN's preferred layouts
// in between (reorders timed, the weights of backward-data reordered once).
// convolution_backward_data (grad_input) and convolution_backward_weights
// (grad_weight and grad_bias together) each need the forward primitive
// descriptor as a hint. zeros padding only: for the other modes PyTorch
// pads explicitly and folds the padded gradient back itself.
#pragma once

#include <memory>

#include "convgen/reference.h"

namespace convgen::bench {

class OnednnBackward {
 public:
  OnednnBackward(const ref::Conv2dParams& p, const float* weight, bool bias);
  ~OnednnBackward();
  void data(const float* grad_output, float* grad_input);
  void weights(const float* input, const float* grad_output, float* grad_weight,
               float* grad_bias);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convgen::bench
