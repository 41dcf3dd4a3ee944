// The reference network (reference_network.h): every layer of a validated
// network run with runtime/'s references in double, BatchNorm unfused, and
// the bounds of docs/semantics.md section 16 carried alongside.
#include "convgen/reference_network.h"

#include <cmath>

#include "convgen/conv_transpose_reference.h"
#include "convgen/internal_error.h"
#include "convgen/pool_reference.h"
#include "convgen/reference.h"
#include "convgen/reference_epilogue.h"
#include "convgen/shapes.h"
#include "network_model.h"

namespace convgen {
namespace {

using Vec = std::vector<double>;

constexpr double kDoubleRoundoff = 1.0 / 9007199254740992.0;  // 2^-53
// The largest error of rounding a double to float32 in the subnormal range.
constexpr double kFloatSubnormalError = 7.006492321624085e-46;  // 2^-150

double gamma(double n, double u) { return n * u / (1 - n * u); }

Vec absolute(const Vec& v) {
  Vec a(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) a[i] = std::abs(v[i]);
  return a;
}

Vec plus(const Vec& a, const Vec& b) {
  Vec s(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) s[i] = a[i] + b[i];
  return s;
}

// The error of a tensor rounded to float32: what the isolated check feeds.
Vec roundingError(const Vec& v) {
  Vec e(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    e[i] = kFloatRoundoff * std::abs(v[i]) + kFloatSubnormalError;
  return e;
}

ref::Conv2dParams convParams(const LayerSpec& l) {
  ref::Conv2dParams p;
  p.batch = l.batch;
  p.in_channels = l.in_channels;
  p.in_height = l.in_height;
  p.in_width = l.in_width;
  p.out_channels = l.out_channels;
  p.kernel_h = l.kernel.h;
  p.kernel_w = l.kernel.w;
  p.stride_h = l.stride.h;
  p.stride_w = l.stride.w;
  p.dilation_h = l.dilation.h;
  p.dilation_w = l.dilation.w;
  p.pad_top = l.pad.top;
  p.pad_bottom = l.pad.bottom;
  p.pad_left = l.pad.left;
  p.pad_right = l.pad.right;
  p.groups = l.groups;
  switch (l.padding_mode) {
    case PaddingMode::Zeros: p.padding_mode = ref::PaddingMode::Zeros; break;
    case PaddingMode::Reflect: p.padding_mode = ref::PaddingMode::Reflect; break;
    case PaddingMode::Replicate: p.padding_mode = ref::PaddingMode::Replicate; break;
    case PaddingMode::Circular: p.padding_mode = ref::PaddingMode::Circular; break;
  }
  return p;
}

ref::ConvTranspose2dParams transposeParams(const LayerSpec& l) {
  ref::ConvTranspose2dParams p;
  p.batch = l.batch;
  p.in_channels = l.in_channels;
  p.in_height = l.in_height;
  p.in_width = l.in_width;
  p.out_channels = l.out_channels;
  p.kernel_h = l.kernel.h;
  p.kernel_w = l.kernel.w;
  p.stride_h = l.stride.h;
  p.stride_w = l.stride.w;
  p.dilation_h = l.dilation.h;
  p.dilation_w = l.dilation.w;
  CONVGEN_CHECK(l.pad.top == l.pad.bottom && l.pad.left == l.pad.right,
                "conv_transpose2d with per-side padding");
  p.pad_h = l.pad.top;
  p.pad_w = l.pad.left;
  p.output_padding_h = l.output_padding.h;
  p.output_padding_w = l.output_padding.w;
  p.groups = l.groups;
  return p;
}

ref::Pool2dParams poolParams(const PoolSpec& s) {
  ref::Pool2dParams p;
  p.op = s.op == Op::MaxPool2d ? ref::PoolOp::Max
         : s.op == Op::AvgPool2d ? ref::PoolOp::Avg
                                 : ref::PoolOp::AdaptiveAvg;
  p.batch = s.batch;
  p.channels = s.channels;
  p.in_height = s.in_height;
  p.in_width = s.in_width;
  p.kernel_h = s.kernel_h;
  p.kernel_w = s.kernel_w;
  p.stride_h = s.stride_h;
  p.stride_w = s.stride_w;
  p.pad_h = s.pad_h;
  p.pad_w = s.pad_w;
  p.dilation_h = s.dilation_h;
  p.dilation_w = s.dilation_w;
  p.ceil_mode = s.ceil_mode;
  p.count_include_pad = s.count_include_pad;
  p.divisor_override = s.divisor_override;
  p.out_height = s.out_height;
  p.out_width = s.out_width;
  return p;
}

ref::EpilogueParams epilogueParams(const Epilogue& e) {
  ref::EpilogueParams p;
  switch (e.activation) {
    case Activation::None: p.activation = ref::Activation::None; break;
    case Activation::Relu: p.activation = ref::Activation::Relu; break;
    case Activation::Relu6: p.activation = ref::Activation::Relu6; break;
    case Activation::LeakyRelu: p.activation = ref::Activation::LeakyRelu; break;
    case Activation::Clamp: p.activation = ref::Activation::Clamp; break;
    case Activation::Hardswish: p.activation = ref::Activation::Hardswish; break;
  }
  p.negative_slope = e.negative_slope;
  p.has_min = e.has_min;
  p.has_max = e.has_max;
  p.min = e.min;
  p.max = e.max;
  return p;
}

// nn.Linear as its documentation writes it: y = x A^T + b, x flattened
// as torch.flatten(x, 1) (contiguous NCHW: the same order).
void linearForward(std::int64_t batch, std::int64_t in, std::int64_t out, const double* x,
                   const double* a, const double* b, double* y) {
  for (std::int64_t n = 0; n < batch; ++n)
    for (std::int64_t o = 0; o < out; ++o) {
      double acc = b ? b[o] : 0.0;
      for (std::int64_t i = 0; i < in; ++i) acc += x[n * in + i] * a[o * in + i];
      y[n * out + o] = acc;
    }
}

// One conv (or linear) layer: its value and, per bound kind, the error it
// may carry given its inputs' errors `e` (and the residual's `er`).
struct ConvLayer {
  const LayerSpec& l;
  Vec weight, bias;               // as the user gave them
  Vec scale, mean, shift;         // BatchNorm: s = gamma/sqrt(var+eps), m, beta; else 1, 0, 0
  bool batch_norm = false;
  Vec bn_var, bn_weight;
  double eps = 0;
  std::int64_t depth = 0;
  std::size_t per_channel = 0;    // output elements per (image, channel)

  explicit ConvLayer(const LayerSpec& layer) : l(layer) {
    CONVGEN_CHECK(l.baked != nullptr, "a network layer without baked weights");
    const BakedTensors& t = *l.baked;
    const std::size_t out = static_cast<std::size_t>(l.out_channels);
    scale.assign(out, 1.0);
    mean.assign(out, 0.0);
    shift.assign(out, 0.0);
    if (t.unfolded) {
      const BakedTensors::Unfolded& u = *t.unfolded;
      weight.assign(u.weight.begin(), u.weight.end());
      bias.assign(u.bias.begin(), u.bias.end());
      batch_norm = true;
      eps = u.eps;
      bn_var = u.running_var;
      bn_weight = u.bn_weight;
      for (std::size_t o = 0; o < out; ++o) {
        scale[o] = u.bn_weight[o] / std::sqrt(u.running_var[o] + u.eps);
        mean[o] = u.running_mean[o];
        shift[o] = u.bn_bias[o];
      }
    } else {
      weight.assign(t.weight.begin(), t.weight.end());
      bias.assign(t.bias.begin(), t.bias.end());
    }
    // The generated layer sums the folded bias as one more term.
    depth = (l.in_channels / l.groups) * l.kernel.h * l.kernel.w + (l.bias ? 1 : 0);
  }

  // conv(x, w) (+ bias when `with_bias`), by the reference.
  Vec apply(const Vec& x, const Vec& w, const Vec* b, std::size_t out_elements) const {
    Vec y(out_elements);
    const double* bp = b && !b->empty() ? b->data() : nullptr;
    if (l.source_op == Op::Linear) {
      linearForward(l.batch, l.in_channels * l.kernel.h * l.kernel.w, l.out_channels, x.data(),
                    w.data(), bp, y.data());
    } else if (l.source_op == Op::ConvTranspose2d) {
      // Its own reference (a scatter, PyTorch's definition); an output
      // element sums at most (in_channels/groups)*kh*kw products, the depth.
      ref::convTranspose2dForward<double>(transposeParams(l), x.data(), w.data(), bp, y.data());
    } else {
      ref::conv2dForward<double>(convParams(l), x.data(), w.data(), bp, y.data());
    }
    return y;
  }

  std::size_t channelOf(std::size_t i) const {
    return (i / per_channel) % static_cast<std::size_t>(l.out_channels);
  }
};

}  // namespace

std::vector<std::int64_t> networkInputShape(const ModelSpec& model) {
  const std::optional<detail::NetworkModel> net = detail::networkModel(model);
  CONVGEN_CHECK(net.has_value(), "networkInputShape on a config without weights");
  return net->input_shape;
}

NetworkReference referenceNetwork(const ModelSpec& model, const std::vector<float>& input) {
  const std::optional<detail::NetworkModel> net = detail::networkModel(model);
  CONVGEN_CHECK(net.has_value(), "referenceNetwork on a config without weights");
  CONVGEN_CHECK(static_cast<std::int64_t>(input.size()) == elementCount(net->input_shape),
                "referenceNetwork's input of another size");
  const std::vector<NodeRef> order = modelOrder(model);
  const double u = kFloatRoundoff, ud = kDoubleRoundoff;
  NetworkReference result;
  result.input_shape = net->input_shape;
  result.input = input;
  const Vec network_input(input.begin(), input.end());
  const Vec zero_error(input.size(), 0.0);

  for (std::size_t i = 0; i < order.size(); ++i) {
    const NetworkNode& node = net->nodes[i];
    LayerReference layer;
    layer.name = node.name;
    layer.shape = node.output_shape;
    layer.input = node.input ? static_cast<int>(*node.input) : -1;
    layer.residual = node.residual ? static_cast<int>(*node.residual) : -1;
    const Vec& x = node.input ? result.layers[*node.input].output : network_input;
    // The errors of the input each check feeds: the reference rounded to
    // float32 (isolated), or the float32 network's (chained).
    const Vec e_iso = node.input ? roundingError(x) : zero_error;
    const Vec& e_chain = node.input ? result.layers[*node.input].bound_chained : zero_error;
    const std::size_t n = static_cast<std::size_t>(elementCount(node.output_shape));
    const Vec ax = absolute(x);

    if (order[i].kind == NodeRef::Kind::Pool) {
      const PoolSpec& s = model.pools[order[i].index];
      const ref::Pool2dParams p = poolParams(s);
      CONVGEN_CHECK(static_cast<std::size_t>(p.batch * p.channels * p.out_height * p.out_width) == n,
                    "a pool's output size");
      layer.output.resize(n);
      ref::pool2dForward<double>(p, x.data(), layer.output.data());
      auto bound = [&](const Vec& e) {
        Vec carried(n), magnitude(n), exact_mag(n);
        ref::pool2dForward<double>(p, e.data(), carried.data());
        if (p.op == ref::PoolOp::Max) return carried;  // no arithmetic: |max x~ - max x| <= max e
        // An average: a sum of k terms in float32 and at most two divisions
        // (tests/conformance/pool_conformance.h's k), on inputs |x| + e.
        const double k = p.op == ref::PoolOp::AdaptiveAvg
                             ? double(s.in_height / s.out_height + 2) * double(s.in_width / s.out_width + 2)
                             : double(s.kernel_h * s.kernel_w);
        const Vec mag_in = plus(ax, e);
        ref::pool2dForward<double>(p, mag_in.data(), magnitude.data());
        ref::pool2dForward<double>(p, ax.data(), exact_mag.data());
        for (std::size_t j = 0; j < n; ++j)
          carried[j] += gamma(k + 2, u) * magnitude[j] + gamma(k + 4, ud) * exact_mag[j];
        return carried;
      };
      layer.depth = p.op == ref::PoolOp::Max ? 0
                    : p.op == ref::PoolOp::Avg ? s.kernel_h * s.kernel_w
                                               : s.in_height * s.in_width;
      layer.bound_isolated = bound(e_iso);
      layer.bound_chained = bound(e_chain);
      result.layers.push_back(std::move(layer));
      continue;
    }

    ConvLayer c(model.layers[order[i].index]);
    c.per_channel = n / static_cast<std::size_t>(c.l.batch * c.l.out_channels);
    layer.depth = c.depth;
    const Vec aw = absolute(c.weight), ab = absolute(c.bias);
    // conv(x, w) + b, then BatchNorm2d in eval form as its documentation
    // writes it: (y - running_mean) / sqrt(running_var + eps) * weight + bias.
    Vec z = c.apply(x, c.weight, &c.bias, n);
    if (c.batch_norm)
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t o = c.channelOf(j);
        z[j] = (z[j] - c.mean[o]) / std::sqrt(c.bn_var[o] + c.eps) * c.bn_weight[o] + c.shift[o];
      }
    const Vec a = c.apply(ax, aw, nullptr, n);  // sum |x| |w|
    const Vec* r = c.l.epilogue.hasResidual() ? &result.layers[*node.residual].output : nullptr;
    const Vec e_r_iso = r ? roundingError(*r) : Vec();
    const Vec* e_r_chain = r ? &result.layers[*node.residual].bound_chained : nullptr;
    const ref::EpilogueParams epi = epilogueParams(c.l.epilogue);
    // Each store's value: activation(z + residual).
    layer.output.resize(n);
    for (std::size_t j = 0; j < n; ++j)
      layer.output[j] = ref::activate<double>(epi, r ? z[j] + (*r)[j] : z[j]);

    const double lipschitz =
        epi.activation == ref::Activation::LeakyRelu ? std::max(1.0, std::abs(epi.negative_slope))
        : epi.activation == ref::Activation::Hardswish ? 1.5
                                                       : 1.0;
    const double act_rounding = epi.activation == ref::Activation::Hardswish   ? 4 * u
                                : epi.activation == ref::Activation::LeakyRelu ? 2 * u
                                                                               : 0.0;
    auto bound = [&](const Vec& e, const Vec* e_r) {
      const Vec p = c.apply(e, aw, nullptr, n);  // sum |w| e: the inputs' error carried
      Vec out(n);
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t o = c.channelOf(j);
        const double s = std::abs(c.scale[o]);
        const double b = ab.empty() ? 0.0 : ab[o];
        // The generated sum of depth terms over inputs within e, weights
        // folded and rounded once: gamma_{K+1} of its magnitudes.
        const double mag = s * (a[j] + p[j] + b) + s * std::abs(c.mean[o]) + std::abs(c.shift[o]);
        const double mag0 = s * (a[j] + b + std::abs(c.mean[o])) + std::abs(c.shift[o]);
        double tol = gamma(double(c.depth + 1), u) * mag + s * p[j] +
                     gamma(double(c.depth + 8), ud) * mag0;
        double sum = z[j];
        if (r) {
          const double rj = (*r)[j];
          tol = (tol + (*e_r)[j]) * (1 + u) + (u + 2 * ud) * (std::abs(z[j]) + std::abs(rj));
          sum += rj;
        }
        const double y = layer.output[j];
        out[j] = lipschitz * tol + (act_rounding + 4 * ud) * (std::abs(sum) + std::abs(y) + 2 * tol);
      }
      return out;
    };
    layer.bound_isolated = bound(e_iso, r ? &e_r_iso : nullptr);
    layer.bound_chained = bound(e_chain, e_r_chain);
    result.layers.push_back(std::move(layer));
  }
  return result;
}

}  // namespace convgen
