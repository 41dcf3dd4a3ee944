// Tuning (tuning.h, tune.h) in memory: keys, candidates, applying a choice,
// the tuning file's round trip and every kind of bad input, located.
#include <catch2/catch.hpp>

#include "../plan/tiny_layers.h"
#include "convgen/diagnostics.h"
#include "convgen/tune.h"
#include "convgen/tuning.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace convgen;

namespace {

LayerSpec on(Isa isa, LayerSpec l) {
  l.isa = isa;
  return l;
}

// Layers of several kinds: 3x3 stride 1, stride 2 (split applies on
// AVX2/AVX-512), pointwise, depthwise, a row narrower than a vector.
std::vector<LayerSpec> layers(Isa isa) {
  LayerSpec depthwise = conv("dw", {1, 32, 28, 28}, 32, 3, 1, 1);
  depthwise.groups = 32;
  return {on(isa, conv("c3", {1, 16, 20, 20}, 16, 3, 1, 1)),
          on(isa, conv("s2", {1, 8, 66, 66}, 32, 3, 2, 1)),
          on(isa, conv("pw", {1, 64, 14, 14}, 32, 1, 1, 0)),
          on(isa, depthwise),
          on(isa, conv("narrow", {1, 64, 7, 7}, 64, 3, 1, 1))};
}

// The `file:line:col: error: ...` lines of reading `text` as a tuning file.
std::vector<std::string> readErrors(const std::string& text, std::optional<Tuning>* out = nullptr) {
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("tuning_test", "json", path));
  llvm::FileRemover remove(path);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    REQUIRE(!ec);
    os << text;
  }
  llvm::SourceMgr sm;
  Diagnostics diags(sm);
  std::string read_error;
  std::optional<Tuning> t = readTuning(std::string(path), diags, &read_error);
  REQUIRE(read_error.empty());
  CHECK(t.has_value() == !diags.hasErrors());
  std::vector<std::string> lines;
  for (const std::string& line : diags.lines())  // without the temporary's directory
    lines.push_back(line.substr(line.find(".json:") + 5));
  if (out) *out = std::move(t);
  return lines;
}

const char* kKey = "avx2 float32 n1 c16x20x20 o16 k3x3 s1x1 p1,1,1,1 d1x1 g1 zeros bias";

std::string entryFile(const std::string& entry) {
  return "{\"convgen_tuning\": 1,\n\"layers\": {\n\"" + std::string(kKey) + "\": " + entry +
         "\n}}\n";
}

}  // namespace

TEST_CASE("tuning keys name the shape, ISA and budget, not the layer") {
  const PlanOptions defaults;
  LayerSpec a = on(Isa::Avx2, conv("a", {1, 64, 56, 56}, 64, 3, 1, 1));
  CHECK(tuningKey(a, defaults) ==
        "avx2 float32 n1 c64x56x56 o64 k3x3 s1x1 p1,1,1,1 d1x1 g1 zeros bias");
  LayerSpec b = a;
  b.name = "other";
  CHECK(tuningKey(b, defaults) == tuningKey(a, defaults));
  b.isa = Isa::Avx512;
  b.bias = false;
  b.padding_mode = PaddingMode::Reflect;
  b.pad = {1, 2, 0, 3};
  b.dilation = {2, 1};
  CHECK(tuningKey(b, defaults) ==
        "avx512 float32 n1 c64x56x56 o64 k3x3 s1x1 p1,2,0,3 d2x1 g1 reflect nobias");
  PlanOptions budget;
  budget.unroll_budget = 4096;
  CHECK(tuningKey(a, budget) == tuningKey(a, defaults) + " u4096");
}

TEST_CASE("candidates: the cost model's plan first, then distinct choices that fit") {
  const PlanOptions options;
  for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon}) {
    bool split_seen = false, packed_seen = false;
    for (const LayerSpec& l : layers(isa)) {
      CAPTURE(toString(isa), l.name);
      const std::vector<PlanChoice> c = tuneCandidates(l, options, 8);
      REQUIRE(c.size() >= 2);
      CHECK(c.size() <= 8);
      CHECK(c[0] == planChoiceOf(planLayer(l, options)));
      for (std::size_t i = 0; i < c.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) CHECK_FALSE(c[i] == c[j]);
        std::string problem;
        const std::optional<KernelPlan> plan = planWithChoice(l, options, c[i], &problem);
        REQUIRE(plan.has_value());
        CHECK(planChoiceOf(*plan) == c[i]);  // applied as given
        split_seen |= c[i].forward.split;
        packed_seen |= c[i].packed.has_value();
      }
      CHECK(tuneCandidates(l, options, 1).size() == 1);
    }
    CHECK(split_seen == (isa != Isa::Neon));  // NEON's vld2q: never split
    CHECK(packed_seen);
  }
  LayerSpec f64 = on(Isa::Avx2, conv("d", {1, 4, 8, 8}, 4, 3, 1, 1));
  f64.dtype = DType::Float64;
  CHECK(tuneCandidates(f64, options, 8).empty());
  CHECK(tuneCandidates(on(Isa::Scalar, conv("s", {1, 4, 8, 8}, 4, 3, 1, 1)), options, 8).empty());
}

