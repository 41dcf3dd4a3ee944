// A whole network, convgen against oneDNN layer by layer (issue 11): the
// DS-CNN of configs/dscnn.yaml, one thread, NCHW in and out.
//   convgen: dscnn::forward(input, output, arena) on its baked weights.
//   oneDNN:  each conv (BatchNorm folded by convgen's own front half, the
//            same weights) through OnednnConv (NCHW in and out, reorders
//            timed, weights reordered once), the ReLUs and the global
//            average pool as plain loops between them, the linear head as
//            the 1x1 conv it is.
// The two outputs are compared once before timing. One thread, like the
// suite: run with OMP_NUM_THREADS=1 (oneDNN's OpenMP runtime reads it).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "convgen/config.h"
#include "dscnn.h"
#include "llvm/Support/SourceMgr.h"
#include "onednn_conv.h"

namespace {

struct OnednnNetwork {
  struct Step {
    std::unique_ptr<convgen::bench::OnednnConv> conv;  // null: global average pool
    bool relu = false;
    std::size_t out_elements = 0, channels = 0, plane = 0;
  };
  std::vector<Step> steps;

  explicit OnednnNetwork(const char* config) {
    llvm::SourceMgr sm;
    convgen::Diagnostics diags(sm);
    const std::optional<convgen::ModelSpec> model = convgen::loadConfigFile(config, sm, diags);
    if (!model) std::abort();
    for (const convgen::NodeRef& node : convgen::modelOrder(*model)) {
      Step step;
      if (node.kind == convgen::NodeRef::Kind::Pool) {
        const convgen::PoolSpec& p = model->pools[node.index];
        step.channels = p.channels;
        step.plane = p.in_height * p.in_width;
        step.out_elements = p.channels;
      } else {
        const convgen::LayerSpec& l = model->layers[node.index];
        convgen::ref::Conv2dParams c;
        c.batch = l.batch;
        c.in_channels = l.in_channels;
        c.in_height = l.in_height;
        c.in_width = l.in_width;
        c.out_channels = l.out_channels;
        c.kernel_h = l.kernel.h;
        c.kernel_w = l.kernel.w;
        c.stride_h = l.stride.h;
        c.stride_w = l.stride.w;
        c.dilation_h = l.dilation.h;
        c.dilation_w = l.dilation.w;
        c.pad_top = l.pad.top;
        c.pad_bottom = l.pad.bottom;
        c.pad_left = l.pad.left;
        c.pad_right = l.pad.right;
        c.groups = l.groups;
        step.conv = std::make_unique<convgen::bench::OnednnConv>(
            c, l.baked->weight.data(), l.baked->bias.empty() ? nullptr : l.baked->bias.data());
        step.relu = l.epilogue.activation == convgen::Activation::Relu;
        step.out_elements = l.batch * l.out_channels * convgen::ref::outputHeight(c) *
                            convgen::ref::outputWidth(c);
      }
      steps.push_back(std::move(step));
    }
  }

  void run(const float* input, float* output, std::vector<std::vector<float>>& buffers) {
    const float* x = input;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      Step& s = steps[i];
      float* y = i + 1 == steps.size() ? output : buffers[i].data();
      if (s.conv) {
        s.conv->run(x, y);
        if (s.relu)
          for (std::size_t k = 0; k < s.out_elements; ++k) y[k] = y[k] < 0 ? 0.0f : y[k];
      } else {
        for (std::size_t c = 0; c < s.channels; ++c) {
          float sum = 0;
          for (std::size_t k = 0; k < s.plane; ++k) sum += x[c * s.plane + k];
          y[c] = sum / static_cast<float>(s.plane);
        }
      }
      x = y;
    }
  }
};

std::vector<float> input() {
  std::vector<float> x(1 * 1 * 49 * 10);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 2001) / 1000.0f - 1.0f;
  return x;
}

OnednnNetwork& onednn() {
  static OnednnNetwork net(CONVGEN_DSCNN_CONFIG);
  return net;
}

void BM_convgen_dscnn(benchmark::State& state) {
  const std::vector<float> x = input();
  std::vector<float> y(12);
  alignas(64) static unsigned char arena[dscnn::arena_bytes];
  for (auto _ : state) {
    dscnn::forward(x.data(), y.data(), arena);
    benchmark::DoNotOptimize(y.data());
  }
}

void BM_onednn_dscnn(benchmark::State& state) {
  const std::vector<float> x = input();
  std::vector<float> y(12);
  std::vector<std::vector<float>> buffers;
  for (const auto& s : onednn().steps) buffers.emplace_back(s.out_elements);
  for (auto _ : state) {
    onednn().run(x.data(), y.data(), buffers);
    benchmark::DoNotOptimize(y.data());
  }
}

BENCHMARK(BM_convgen_dscnn)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_onednn_dscnn)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  // Both compute the same network: check once before timing.
  const std::vector<float> x = input();
  std::vector<float> a(12), b(12);
  alignas(64) static unsigned char arena[dscnn::arena_bytes];
  dscnn::forward(x.data(), a.data(), arena);
  std::vector<std::vector<float>> buffers;
  for (const auto& s : onednn().steps) buffers.emplace_back(s.out_elements);
  onednn().run(x.data(), b.data(), buffers);
  double worst = 0;
  for (int i = 0; i < 12; ++i) worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
  std::printf("dscnn: max |convgen - oneDNN| = %.3g\n", worst);
  if (worst > 1e-4) return 1;
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
