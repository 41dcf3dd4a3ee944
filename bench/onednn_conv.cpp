#include "onednn_conv.h"

#include <dnnl.hpp>

#include <cstring>
#include <vector>

namespace convgen::bench {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct OnednnConv::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  ref::Conv2dParams p;
  bool copy_pad = false;  // non-zeros modes: pad into `padded` first
  std::vector<float> padded;
  memory user_src, user_dst, src, weights, bias, dst;
  dnnl::convolution_forward conv;
  dnnl::reorder src_reorder, dst_reorder;
  bool reorder_src = false, reorder_dst = false;
};

namespace {

// numpy-style padding index, as F.pad does for the non-zeros modes.
std::int64_t source(std::int64_t i, std::int64_t n, ref::PaddingMode m) {
  if (i >= 0 && i < n) return i;
  switch (m) {
    case ref::PaddingMode::Reflect: return i < 0 ? -i : 2 * (n - 1) - i;
    case ref::PaddingMode::Replicate: return i < 0 ? 0 : n - 1;
    case ref::PaddingMode::Circular: return i < 0 ? i + n : i - n;
    case ref::PaddingMode::Zeros: break;
  }
  return -1;
}

}  // namespace

OnednnConv::OnednnConv(const ref::Conv2dParams& p, const float* weight, const float* bias)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.p = p;
  m.copy_pad = p.padding_mode != ref::PaddingMode::Zeros;
  const memory::dim h = m.copy_pad ? p.in_height + p.pad_top + p.pad_bottom : p.in_height;
  const memory::dim w = m.copy_pad ? p.in_width + p.pad_left + p.pad_right : p.in_width;
  const memory::dims src_dims = {p.batch, p.in_channels, h, w};
  const memory::dims dst_dims = {p.batch, p.out_channels, ref::outputHeight(p), ref::outputWidth(p)};
  const memory::dims wei_dims =
      p.groups == 1 ? memory::dims{p.out_channels, p.in_channels, p.kernel_h, p.kernel_w}
                    : memory::dims{p.groups, p.out_channels / p.groups, p.in_channels / p.groups,
                                   p.kernel_h, p.kernel_w};
  const memory::dims pad_l = m.copy_pad ? memory::dims{0, 0} : memory::dims{p.pad_top, p.pad_left};
  const memory::dims pad_r =
      m.copy_pad ? memory::dims{0, 0} : memory::dims{p.pad_bottom, p.pad_right};
  if (m.copy_pad) m.padded.resize(p.batch * p.in_channels * h * w);

  const memory::desc src_any(src_dims, dt::f32, tag::any), dst_any(dst_dims, dt::f32, tag::any),
      wei_any(wei_dims, dt::f32, tag::any), bias_md({p.out_channels}, dt::f32, tag::x);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_any, wei_any,
      bias_md, dst_any, {p.stride_h, p.stride_w}, {p.dilation_h - 1, p.dilation_w - 1}, pad_l,
      pad_r);
  const dnnl::convolution_forward::primitive_desc pd(desc, m.engine);
  m.conv = dnnl::convolution_forward(pd);

  m.user_src = memory({src_dims, dt::f32, tag::nchw}, m.engine, nullptr);
  m.user_dst = memory({dst_dims, dt::f32, tag::nchw}, m.engine, nullptr);
  m.reorder_src = pd.src_desc() != m.user_src.get_desc();
  m.reorder_dst = pd.dst_desc() != m.user_dst.get_desc();
  m.src = m.reorder_src ? memory(pd.src_desc(), m.engine) : m.user_src;
  m.dst = m.reorder_dst ? memory(pd.dst_desc(), m.engine) : m.user_dst;
  if (m.reorder_src) m.src_reorder = dnnl::reorder(m.user_src, m.src);
  if (m.reorder_dst) m.dst_reorder = dnnl::reorder(m.dst, m.user_dst);

  // Weights and bias: reordered once, outside the timed call.
  memory user_wei({wei_dims, dt::f32, p.groups == 1 ? tag::oihw : tag::goihw}, m.engine,
                  const_cast<float*>(weight));
  m.weights = memory(pd.weights_desc(), m.engine);
  dnnl::reorder(user_wei, m.weights).execute(m.stream, user_wei, m.weights);
  m.bias = memory(bias_md, m.engine);
  const std::size_t bias_bytes = p.out_channels * sizeof(float);
  if (bias) std::memcpy(m.bias.get_data_handle(), bias, bias_bytes);
  else std::memset(m.bias.get_data_handle(), 0, bias_bytes);
  m.stream.wait();
}

OnednnConv::~OnednnConv() = default;

void OnednnConv::run(const float* input, float* output) {
  Impl& m = *impl_;
  const ref::Conv2dParams& p = m.p;
  if (m.copy_pad) {
    const std::int64_t h = p.in_height + p.pad_top + p.pad_bottom;
    const std::int64_t w = p.in_width + p.pad_left + p.pad_right;
    for (std::int64_t nc = 0; nc < p.batch * p.in_channels; ++nc)
      for (std::int64_t i = 0; i < h; ++i) {
        const float* row =
            input + (nc * p.in_height + source(i - p.pad_top, p.in_height, p.padding_mode)) *
                        p.in_width;
        float* out = m.padded.data() + (nc * h + i) * w;
        for (std::int64_t j = 0; j < w; ++j)
          out[j] = row[source(j - p.pad_left, p.in_width, p.padding_mode)];
      }
    input = m.padded.data();
  }
  m.user_src.set_data_handle(const_cast<float*>(input));
  m.user_dst.set_data_handle(output);
  if (m.reorder_src) m.src_reorder.execute(m.stream, m.user_src, m.src);
  m.conv.execute(m.stream, {{DNNL_ARG_SRC, m.src},
                            {DNNL_ARG_WEIGHTS, m.weights},
                            {DNNL_ARG_BIAS, m.bias},
                            {DNNL_ARG_DST, m.dst}});
  if (m.reorder_dst) m.dst_reorder.execute(m.stream, m.dst, m.user_dst);
  m.stream.wait();
}

}  // namespace convgen::bench
