// ONNX ConvTranspose -> `op: conv_transpose2d` (nn.ConvTranspose2d). ONNX's
// output is the scatter's full extent F0 = s*(in-1) + (k-1)*d + 1, plus
// output_padding at the end, less pads[begin] at the start and pads[end] at
// the end; PyTorch's crops `padding` on both sides and adds output_padding
// at the end. So begin pads map to `padding` and output_padding becomes
// op + begin - end, which PyTorch must accept (>= 0 and smaller than stride
// or dilation); anything else (more cropped at the end than at the start,
// negative begin pads) is rejected naming the node. output_shape and
// auto_pad resolve the pads as ONNX's operator documentation says: total =
// F0 + op - output_shape, begin = total - floor(total/2) (SAME_UPPER:
// floor(total/2)), and auto_pad SAME_* targets output_shape = in * stride.
#include "translator.h"

namespace convgen::import {
namespace {

std::int64_t floorHalf(std::int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

}  // namespace

void Translator::convTranspose(const onnx::NodeProto& n, int i) {
  onlyAttrs(n, i, {"auto_pad", "dilations", "group", "kernel_shape", "output_padding",
                   "output_shape", "pads", "strides"});
  const Val in = value(n, i, 0);
  if (in.flattened) fail(n, i, "reads a flattened tensor");
  if (in.pad) fail(n, i, "reads the output of a Pad; convgen imports Pad only directly before a Conv");
  const std::vector<std::int64_t>& x = shape(n, i, n.input(0));
  Tensor w = weight(n, i, 1, "weight");
  if (x.size() != 4 || w.shape.size() != 4)
    fail(n, i, "an input of rank " + std::to_string(x.size()) + " and a weight of rank " +
                   std::to_string(w.shape.size()) +
                   "; convgen imports 2-D transposed convolutions only (ConvTranspose1d/3d are "
                   "not supported)");
  const std::int64_t groups = intAttr(n, i, "group", 1);
  if (groups < 1 || x[1] != w.shape[0] || w.shape[0] % groups != 0)
    fail(n, i, "group " + std::to_string(groups) + " does not fit input channels " +
                   std::to_string(x[1]) + " and weight shape [" + std::to_string(w.shape[0]) +
                   ", " + std::to_string(w.shape[1]) + ", ...] (in, out/group, kh, kw)");
  const std::vector<std::int64_t> k = ints(n, i, "kernel_shape", {w.shape[2], w.shape[3]});
  const std::vector<std::int64_t> s = ints(n, i, "strides", {1, 1});
  const std::vector<std::int64_t> d = ints(n, i, "dilations", {1, 1});
  const std::vector<std::int64_t> op = ints(n, i, "output_padding", {0, 0});
  std::vector<std::int64_t> p = ints(n, i, "pads", {0, 0, 0, 0});
  const std::vector<std::int64_t> out_shape = ints(n, i, "output_shape", {});
  if (k.size() != 2 || k[0] != w.shape[2] || k[1] != w.shape[3] || s.size() != 2 ||
      d.size() != 2 || op.size() != 2 || p.size() != 4)
    fail(n, i, "kernel_shape (matching the weight), strides, dilations and output_padding need "
               "2 values and pads 4 (2-D only)");
  for (std::int64_t v : {s[0], s[1], d[0], d[1]})
    if (v < 1) fail(n, i, "strides and dilations must be positive");
  for (std::int64_t v : {op[0], op[1]})
    if (v < 0) fail(n, i, "negative output_padding is not supported");
  const std::string auto_pad = stringAttr(n, i, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID")
    fail(n, i, "auto_pad '" + auto_pad + "' (NOTSET, SAME_UPPER, SAME_LOWER, VALID)");
  if (!out_shape.empty() && out_shape.size() != 2 && out_shape.size() != 4)
    fail(n, i, "output_shape needs the 2 spatial sizes");
  std::int64_t pad[2] = {0, 0}, out_pad[2] = {0, 0};
  for (int a = 0; a < 2; ++a) {
    const std::int64_t full = s[a] * (x[2 + a] - 1) + (k[a] - 1) * d[a] + 1 + op[a];
    std::int64_t begin = p[a], end = p[a + 2];
    const bool target = !out_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
    if (auto_pad == "VALID") begin = end = 0;
    if (target) {
      const std::int64_t want = !out_shape.empty() ? out_shape[out_shape.size() - 2 + a]
                                                   : x[2 + a] * s[a];
      const std::int64_t total = full - want;
      begin = auto_pad == "SAME_UPPER" ? floorHalf(total) : total - floorHalf(total);
      end = total - begin;
    }
    const std::int64_t q = op[a] + begin - end;
    if (begin < 0 || q < 0 || (q >= s[a] && q >= d[a]))
      fail(n, i, std::string(a == 0 ? "rows" : "columns") + ": cropping " + std::to_string(begin) +
                     " at the start and " + std::to_string(end) + " at the end with output_padding " +
                     std::to_string(op[a]) +
                     " is no nn.ConvTranspose2d (which crops `padding` at both ends and adds "
                     "output_padding, smaller than stride or dilation, at the end)");
    pad[a] = begin;
    out_pad[a] = q;
  }
  Layer& l = newLayer(n, i, LayerOp::ConvTranspose, in);
  l.in_channels = x[1];
  l.out_channels = w.shape[1] * groups;
  l.groups = groups;
  l.kh = k[0], l.kw = k[1], l.sh = s[0], l.sw = s[1], l.dh = d[0], l.dw = d[1];
  l.pad = {pad[0], pad[0], pad[1], pad[1]};
  l.oph = out_pad[0], l.opw = out_pad[1];
  net_.tensors[l.name + ".weight"] = std::move(w);
  if (hasInput(n, 2)) {
    Tensor b = weight(n, i, 2, "bias");
    if (b.shape.size() != 1 || b.shape[0] != l.out_channels)
      fail(n, i, "the bias must have shape [" + std::to_string(l.out_channels) + "]");
    net_.tensors[l.name + ".bias"] = std::move(b);
    l.bias = true;
  }
  setOutput(n, i, static_cast<int>(net_.layers.size()) - 1);
}

}  // namespace convgen::import
