#include "onednn_backward.h"

#include <dnnl.hpp>

#include <unordered_map>

namespace convgen::bench {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct OnednnBackward::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  bool bias = false;
  // backward data: diff_dst (user NCHW -> preferred), weights (once), diff_src (-> NCHW)
  dnnl::convolution_backward_data bwd_data;
  memory d_user_ddst, d_ddst, d_wei, d_dsrc, d_user_dsrc;
  dnnl::reorder d_ddst_reorder, d_dsrc_reorder;
  bool d_reorder_ddst = false, d_reorder_dsrc = false;
  // backward weights: src, diff_dst in; diff_weights out (-> oihw), diff_bias
  dnnl::convolution_backward_weights bwd_weights;
  memory w_user_src, w_src, w_user_ddst, w_ddst, w_dwei, w_user_dwei, w_dbias;
  dnnl::reorder w_src_reorder, w_ddst_reorder, w_dwei_reorder;
  bool w_reorder_src = false, w_reorder_ddst = false, w_reorder_dwei = false;
};

namespace {
// A user memory and, when the primitive prefers another layout, its own and
// the reorder between them (in: user -> primitive; out: primitive -> user).
void bind(const dnnl::engine& e, const memory::desc& user_md, const memory::desc& prim_md,
          bool in, memory& user, memory& prim, dnnl::reorder& r, bool& reorder) {
  user = memory(user_md, e, nullptr);
  reorder = prim_md != user_md;
  prim = reorder ? memory(prim_md, e) : user;
  if (reorder) r = in ? dnnl::reorder(user, prim) : dnnl::reorder(prim, user);
}
}  // namespace

OnednnBackward::OnednnBackward(const ref::Conv2dParams& p, const float* weight, bool bias)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.bias = bias;
  const memory::dims src_dims = {p.batch, p.in_channels, p.in_height, p.in_width};
  const memory::dims dst_dims = {p.batch, p.out_channels, ref::outputHeight(p), ref::outputWidth(p)};
  const memory::dims wei_dims =
      p.groups == 1 ? memory::dims{p.out_channels, p.in_channels, p.kernel_h, p.kernel_w}
                    : memory::dims{p.groups, p.out_channels / p.groups, p.in_channels / p.groups,
                                   p.kernel_h, p.kernel_w};
  const tag wei_tag = p.groups == 1 ? tag::oihw : tag::goihw;
  const memory::dims strides = {p.stride_h, p.stride_w};
  const memory::dims dil = {p.dilation_h - 1, p.dilation_w - 1};
  const memory::dims pad_l = {p.pad_top, p.pad_left}, pad_r = {p.pad_bottom, p.pad_right};
  const memory::desc src_any(src_dims, dt::f32, tag::any), dst_any(dst_dims, dt::f32, tag::any),
      wei_any(wei_dims, dt::f32, tag::any), bias_md({p.out_channels}, dt::f32, tag::x);
  const memory::desc src_nchw(src_dims, dt::f32, tag::nchw), dst_nchw(dst_dims, dt::f32, tag::nchw),
      wei_user(wei_dims, dt::f32, wei_tag);

  // The forward primitive descriptor both backward ones take as a hint.
  const dnnl::convolution_forward::desc fwd(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src_any, wei_any,
      bias ? bias_md : memory::desc(), dst_any, strides, dil, pad_l, pad_r);
  const dnnl::convolution_forward::primitive_desc fwd_pd(fwd, m.engine);

  const dnnl::convolution_backward_data::desc bd(dnnl::algorithm::convolution_direct, src_any,
                                                 wei_any, dst_any, strides, dil, pad_l, pad_r);
  const dnnl::convolution_backward_data::primitive_desc bd_pd(bd, m.engine, fwd_pd);
  m.bwd_data = dnnl::convolution_backward_data(bd_pd);
  bind(m.engine, dst_nchw, bd_pd.diff_dst_desc(), true, m.d_user_ddst, m.d_ddst, m.d_ddst_reorder,
       m.d_reorder_ddst);
  bind(m.engine, src_nchw, bd_pd.diff_src_desc(), false, m.d_user_dsrc, m.d_dsrc,
       m.d_dsrc_reorder, m.d_reorder_dsrc);
  memory user_wei(wei_user, m.engine, const_cast<float*>(weight));
  m.d_wei = memory(bd_pd.weights_desc(), m.engine);
  dnnl::reorder(user_wei, m.d_wei).execute(m.stream, user_wei, m.d_wei);

  const dnnl::convolution_backward_weights::desc bw(
      dnnl::algorithm::convolution_direct, src_any, wei_any, bias ? bias_md : memory::desc(),
      dst_any, strides, dil, pad_l, pad_r);
  const dnnl::convolution_backward_weights::primitive_desc bw_pd(bw, m.engine, fwd_pd);
  m.bwd_weights = dnnl::convolution_backward_weights(bw_pd);
  bind(m.engine, src_nchw, bw_pd.src_desc(), true, m.w_user_src, m.w_src, m.w_src_reorder,
       m.w_reorder_src);
  bind(m.engine, dst_nchw, bw_pd.diff_dst_desc(), true, m.w_user_ddst, m.w_ddst, m.w_ddst_reorder,
       m.w_reorder_ddst);
  bind(m.engine, wei_user, bw_pd.diff_weights_desc(), false, m.w_user_dwei, m.w_dwei,
       m.w_dwei_reorder, m.w_reorder_dwei);
  if (bias) m.w_dbias = memory(bias_md, m.engine, nullptr);
  m.stream.wait();
}

OnednnBackward::~OnednnBackward() = default;

void OnednnBackward::data(const float* grad_output, float* grad_input) {
  Impl& m = *impl_;
  m.d_user_ddst.set_data_handle(const_cast<float*>(grad_output));
  m.d_user_dsrc.set_data_handle(grad_input);
  if (m.d_reorder_ddst) m.d_ddst_reorder.execute(m.stream, m.d_user_ddst, m.d_ddst);
  m.bwd_data.execute(m.stream, {{DNNL_ARG_DIFF_DST, m.d_ddst},
                                {DNNL_ARG_WEIGHTS, m.d_wei},
                                {DNNL_ARG_DIFF_SRC, m.d_dsrc}});
  if (m.d_reorder_dsrc) m.d_dsrc_reorder.execute(m.stream, m.d_dsrc, m.d_user_dsrc);
  m.stream.wait();
}

void OnednnBackward::weights(const float* input, const float* grad_output, float* grad_weight,
                             float* grad_bias) {
  Impl& m = *impl_;
  m.w_user_src.set_data_handle(const_cast<float*>(input));
  m.w_user_ddst.set_data_handle(const_cast<float*>(grad_output));
  m.w_user_dwei.set_data_handle(grad_weight);
  if (m.w_reorder_src) m.w_src_reorder.execute(m.stream, m.w_user_src, m.w_src);
  if (m.w_reorder_ddst) m.w_ddst_reorder.execute(m.stream, m.w_user_ddst, m.w_ddst);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, m.w_src},
                                          {DNNL_ARG_DIFF_DST, m.w_ddst},
                                          {DNNL_ARG_DIFF_WEIGHTS, m.w_dwei}};
  if (m.bias) {
    m.w_dbias.set_data_handle(grad_bias);
    args[DNNL_ARG_DIFF_BIAS] = m.w_dbias;
  }
  m.bwd_weights.execute(m.stream, args);
  if (m.w_reorder_dwei) m.w_dwei_reorder.execute(m.stream, m.w_dwei, m.w_user_dwei);
  m.stream.wait();
}

}  // namespace convgen::bench
