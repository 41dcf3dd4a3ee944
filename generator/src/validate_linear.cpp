// linear layers: nn.Linear(in_features, out_features, bias) applied to
// torch.flatten(x, 1), lowered to the conv2d it equals: a kernel the size
// of the input's H x W with no padding, out_features output channels.
// nn.Linear's weight (out_features, in_features) is, byte for byte, that
// conv's weight (out, C, H, W) over the flattened input. See validate_pool.h.
#include <limits>

#include "convgen/shapes.h"
#include "validate_layer.h"
#include "validate_pool.h"

namespace convgen::detail {

std::optional<LayerSpec> validateLinear(const RawLayer& r, Isa default_isa, Diagnostics& d) {
  LayerSpec spec;
  spec.source_op = Op::Linear;
  bool ok = commonArgs(r, default_isa, d, spec.name, spec.isa, spec.dtype);
  if (r.bias.usable())
    spec.bias = r.bias.value;
  else if (r.bias.present)
    ok = false;
  bool features_ok = r.in_features.usable() && r.out_features.usable();
  for (const Located<std::int64_t>* f : {&r.in_features, &r.out_features}) {
    if (!f->usable()) continue;
    if (f->value < 0) {
      d.error(f->loc, "Trying to create tensor with negative dimension " + llvm::Twine(f->value) +
                          ": [" + llvm::Twine(r.out_features.value) + ", " +
                          llvm::Twine(r.in_features.value) + "]");
      features_ok = false;
    } else if (f->value == 0) {
      d.error(f->loc, llvm::Twine(f == &r.in_features ? "in_features" : "out_features") +
                          "=0 gives an empty linear layer; convgen needs at least 1");
      features_ok = false;
    }
  }
  std::optional<std::vector<std::int64_t>> in = inputShape(r, d);
  if (in && in->size() == 3) {
    d.error(r.input_shape.loc,
            "linear: input_shape " + listText(*in) +
                " is unbatched (C, H, W), which torch.flatten(x, 1) would flatten to (C, H*W); "
                "give [N, C, H, W] or [N, in_features]");
    in.reset();
  } else if (in && in->size() != 2 && in->size() != 4) {
    d.error(r.input_shape.loc, "linear: expected input_shape [N, in_features] or [N, C, H, W] "
                               "(flattened as torch.flatten(x, 1)), but got " +
                                   listText(*in));
    in.reset();
  }
  if (in) {
    const std::vector<std::int64_t>& v = *in;
    spec.batch = v[0];
    spec.flat_input = v.size() == 2;
    spec.in_channels = v[1];
    spec.in_height = v.size() == 4 ? v[2] : 1;
    spec.in_width = v.size() == 4 ? v[3] : 1;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (v[i] == 0) {
        d.error(r.input_shape.loc,
                "input_shape " + listText(v) +
                    " is empty; convgen needs every dimension to be at least 1");
        in.reset();
        break;
      }
  }
  if (!in || !features_ok || !ok) return std::nullopt;
  // torch.flatten(x, 1): (N, C*H*W), checked before multiplying.
  std::int64_t features = 0;
  if (__builtin_mul_overflow(spec.in_channels, spec.in_height, &features) ||
      __builtin_mul_overflow(features, spec.in_width, &features) ||
      features > kMaxTensorElements) {
    d.error(r.input_shape.loc, "the input " + listText(*in) + " has more than " +
                                   llvm::Twine(kMaxTensorElements) +
                                   " elements per image, the most convgen supports");
    return std::nullopt;
  }
  if (features != r.in_features.value) {
    d.error(r.in_features.loc, "mat1 and mat2 shapes cannot be multiplied (" +
                                   llvm::Twine(spec.batch) + "x" + llvm::Twine(features) +
                                   " and " + llvm::Twine(r.in_features.value) + "x" +
                                   llvm::Twine(r.out_features.value) + ")");
    return std::nullopt;
  }
  spec.out_channels = r.out_features.value;
  spec.kernel = {spec.in_height, spec.in_width};
  for (const std::vector<std::int64_t>& shape :
       {std::vector<std::int64_t>{spec.batch, features},
        std::vector<std::int64_t>{spec.out_channels, features},
        std::vector<std::int64_t>{spec.batch, spec.out_channels}}) {
    const std::optional<std::int64_t> n = checkedElementCount(shape);
    if (n && *n <= kMaxTensorElements) continue;
    d.error(r.loc, "the tensor " + listText(shape) + " of this linear layer has more than " +
                       llvm::Twine(kMaxTensorElements) + " elements, the most convgen supports");
    return std::nullopt;
  }
  return spec;
}

}  // namespace convgen::detail
