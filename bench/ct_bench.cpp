// conv_transpose2d benchmarks (docs/benchmarks.md "conv_transpose2d"): every
// layer of bench/ct_suite.yaml through convgen's generated forward() and
// oneDNN's deconvolution primitive (when built with it), one thread, NCHW in
// and out. Both outputs are compared with the reference before any timing.
//
//   ct_bench [--table] [benchmark flags]
//
// --table: interleaved repetitions, then one markdown table of medians.
#include "ct_suite.h"  // generated at build time from bench/ct_suite.yaml

#include "convgen/conv_transpose_reference.h"
#ifdef CONVGEN_HAVE_ONEDNN
#include "onednn_deconv.h"
#endif
#ifdef CONVGEN_HAVE_OPENMP
#include <omp.h>
#endif

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using convgen::generated::LayerInfo;
using Forward = void (*)(const float*, const float*, const float*, float*) noexcept;

struct Layer {
  const LayerInfo* info;
  std::array<std::int64_t, 2> output_padding;
  Forward forward;
};

std::vector<Layer> layers() {
  std::vector<Layer> out;
#define CONVGEN_LIST(layer) \
  out.push_back({&ctsuite::layer::info, ctsuite::layer::output_padding, &ctsuite::layer::forward});
  CONVGEN_CT_SUITE_CONV_TRANSPOSE_LAYERS(CONVGEN_LIST)
#undef CONVGEN_LIST
  return out;
}

convgen::ref::ConvTranspose2dParams params(const Layer& l) {
  const LayerInfo& i = *l.info;
  convgen::ref::ConvTranspose2dParams p;
  p.batch = i.batch;
  p.in_channels = i.in_channels;
  p.in_height = i.in_height;
  p.in_width = i.in_width;
  p.out_channels = i.out_channels;
  p.kernel_h = i.kernel_h;
  p.kernel_w = i.kernel_w;
  p.stride_h = i.stride_h;
  p.stride_w = i.stride_w;
  p.dilation_h = i.dilation_h;
  p.dilation_w = i.dilation_w;
  p.pad_h = i.pad_top;
  p.pad_w = i.pad_left;
  p.output_padding_h = l.output_padding[0];
  p.output_padding_w = l.output_padding[1];
  p.groups = i.groups;
  return p;
}

struct Tensors {
  std::vector<float> x, w, b, y;
  explicit Tensors(const Layer& l) {
    const LayerInfo& i = *l.info;
    const convgen::ref::ConvTranspose2dParams p = params(l);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    auto fill = [&](std::vector<float>& v, std::int64_t n) {
      v.resize(static_cast<std::size_t>(n));
      for (float& e : v) e = dist(rng);
    };
    fill(x, i.batch * i.in_channels * i.in_height * i.in_width);
    fill(w, i.in_channels * (i.out_channels / i.groups) * i.kernel_h * i.kernel_w);
    fill(b, i.out_channels);
    y.assign(static_cast<std::size_t>(i.batch * i.out_channels * convgen::ref::transposeOutputHeight(p) *
                                      convgen::ref::transposeOutputWidth(p)),
             0.0f);
  }
};

// max |got - want| within 1e-4 of the output's largest magnitude (+ 1e-5).
bool agrees(const char* who, const Layer& l, const std::vector<float>& got,
            const std::vector<float>& want) {
  double diff = 0, mag = 0;
  for (std::size_t k = 0; k < got.size(); ++k) {
    diff = std::max(diff, double(std::abs(got[k] - want[k])));
    mag = std::max(mag, double(std::abs(want[k])));
  }
  if (diff <= 1e-4 * mag + 1e-5) return true;
  std::fprintf(stderr, "%s disagrees with the reference on %s: max |diff| %g\n", who, l.info->name, diff);
  return false;
}

bool check(const Layer& l) {
  Tensors t(l);
  std::vector<float> want(t.y.size());
  convgen::ref::convTranspose2dForward(params(l), t.x.data(), t.w.data(), t.b.data(), want.data());
  l.forward(t.x.data(), t.w.data(), t.b.data(), t.y.data());
  if (!agrees("convgen", l, t.y, want)) return false;
#ifdef CONVGEN_HAVE_ONEDNN
  convgen::bench::OnednnDeconv d(params(l), t.w.data(), t.b.data());
  std::fill(t.y.begin(), t.y.end(), 0.0f);
  d.run(t.x.data(), t.y.data());
  if (!agrees("oneDNN", l, t.y, want)) return false;
#endif
  return true;
}