TEST_CASE("a choice that does not fit says why") {
  const PlanOptions options;
  const LayerSpec l = on(Isa::Avx2, conv("c3", {1, 16, 20, 20}, 16, 3, 1, 1));
  auto why = [&](PlanChoice c) {
    std::string problem;
    CHECK_FALSE(planWithChoice(l, options, c, &problem).has_value());
    return problem;
  };
  CHECK_THAT(why({{16, 1, 1, false}, {}}), Catch::Contains("oc_tile 16 is not in [1, 12]"));
  CHECK_THAT(why({{4, 1, 3, false}, {}}), Catch::Contains("12 accumulators exceed avx2's 12") ||
                                              Catch::Contains("vector registers"));
  CHECK_THAT(why({{4, 1, 1, true}, {}}), Catch::Contains("split applies to column stride 2"));
  CHECK_THAT(why({{4, 1, 1, false}, PackedTile{8, 2}}), Catch::Contains("vector registers"));
  LayerSpec f64 = l;
  f64.dtype = DType::Float64;
  std::string problem;
  CHECK_FALSE(planWithChoice(f64, options, {{1, 1, 1, false}, {}}, &problem));
  CHECK_THAT(problem, Catch::Contains("no plan choice"));
}

TEST_CASE("tuning files round-trip byte for byte") {
  Tuning t;
  t.machine = "znver3";
  t.layers[kKey].choice = {{4, 2, 1, false}, PackedTile{5, 2}};
  t.layers[kKey].measured_us = {{"forward oc4xr2v1", 12.5}, {"packed p5v2", 9.25}};
  t.layers["avx512 float32 n1 c8x34x34 o32 k3x3 s2x2 p1,1,1,1 d1x1 g1 zeros bias u4096"].choice = {
      {8, 1, 1, true}, std::nullopt};
  const std::string text = writeTuningJson(t);
  CHECK(text.back() == '\n');
  CHECK(text.find("\"convgen_tuning\": 1") < text.find("\"layers\""));
  CHECK(text.find("\"layers\"") < text.find("\"machine\""));
  CHECK(text.find("\"packed\": null") != std::string::npos);
  CHECK(text.find("12.500") != std::string::npos);
  std::optional<Tuning> back;
  CHECK(readErrors(text, &back).empty());
  REQUIRE(back);
  CHECK(back->machine == "znver3");
  REQUIRE(back->layers.size() == 2);
  for (const auto& [key, entry] : t.layers) {
    REQUIRE(back->layers.count(key));
    CHECK(back->layers.at(key).choice == entry.choice);
    CHECK(back->layers.at(key).measured_us == entry.measured_us);
  }
  CHECK(writeTuningJson(*back) == text);
  CHECK(back->fingerprint != 0);
}

