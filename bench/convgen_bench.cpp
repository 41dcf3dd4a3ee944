// The benchmark suite (docs/benchmarks.md): every layer of bench/suite.yaml
// through convgen's generated kernel, oneDNN (when built with it) and the
// generic reference, registered from the generated header's X-macro.
//
//   convgen_bench [--table] [--threads N] [benchmark flags]
//
// --table runs every benchmark as interleaved repetitions and prints one
// markdown table of medians and ratios, all from the same run. --threads N
// runs convgen's forward_partition() on N OpenMP threads (part = thread)
// and oneDNN on N threads.
#include "suite.h"  // generated at build time from bench/suite.yaml

#include "convgen/reference.h"
#include "peak.h"
#ifdef CONVGEN_HAVE_ONEDNN
#include "onednn_backward.h"
#include "onednn_conv.h"
#endif
#ifdef CONVGEN_HAVE_OPENMP
#include <omp.h>
#endif

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using convgen::generated::LayerInfo;

// One core's fp32 FMA peak for the suite's ISA, measured at start-up
// (CONVGEN_PEAK_GFLOPS overrides it; docs/benchmarks.md lists machines seen).
double peak_gflops = 0;
double peakGflops() { return peak_gflops; }

// The ISA the suite was generated for: LayerInfo's typed field.
std::string suiteIsa() { return suite::s01_seed_tiny::info.isa; }

convgen::ref::Conv2dParams params(const LayerInfo& info) { return convgen::ref::paramsOf(info); }

struct Tensors {
  std::vector<float> x, w, b, y;
  explicit Tensors(const LayerInfo& info) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    auto fill = [&](std::vector<float>& v, std::size_t n) {
      v.resize(n);
      for (float& e : v) e = dist(rng);
    };
    fill(x, info.batch * info.in_channels * info.in_height * info.in_width);
    fill(w, info.out_channels * (info.in_channels / info.groups) * info.kernel_h * info.kernel_w);
    fill(b, info.out_channels);
    y.assign(info.batch * info.out_channels * info.out_height * info.out_width, 0.f);
  }
  const float* bias(const LayerInfo& info) const { return info.bias ? b.data() : nullptr; }
};