void convgenBench(benchmark::State& state, const Layer& l) {
  Tensors t(l);
  for (auto _ : state) {
    l.forward(t.x.data(), t.w.data(), t.b.data(), t.y.data());
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
}

#ifdef CONVGEN_HAVE_ONEDNN
void onednnBench(benchmark::State& state, const Layer& l) {
  Tensors t(l);
  convgen::bench::OnednnDeconv d(params(l), t.w.data(), t.b.data());
  for (auto _ : state) {
    d.run(t.x.data(), t.y.data());
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
}
#endif

class MedianCollector : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, std::map<std::string, double>> median_us;  // layer -> impl -> µs
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.aggregate_name != "median") continue;
      const std::string name = run.run_name.function_name;
      const std::size_t slash = name.find('/');
      const double seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      median_us[name.substr(slash + 1)][name.substr(0, slash)] = seconds * 1e6;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

void printTable(const MedianCollector& c) {
  std::printf("\n| id | shape | convgen µs | GFLOP/s | oneDNN deconv µs | vs oneDNN |\n");
  std::printf("|---|---|---:|---:|---:|---:|\n");
  for (const Layer& l : layers()) {
    const LayerInfo& i = *l.info;
    const auto it = c.median_us.find(i.name);
    if (it == c.median_us.end()) continue;
    auto get = [&](const char* impl) {
      const auto f = it->second.find(impl);
      return f == it->second.end() ? -1.0 : f->second;
    };
    const double ours = get("convgen"), dnnl = get("onednn");
    char shape[200], dn[32] = "-", ratio[32] = "-";
    std::snprintf(shape, sizeof shape, "%lldx%lldx%lldx%lld → %lldx%lldx%lld, k%lldx%lld s%lldx%lld g%lld op%lldx%lld",
                  (long long)i.batch, (long long)i.in_channels, (long long)i.in_height,
                  (long long)i.in_width, (long long)i.out_channels, (long long)i.out_height,
                  (long long)i.out_width, (long long)i.kernel_h, (long long)i.kernel_w,
                  (long long)i.stride_h, (long long)i.stride_w, (long long)i.groups,
                  (long long)l.output_padding[0], (long long)l.output_padding[1]);
    if (dnnl > 0) {
      std::snprintf(dn, sizeof dn, "%.1f", dnnl);
      std::snprintf(ratio, sizeof ratio, "%.2fx", dnnl / ours);
    }
    std::printf("| %.3s | %s | %.1f | %.1f | %s | %s |\n", i.name, shape, ours,
                2.0 * double(i.macs) / (ours * 1e3), dn, ratio);
  }
  std::printf("\nMedians of interleaved repetitions in one run, 1 thread, %s code; \"vs oneDNN\": how "
              "many times faster convgen's forward() is than oneDNN's deconvolution (NCHW reorders "
              "included). GFLOP/s: 2 x the layer's multiply-adds.\n",
              layers().front().info->isa);
}

}  // namespace

int main(int argc, char** argv) {
  bool table = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--table") == 0) table = true;
    else args.push_back(argv[i]);
  }
  std::string reps = "--benchmark_repetitions=5";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  std::string aggregates = "--benchmark_report_aggregates_only=true";
  if (table) args.insert(args.begin() + 1, {reps.data(), interleave.data(), aggregates.data()});
#ifdef CONVGEN_HAVE_OPENMP
  omp_set_num_threads(1);  // oneDNN's runtime: one thread, as convgen's forward()
#endif
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
  for (const Layer& l : layers())
    if (!check(l)) return 1;
  for (const Layer& l : layers()) {
    const Layer* p = new Layer(l);  // lives as long as the benchmarks
    benchmark::RegisterBenchmark((std::string("convgen/") + l.info->name).c_str(),
                                 [p](benchmark::State& s) { convgenBench(s, *p); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
#ifdef CONVGEN_HAVE_ONEDNN
    benchmark::RegisterBenchmark((std::string("onednn/") + l.info->name).c_str(),
                                 [p](benchmark::State& s) { onednnBench(s, *p); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
#endif
  }
  MedianCollector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  if (table) printTable(collector);
  benchmark::Shutdown();
  return 0;
}