TEST_CASE("bad tuning files: every problem located") {
  const std::string good_forward = "\"forward\": {\"oc_tile\": 4, \"row_tile\": 1, \"vec_tile\": 1, \"split\": false}";
  struct Case {
    std::string text;
    std::vector<std::string> errors;
  };
  const Case cases[] = {
      {"{\"convgen_tuning\": 1,\n  \"layers\": {]}\n",
       {":2:15: error: invalid JSON: Expected object key"}},
      {"", {":1:1: error: invalid JSON: Unexpected EOF"}},
      {"[1]\n", {":1:1: error: a tuning file is a JSON object (\"convgen_tuning\", \"layers\", ...)"}},
      {"{\"layers\": {}}\n", {":1:1: error: not a tuning file: no 'convgen_tuning' version"}},
      {"{\"convgen_tuning\": 2, \"layers\": {}}\n",
       {":1:2: error: 'convgen_tuning' must be 1 (this convgen's tuning format)"}},
      {"{\"convgen_tuning\": 1, \"layers\": {}, \"machine\": 3, \"extra\": 1}\n",
       {":1:37: error: 'machine' must be a string",
        ":1:51: error: unknown key 'extra' in the tuning file (expected 'convgen_tuning', "
        "'layers', 'machine')"}},
      {"{\"convgen_tuning\": 1, \"layers\": []}\n", {":1:23: error: 'layers' must be an object"}},
      {"{\"convgen_tuning\": 1, \"layers\": {},\n \"layers\": {}}\n",
       {":2:2: error: duplicate key 'layers'"}},
      {"{\"convgen_tuning\": 1, \"layers\": {\"avx2 float32 n1\": {}}}\n",
       {":1:34: error: 'avx2 float32 n1' is not a layer key (\"avx2 float32 n1 c64x56x56 o64 "
        "k3x3 s1x1 p1,1,1,1 d1x1 g1 zeros bias\"; README.md, Tuning)"}},
      {entryFile("3"), {":3:1: error: the entry of '" + std::string(kKey) + "' must be an object"}},
      {entryFile("{\"packed\": null}"), {":3:1: error: the entry has no 'forward'"}},
      {entryFile("{" + good_forward + "}"),
       {":3:1: error: the entry has no 'packed' (an object, or null for none)"}},
      {entryFile("{\"forward\": {\"oc_tile\": 0, \"row_tile\": 1.5, \"vec_tile\": 99, \"split\": 1},\n"
                 "\"packed\": null, \"bogus\": 1}"),
       {":3:85: error: 'oc_tile' must be an integer from 1 to 64",
        ":3:99: error: 'row_tile' must be an integer from 1 to 64",
        ":3:116: error: 'vec_tile' must be an integer from 1 to 64",
        ":3:132: error: 'split' must be true or false",
        ":4:17: error: unknown key 'bogus' in a layer entry (expected 'forward', 'measured_us', "
        "'packed')"}},
      {entryFile("{\"forward\": {\"oc_tile\": 4, \"row_tile\": 1, \"vec_tile\": 1}, \"packed\": "
                 "{\"pixels\": 5, \"vector\": 2}}"),
       {":3:73: error: 'forward' has no 'split'", ":3:130: error: 'packed' has no 'vectors'",
        ":3:154: error: unknown key 'vector' in 'packed' (expected 'pixels', 'vectors')"}},
      {entryFile("{" + good_forward + ", \"packed\": null, \"measured_us\": {\"a\": -1}}"),
       {":3:178: error: 'measured_us' values must be non-negative numbers of microseconds"}},
      {entryFile("{" + good_forward + ", \"packed\": null, \"forward\": {}}"),
       {":3:162: error: duplicate key 'forward'"}},
  };
  // Syntax errors are where llvm::json stopped: just past the character it
  // rejected (the ']' of case 1). Semantic errors at the key concerned.
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CHECK(readErrors(c.text) == c.errors);
  }
}

TEST_CASE("checkTuning reports a choice that does not fit at its entry") {
  const std::string text = entryFile(
      "{\"forward\": {\"oc_tile\": 12, \"row_tile\": 1, \"vec_tile\": 2, \"split\": false}, "
      "\"packed\": null}");
  std::optional<Tuning> t;
  REQUIRE(readErrors(text, &t).empty());
  ModelSpec model;
  model.config_name = "m.yaml";
  model.layers = {on(Isa::Avx2, conv("a", {1, 16, 20, 20}, 16, 3, 1, 1)),
                  on(Isa::Avx2, conv("b", {1, 16, 20, 20}, 16, 3, 1, 1))};
  llvm::SourceMgr sm;
  Diagnostics diags(sm);
  PlanOptions options;
  options.tuning = &*t;
  CHECK_FALSE(checkTuning(model, options, diags));
  CHECK(diags.errorCount() == 1);  // once per entry, not per layer
  // A choice that fits is applied to every layer of its shape.
  t->layers.begin()->second.choice = {{4, 2, 1, false}, PackedTile{3, 2}};
  Diagnostics fine(sm);
  CHECK(checkTuning(model, options, fine));
  for (const KernelPlan& p : planModel(model, options))
    CHECK(planChoiceOf(p) == t->layers.begin()->second.choice);
}

TEST_CASE("tune picks the fastest forward tile, and packed only when it beats it") {
  const std::vector<PlanChoice> c = {{{8, 1, 1, false}, PackedTile{5, 2}},
                                     {{4, 2, 1, false}, PackedTile{3, 2}},
                                     {{4, 2, 1, false}, std::nullopt}};
  std::string error;
  const auto times = parseTuneOutput(
      "CONVGEN_TUNE c0 forward 10.0\nCONVGEN_TUNE c0 packed 12.0\nCONVGEN_TUNE c1 forward 9.5\n"
      "CONVGEN_TUNE c1 packed 11.0\n",
      c, &error);
  REQUIRE(times);
  TuningEntry e = chooseEntry(c, *times);
  CHECK(e.choice.forward == c[1].forward);
  CHECK_FALSE(e.choice.packed);  // 11.0 does not beat 9.5
  CHECK(e.measured_us.size() == 4);
  auto faster = *times;
  faster[0].packed_us = 7.0;
  CHECK(chooseEntry(c, faster).choice.packed == c[0].packed);
  CHECK_FALSE(parseTuneOutput("CONVGEN_TUNE c0 forward 10.0\n", c, &error));
  CHECK_THAT(error, Catch::Contains("no time for candidate c0"));
  CHECK_FALSE(parseTuneOutput("CONVGEN_TUNE c9 forward 1\n", c, &error));
  CHECK_THAT(error, Catch::Contains("unexpected line"));
}
