// BatchNorm2d (eval mode) folded into the conv before it, at generation
// time, in double (docs/semantics.md section 11):
//   s = gamma / sqrt(running_var + eps)
//   w'[o] = w[o] * s[o],  b'[o] = (b[o] - running_mean[o]) * s[o] + beta[o]
// with b = 0 when the conv has no bias. Each result is rounded once to float.
#include <cmath>

#include "convgen/internal_error.h"
#include "weights_config.h"

namespace convgen::detail {

void foldBatchNorm(const BatchNormValues& bn, std::int64_t out_channels, std::vector<float>& weight,
                   std::vector<float>& bias) {
  const std::size_t out = static_cast<std::size_t>(out_channels);
  CONVGEN_CHECK(bn.weight.size() == out && bn.bias.size() == out && bn.running_mean.size() == out &&
                    bn.running_var.size() == out,
                "batch_norm values of another channel count");
  CONVGEN_CHECK(out > 0 && weight.size() % out == 0, "weights of another channel count");
  CONVGEN_CHECK(bias.empty() || bias.size() == out, "a bias of another channel count");
  const std::size_t per_channel = weight.size() / out;
  std::vector<float> folded_bias(out);
  for (std::size_t o = 0; o < out; ++o) {
    const double scale = bn.weight[o] / std::sqrt(bn.running_var[o] + bn.eps);
    for (std::size_t k = 0; k < per_channel; ++k) {
      float& w = weight[o * per_channel + k];
      w = static_cast<float>(static_cast<double>(w) * scale);
    }
    const double b = bias.empty() ? 0.0 : static_cast<double>(bias[o]);
    folded_bias[o] = static_cast<float>((b - bn.running_mean[o]) * scale + bn.bias[o]);
  }
  bias = std::move(folded_bias);
}

}  // namespace convgen::detail