void setCounters(benchmark::State& state, const LayerInfo& info) {
  const double flops = 2.0 * double(info.macs);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  if (peakGflops() > 0)
    state.counters["peak%"] = benchmark::Counter(flops / (peakGflops() * 1e9) * 100,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

int threads = 1;  // --threads

template <typename Forward, typename Partition>
void convgenBench(benchmark::State& state, const LayerInfo& info, Forward forward,
                  Partition partition) {
  Tensors t(info);
  for (auto _ : state) {
    if (threads == 1) {
      forward(t.x.data(), t.w.data(), t.bias(info), t.y.data());
    } else {
#ifdef CONVGEN_HAVE_OPENMP
#pragma omp parallel num_threads(threads)
      partition(t.x.data(), t.w.data(), t.bias(info), t.y.data(), omp_get_thread_num(), threads);
#endif
    }
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
  (void)partition;
  setCounters(state, info);
}

// forward_packed() on weights packed once before timing, as a caller would.
template <typename Pack, typename ForwardPacked, typename Partition>
void convgenPackedBench(benchmark::State& state, const LayerInfo& info, std::size_t size,
                        Pack pack, ForwardPacked forward_packed, Partition partition) {
  Tensors t(info);
  // 64-byte aligned, as the generated code's weight vectors are loaded.
  std::vector<float> storage(size + 16);
  float* packed = storage.data();
  while (reinterpret_cast<std::uintptr_t>(packed) % 64 != 0) ++packed;
  pack(t.w.data(), t.bias(info), packed);
  for (auto _ : state) {
    if (threads == 1) {
      forward_packed(t.x.data(), packed, t.y.data());
    } else {
#ifdef CONVGEN_HAVE_OPENMP
#pragma omp parallel num_threads(threads)
      partition(t.x.data(), packed, t.y.data(), omp_get_thread_num(), threads);
#endif
    }
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}

void referenceBench(benchmark::State& state, const LayerInfo& info) {
  Tensors t(info);
  const convgen::ref::Conv2dParams p = params(info);
  for (auto _ : state) {
    convgen::ref::conv2dForward<float>(p, t.x.data(), t.w.data(), t.bias(info), t.y.data());
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}

#ifdef CONVGEN_HAVE_ONEDNN

// Before timing anything: oneDNN, convgen and the reference must agree, or
// the comparison would be between different computations.
bool onednnAgrees(const LayerInfo& info) {
  Tensors t(info);
  std::vector<float> ours(t.y.size()), theirs(t.y.size()), expected(t.y.size());
  convgen::bench::OnednnConv conv(params(info), t.w.data(), t.bias(info));
  conv.run(t.x.data(), theirs.data());
  convgen::ref::conv2dForward<float>(params(info), t.x.data(), t.w.data(), t.bias(info),
                                     expected.data());
  double worst = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    worst = std::max(worst, double(std::abs(theirs[i] - expected[i])));
  const double depth = double(info.in_channels / info.groups * info.kernel_h * info.kernel_w);
  if (worst > 1e-5 * depth) {
    std::fprintf(stderr, "oneDNN disagrees with the reference on %s: max |diff| %g\n", info.name,
                 worst);
    return false;
  }
  return true;
}

void onednnBench(benchmark::State& state, const LayerInfo& info) {
  Tensors t(info);
  convgen::bench::OnednnConv conv(params(info), t.w.data(), t.bias(info));
  for (auto _ : state) {
    conv.run(t.x.data(), t.y.data());
    benchmark::DoNotOptimize(t.y.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}
#endif

std::vector<const LayerInfo*> layers();

// --- Backward (issue 13): the layers of CONVGEN_SUITE_BACKWARD_LAYERS ------
// Each gradient costs the forward's multiply-adds (macs), so GFLOP/s count
// 2 * macs per call. backward_weight is timed with backward_bias, as
// oneDNN's backward-weights primitive computes both.
struct BackwardTensors : Tensors {
  std::vector<float> gy, gx, gw, gb;
  explicit BackwardTensors(const LayerInfo& info) : Tensors(info) {
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> dist(-1, 1);
    gy.resize(y.size());
    for (float& e : gy) e = dist(rng);
    gx.assign(x.size(), 0.f);
    gw.assign(w.size(), 0.f);
    gb.assign(b.size(), 0.f);
  }
};

template <typename Input>
void backwardInputBench(benchmark::State& state, const LayerInfo& info, Input input) {
  BackwardTensors t(info);
  for (auto _ : state) {
    input(t.gy.data(), t.w.data(), t.gx.data());
    benchmark::DoNotOptimize(t.gx.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}

template <typename Weight, typename Bias>
void backwardWeightBench(benchmark::State& state, const LayerInfo& info, Weight weight, Bias bias) {
  BackwardTensors t(info);
  for (auto _ : state) {
    weight(t.x.data(), t.gy.data(), t.gw.data());
    bias(t.gy.data(), t.gb.data());
    benchmark::DoNotOptimize(t.gw.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}

#ifdef CONVGEN_HAVE_ONEDNN
bool onednnBackwardAgrees(const LayerInfo& info) {
  BackwardTensors t(info);
  const convgen::ref::Conv2dParams p = params(info);
  std::vector<float> gx(t.gx.size()), gw(t.gw.size()), gb(t.gb.size());
  convgen::ref::conv2dBackward<float>(p, t.x.data(), t.w.data(), t.gy.data(), gx.data(),
                                      gw.data(), gb.data());
  convgen::bench::OnednnBackward bwd(p, t.w.data(), info.bias);
  bwd.data(t.gy.data(), t.gx.data());
  bwd.weights(t.x.data(), t.gy.data(), t.gw.data(), t.gb.data());
  auto worst = [](const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::abs(a[i] - b[i])));
    return m;
  };
  const double depth_x = double(info.out_channels / info.groups * info.kernel_h * info.kernel_w);
  const double depth_w = double(info.batch * info.out_height * info.out_width);
  if (worst(t.gx, gx) > 1e-5 * depth_x || worst(t.gw, gw) > 1e-5 * depth_w ||
      (info.bias && worst(t.gb, gb) > 1e-5 * depth_w)) {
    std::fprintf(stderr, "oneDNN's backward disagrees with the reference on %s\n", info.name);
    return false;
  }
  return true;
}

void onednnBackwardDataBench(benchmark::State& state, const LayerInfo& info) {
  BackwardTensors t(info);
  convgen::bench::OnednnBackward bwd(params(info), t.w.data(), info.bias);
  for (auto _ : state) {
    bwd.data(t.gy.data(), t.gx.data());
    benchmark::DoNotOptimize(t.gx.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}

void onednnBackwardWeightsBench(benchmark::State& state, const LayerInfo& info) {
  BackwardTensors t(info);
  convgen::bench::OnednnBackward bwd(params(info), t.w.data(), info.bias);
  for (auto _ : state) {
    bwd.weights(t.x.data(), t.gy.data(), t.gw.data(), t.gb.data());
    benchmark::DoNotOptimize(t.gw.data());
    benchmark::ClobberMemory();
  }
  setCounters(state, info);
}
#endif

// oneDNN's backward runs zeros padding only (onednn_backward.h).
bool onednnRunsBackward(const LayerInfo& info) {
  return std::strcmp(info.padding_mode, "zeros") == 0;
}

void registerBackward() {
#define CONVGEN_REGISTER_BACKWARD(layer)                                                     \
  benchmark::RegisterBenchmark("bwd_input/" #layer, [](benchmark::State& s) {                \
    backwardInputBench(s, suite::layer::info, &suite::layer::backward_input);                \
  })->UseRealTime()->Unit(benchmark::kMicrosecond);                                          \
  benchmark::RegisterBenchmark("bwd_weight/" #layer, [](benchmark::State& s) {               \
    backwardWeightBench(s, suite::layer::info, &suite::layer::backward_weight,               \
                        &suite::layer::backward_bias);                                       \
  })->UseRealTime()->Unit(benchmark::kMicrosecond);
#ifdef CONVGEN_SUITE_BACKWARD_LAYERS
  CONVGEN_SUITE_BACKWARD_LAYERS(CONVGEN_REGISTER_BACKWARD)
#endif
#undef CONVGEN_REGISTER_BACKWARD
#ifdef CONVGEN_HAVE_ONEDNN
  for (const LayerInfo* info : layers()) {
    if (!onednnRunsBackward(*info)) continue;
    benchmark::RegisterBenchmark((std::string("dnnl_bwd_data/") + info->name).c_str(),
                                 [info](benchmark::State& s) { onednnBackwardDataBench(s, *info); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(
        (std::string("dnnl_bwd_weights/") + info->name).c_str(),
        [info](benchmark::State& s) { onednnBackwardWeightsBench(s, *info); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
#endif
}

std::vector<const LayerInfo*> layers() {
  std::vector<const LayerInfo*> out;
#define CONVGEN_LIST_LAYER(layer) out.push_back(&suite::layer::info);
  CONVGEN_SUITE_LAYERS(CONVGEN_LIST_LAYER)
#undef CONVGEN_LIST_LAYER
  return out;
}

void registerAll(bool with_reference) {
#define CONVGEN_REGISTER_LAYER(layer)                                                        \
  benchmark::RegisterBenchmark("convgen/" #layer, [](benchmark::State& s) {                  \
    convgenBench(s, suite::layer::info, &suite::layer::forward,                              \
                 &suite::layer::forward_partition);                                          \
  })->UseRealTime()->Unit(benchmark::kMicrosecond);                                          \
  if (std::strcmp(suite::layer::info.packed_kernel, suite::layer::info.kernel) != 0)         \
    benchmark::RegisterBenchmark("packed/" #layer, [](benchmark::State& s) {                 \
      convgenPackedBench(s, suite::layer::info, suite::layer::packed_weight_size,            \
                         &suite::layer::pack_weights, &suite::layer::forward_packed,          \
                         &suite::layer::forward_packed_partition);                            \
    })->UseRealTime()->Unit(benchmark::kMicrosecond);
  CONVGEN_SUITE_LAYERS(CONVGEN_REGISTER_LAYER)
#undef CONVGEN_REGISTER_LAYER
  for (const LayerInfo* info : layers()) {
#ifdef CONVGEN_HAVE_ONEDNN
    benchmark::RegisterBenchmark((std::string("onednn/") + info->name).c_str(),
                                 [info](benchmark::State& s) { onednnBench(s, *info); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
#endif
    if (with_reference)
      benchmark::RegisterBenchmark((std::string("reference/") + info->name).c_str(),
                                   [info](benchmark::State& s) { referenceBench(s, *info); })
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->Iterations(1);  // seconds per call on the large layers
  }
}

// Collects the median of every benchmark for the table.
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

std::string shape(const LayerInfo& i) {
  char s[160];
  std::snprintf(s, sizeof s, "%lldx%lldx%lldx%lld → %lld, k%lldx%lld s%lldx%lld d%lldx%lld g%lld%s",
                (long long)i.batch, (long long)i.in_channels, (long long)i.in_height,
                (long long)i.in_width, (long long)i.out_channels, (long long)i.kernel_h,
                (long long)i.kernel_w, (long long)i.stride_h, (long long)i.stride_w,
                (long long)i.dilation_h, (long long)i.dilation_w, (long long)i.groups,
                std::strcmp(i.padding_mode, "zeros") ? (std::string(" ") + i.padding_mode).c_str() : "");
  return s;
}

// The CPU, as the table's caption: /proc/cpuinfo's model name on Linux.
std::string cpuModel() {
  std::FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return "unknown CPU";
  char line[512];
  std::string model = "unknown CPU";
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "model name", 10) != 0) continue;
    const char* colon = std::strchr(line, ':');
    if (colon) {
      model = colon + 1;
      while (!model.empty() && (model.front() == ' ' || model.front() == '\t')) model.erase(0, 1);
      while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
    }
    break;
  }
  std::fclose(f);
  return model;
}

// The backward table: grad_input against oneDNN's backward-data, grad_weight
// (+ grad_bias) against its backward-weights; rows only for layers measured.
void printBackwardTable(const MedianCollector& c) {
  bool any = false;
  for (const auto& [layer, impls] : c.median_us) any = any || impls.count("bwd_input");
  if (!any) return;
  std::printf("\n| id | shape | grad_input µs | GFLOP/s | oneDNN bwd-data µs | vs oneDNN | "
              "grad_weight+bias µs | GFLOP/s | oneDNN bwd-weights µs | vs oneDNN |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const LayerInfo* info : layers()) {
    auto it = c.median_us.find(info->name);
    if (it == c.median_us.end() || !it->second.count("bwd_input")) continue;
    auto get = [&](const char* impl) {
      auto f = it->second.find(impl);
      return f == it->second.end() ? -1.0 : f->second;
    };
    auto cell = [](double v) {
      char s[32];
      if (v < 0) return std::string("-");
      std::snprintf(s, sizeof s, v < 10 ? "%.2f" : v < 1000 ? "%.1f" : "%.0f", v);
      return std::string(s);
    };
    auto ratio = [](double other, double mine) {
      char s[32];
      if (other < 0 || mine <= 0) return std::string("-");
      std::snprintf(s, sizeof s, "%.2fx", other / mine);
      return std::string(s);
    };
    const double gi = get("bwd_input"), gw = get("bwd_weight");
    if (gi < 0 && gw < 0) continue;  // filtered out: no row
    std::printf("| %.3s | %s | %s | %.1f | %s | %s | %s | %.1f | %s | %s |\n", info->name,
                shape(*info).c_str(), cell(gi).c_str(), 2.0 * double(info->macs) / (gi * 1e3),
                cell(get("dnnl_bwd_data")).c_str(), ratio(get("dnnl_bwd_data"), gi).c_str(),
                cell(gw).c_str(), 2.0 * double(info->macs) / (gw * 1e3),
                cell(get("dnnl_bwd_weights")).c_str(), ratio(get("dnnl_bwd_weights"), gw).c_str());
  }
  std::printf("\nBackward: one thread's entry points (backward_input; backward_weight then "
              "backward_bias) against oneDNN's primitives with NCHW reorders timed; \"-\": "
              "oneDNN's backward runs zeros padding only here.\n");
}

void printTable(const MedianCollector& c) {
  const char* capped = std::getenv("ONEDNN_MAX_CPU_ISA");
  std::printf("\nCPU: %s; convgen --isa %s; oneDNN %s\n", cpuModel().c_str(), suiteIsa().c_str(),
              capped ? (std::string("capped: ONEDNN_MAX_CPU_ISA=") + capped).c_str()
                     : "at its own best ISA");
  std::printf("\n| id | shape | forward µs | packed µs | GFLOP/s | %% peak | oneDNN µs | vs oneDNN | reference µs | vs reference | kernel |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (const LayerInfo* info : layers()) {
    auto it = c.median_us.find(info->name);
    if (it == c.median_us.end()) continue;
    auto get = [&](const char* impl) {
      auto f = it->second.find(impl);
      return f == it->second.end() ? -1.0 : f->second;
    };
    // The faster entry point is what a user of the layer gets.
    const double fwd = get("convgen"), packed = get("packed"), dnnl = get("onednn"),
                 ref = get("reference");
    if (fwd < 0 && packed < 0) continue;  // filtered out (--benchmark_filter): no row
    const bool use_packed = packed > 0 && packed < fwd;
    const double ours = use_packed ? packed : fwd;
    const double gflops = 2.0 * double(info->macs) / (ours * 1e3);
    auto cell = [](double v) {
      char s[32];
      if (v < 0) return std::string("-");
      std::snprintf(s, sizeof s, v < 10 ? "%.2f" : v < 1000 ? "%.1f" : "%.0f", v);
      return std::string(s);
    };
    auto ratio = [](double other, double mine) {
      char s[32];
      if (other < 0 || mine <= 0) return std::string("-");
      std::snprintf(s, sizeof s, "%.2fx", other / mine);
      return std::string(s);
    };
    std::printf("| %.3s | %s | %s | %s | %.1f | %.0f%% | %s | %s | %s | %s | `%s` |\n", info->name,
                shape(*info).c_str(), cell(fwd).c_str(), cell(packed).c_str(), gflops,
                peakGflops() > 0 ? gflops / peakGflops() * 100 : 0.0,
                cell(dnnl).c_str(), ratio(dnnl, ours).c_str(), cell(ref).c_str(),
                ratio(ref, ours).c_str(), use_packed ? info->packed_kernel : info->kernel);
  }
  std::printf("\nMedians of interleaved repetitions in one run, %d thread(s); \"vs\" columns: how many "
              "times faster convgen's faster entry point (forward, or forward_packed on weights packed "
              "once) is. %% peak: of %.0f GFLOP/s, this core's %s FMA peak measured "
              "in this run.\n", threads, peakGflops(), suiteIsa().c_str());
  printBackwardTable(c);
}

}  // namespace

int main(int argc, char** argv) {
  bool table = false, with_reference = true;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--table") == 0) table = true;
    else if (std::strcmp(argv[i], "--no-reference") == 0) with_reference = false;
    else args.push_back(argv[i]);
  }
  std::string reps = "--benchmark_repetitions=5";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  std::string aggregates = "--benchmark_report_aggregates_only=true";
  if (table) {  // defaults first, so flags given on the command line win
    args.insert(args.begin() + 1, {reps.data(), interleave.data(), aggregates.data()});
  }
  if (threads < 1 || threads > 256) {
    std::fprintf(stderr, "convgen_bench: --threads takes 1 to 256\n");
    return 2;
  }
#ifdef CONVGEN_HAVE_OPENMP
  // Debian's oneDNN runs on OpenMP, whose runtime reads OMP_NUM_THREADS when
  // it loads, before main: the same thread count as convgen, through the API.
  omp_set_num_threads(threads);
#else
  if (threads > 1) {
    std::fprintf(stderr, "convgen_bench: --threads needs OpenMP at build time\n");
    return 2;
  }
#endif
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 2;
#ifdef CONVGEN_HAVE_ONEDNN
  for (const LayerInfo* info : layers())
    if (!onednnAgrees(*info) || (onednnRunsBackward(*info) && !onednnBackwardAgrees(*info)))
      return 1;
#endif
  if (const char* s = std::getenv("CONVGEN_PEAK_GFLOPS")) peak_gflops = std::atof(s);
  else peak_gflops = convgen::bench::measurePeakGflops(suiteIsa());
  std::printf("%s FMA peak of this core: %.1f GFLOP/s\n", suiteIsa().c_str(), peak_gflops);
  registerAll(with_reference);
  registerBackward();
  MedianCollector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  if (table) printTable(collector);
  benchmark::Shutdown();
  return 0;
}
