// `padding: {top: t, bottom: b, left: l, right: r}`: convgen's per-side
// padding, beyond nn.Conv2d (whose `padding` is symmetric; docs/semantics.md
// section 10). It is what F.pad(x, (l, r, t, b)) before an unpadded conv
// computes, and what ONNX's asymmetric `pads` and auto_pad=SAME_LOWER need.
// The sides are named, so there is no order to confuse with F.pad's.
#include "validate_layer.h"

namespace convgen::detail {

bool LayerValidator::sidePadding() {
  const RawPadding& p = r_.padding;
  bool ok = true;
  for (const Located<std::int64_t>* side : {&p.top, &p.bottom, &p.left, &p.right}) {
    if (!side->usable()) {
      ok = false;  // missing (reported by the walk) or not an int
      continue;
    }
    if (side->value >= 0) continue;
    if (spec_.padding_mode == PaddingMode::Zeros)
      diags_.error(side->loc, "negative padding is not supported");
    else
      diags_.error(side->loc,
                   llvm::Twine("negative padding (which crops the input) with padding_mode='") +
                       llvm::StringRef(toString(spec_.padding_mode)) +
                       "' is accepted by PyTorch but not supported by convgen");
    ok = false;
  }
  if (!ok) return false;
  spec_.pad = {p.top.value, p.bottom.value, p.left.value, p.right.value};
  return true;
}

}  // namespace convgen::detail
