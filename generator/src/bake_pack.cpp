// Packing baked weights at generation time, value for value what the
// emitted pack_weights() does (emit_channel_vector.cpp for a ChannelVector
// plan; layer_frame.cpp's unpackedPack() otherwise). A test compares the two
// bit for bit (tests/baked).
#include "convgen/baked_weights.h"
#include "convgen/internal_error.h"

namespace convgen {

std::vector<float> packBakedWeights(const KernelPlan& plan) {
  const LayerSpec& l = plan.layer;
  CONVGEN_CHECK(l.baked != nullptr, "packBakedWeights on a layer without baked weights");
  const std::vector<float>& weight = l.baked->weight;
  const std::vector<float>& bias = l.baked->bias;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t reduction = (l.in_channels / l.groups) * l.kernel.h * l.kernel.w;
  CONVGEN_CHECK(static_cast<std::int64_t>(weight.size()) == l.out_channels * reduction,
                "baked weights of another shape");
  CONVGEN_CHECK(bias.size() == (l.bias ? static_cast<std::size_t>(l.out_channels) : 0u),
                "a baked bias that disagrees with the layer's");
  std::vector<float> packed;
  packed.reserve(static_cast<std::size_t>(plan.packedWeightSize()));
  if (!plan.packed) {  // PyTorch's layout: weight, then bias
    packed = weight;
    packed.insert(packed.end(), bias.begin(), bias.end());
  } else {
    const ChannelVectorPlan& c = *plan.packed;
    for (std::int64_t g = 0; g < l.groups; ++g) {
      std::int64_t o = g * og;  // first output channel of the block
      for (const ChannelBlock& b : c.blocks)
        for (std::int64_t n = 0; n < b.count; ++n, o += b.channels) {
          const std::int64_t width = b.vectors * c.lanes;
          for (std::int64_t j = 0; j < width; ++j)
            packed.push_back(l.bias && j < b.channels ? bias[o + j] : 0.0f);
          for (std::int64_t k = 0; k < reduction; ++k)
            for (std::int64_t j = 0; j < width; ++j)
              packed.push_back(j < b.channels ? weight[(o + j) * reduction + k] : 0.0f);
        }
    }
  }
  CONVGEN_CHECK(static_cast<std::int64_t>(packed.size()) == plan.packedWeightSize(),
                "packed baked weights of another size than packed_weight_size");
  return packed;
}

}  // namespace convgen
