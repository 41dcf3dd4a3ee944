#include "onednn_deconv.h"

#include <dnnl.hpp>

#include <cstring>

namespace convgen::bench {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct OnednnDeconv::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  memory user_src, user_dst, src, weights, bias, dst;
  dnnl::deconvolution_forward deconv;
  dnnl::reorder src_reorder, dst_reorder;
  bool reorder_src = false, reorder_dst = false;
};

OnednnDeconv::OnednnDeconv(const ref::ConvTranspose2dParams& p, const float* weight,
                           const float* bias)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  const memory::dims src_dims = {p.batch, p.in_channels, p.in_height, p.in_width};
  const memory::dims dst_dims = {p.batch, p.out_channels, ref::transposeOutputHeight(p),
                                 ref::transposeOutputWidth(p)};
  // oneDNN's deconvolution weights are (out, in, kh, kw) by dimension; PyTorch
  // stores (in, out/groups, kh, kw): the iohw / giohw tags.
  const memory::dims wei_dims =
      p.groups == 1 ? memory::dims{p.out_channels, p.in_channels, p.kernel_h, p.kernel_w}
                    : memory::dims{p.groups, p.out_channels / p.groups, p.in_channels / p.groups,
                                   p.kernel_h, p.kernel_w};
  // output_padding is extra padding on the right/bottom: pad_r = padding - output_padding.
  const memory::dims pad_l = {p.pad_h, p.pad_w};
  const memory::dims pad_r = {p.pad_h - p.output_padding_h, p.pad_w - p.output_padding_w};
  const memory::desc src_any(src_dims, dt::f32, tag::any), dst_any(dst_dims, dt::f32, tag::any),
      wei_any(wei_dims, dt::f32, tag::any), bias_md({p.out_channels}, dt::f32, tag::x);
  const dnnl::deconvolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, src_any, wei_any,
      bias_md, dst_any, {p.stride_h, p.stride_w}, {p.dilation_h - 1, p.dilation_w - 1}, pad_l,
      pad_r);
  const dnnl::deconvolution_forward::primitive_desc pd(desc, m.engine);
  m.deconv = dnnl::deconvolution_forward(pd);
  m.user_src = memory({src_dims, dt::f32, tag::nchw}, m.engine, nullptr);
  m.user_dst = memory({dst_dims, dt::f32, tag::nchw}, m.engine, nullptr);
  m.reorder_src = pd.src_desc() != m.user_src.get_desc();
  m.reorder_dst = pd.dst_desc() != m.user_dst.get_desc();
  m.src = m.reorder_src ? memory(pd.src_desc(), m.engine) : m.user_src;
  m.dst = m.reorder_dst ? memory(pd.dst_desc(), m.engine) : m.user_dst;
  if (m.reorder_src) m.src_reorder = dnnl::reorder(m.user_src, m.src);
  if (m.reorder_dst) m.dst_reorder = dnnl::reorder(m.dst, m.user_dst);
  memory user_wei({wei_dims, dt::f32, p.groups == 1 ? tag::iohw : tag::giohw}, m.engine,
                  const_cast<float*>(weight));
  m.weights = memory(pd.weights_desc(), m.engine);
  dnnl::reorder(user_wei, m.weights).execute(m.stream, user_wei, m.weights);
  m.bias = memory(bias_md, m.engine);
  const std::size_t bias_bytes = p.out_channels * sizeof(float);
  if (bias) std::memcpy(m.bias.get_data_handle(), bias, bias_bytes);
  else std::memset(m.bias.get_data_handle(), 0, bias_bytes);
  m.stream.wait();
}

OnednnDeconv::~OnednnDeconv() = default;

void OnednnDeconv::run(const float* input, float* output) {
  Impl& m = *impl_;
  m.user_src.set_data_handle(const_cast<float*>(input));
  m.user_dst.set_data_handle(output);
  if (m.reorder_src) m.src_reorder.execute(m.stream, m.user_src, m.src);
  m.deconv.execute(m.stream, {{DNNL_ARG_SRC, m.src},
                              {DNNL_ARG_WEIGHTS, m.weights},
                              {DNNL_ARG_BIAS, m.bias},
                              {DNNL_ARG_DST, m.dst}});
  if (m.reorder_dst) m.dst_reorder.execute(m.stream, m.dst, m.user_dst);
  m.stream.wait();
}

}  // namespace convgen::bench
