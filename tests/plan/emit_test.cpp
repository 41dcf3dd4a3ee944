// The emitter, in memory: the exact text of a few tiny layers per strategy
// x ISA, against goldens in tests/plan/golden/. A change of generated code
// shows here as a diff to review. To accept one, run the test with
// CONVGEN_UPDATE_GOLDENS=1 and commit the goldens with the change.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "convgen/emit.h"
#include "tiny_layers.h"

using namespace convgen;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void checkGolden(const std::string& name, const std::string& text) {
  const std::string path = std::string(CONVGEN_EMIT_GOLDEN_DIR) + "/" + name;
  if (const char* update = std::getenv("CONVGEN_UPDATE_GOLDENS"); update && *update == '1') {
    std::ofstream(path, std::ios::binary) << text;
    WARN("updated " << path);
    return;
  }
  const std::string expected = readFile(path);
  INFO("golden " << path << " (CONVGEN_UPDATE_GOLDENS=1 to accept the new text)");
  REQUIRE_FALSE(expected.empty());
  CHECK(text == expected);
}

}  // namespace

TEST_CASE("tiny layers render exactly their goldens, for every strategy and ISA", "[emit]") {
  struct Tiny {
    const char* name;
    LayerSpec layer;
  };
  LayerSpec reflect = conv("reflect3", {1, 2, 3, 5}, 3, 3, 1, 1);
  reflect.padding_mode = PaddingMode::Reflect;
  LayerSpec strided = conv("strided", {1, 1, 9, 20}, 2, 3, 2, 1);
  strided.bias = false;
  // Narrow rows and a deep reduction: packed weights (ChannelVector) on the
  // vector ISAs, with a partial channel block.
  const LayerSpec narrow = conv("narrow", {1, 64, 4, 3}, 40, 3, 1, 1);
  // Fused epilogues (emit_epilogue.cpp): a residual and hardswish on the
  // vector strategy's full and partial stores and the border pixels; a
  // clamp whose min exceeds its max on the packed strategy's lanes.
  LayerSpec epilogue = conv("epilogue", {1, 2, 5, 11}, 3, 3, 1, 1);
  epilogue.epilogue.activation = Activation::Hardswish;
  epilogue.epilogue.residual = "earlier";
  LayerSpec packed_epilogue = narrow;
  packed_epilogue.name = "narrow_clamp";
  packed_epilogue.epilogue.activation = Activation::Clamp;
  packed_epilogue.epilogue.has_min = packed_epilogue.epilogue.has_max = true;
  packed_epilogue.epilogue.min = 0.5, packed_epilogue.epilogue.max = -0.25;
  // A reduction of 300 channels x 64 output channels on a row of 9 pixels,
  // two tiles or more: the packed strategy in blocks of input channels
  // (60 on AVX-512, 150 on AVX2 and NEON, whose blocks are 16 channels wide).
  const LayerSpec blocked = conv("blocked", {1, 300, 1, 9}, 64, 1, 1, 0);
  const Tiny tinies[] = {{"zeros", conv("zeros3", {1, 2, 5, 7}, 3, 3, 1, 1)},
                         {"packed_blocked", blocked},
                         {"packed", narrow},
                         {"reflect", reflect},
                         {"strided", strided},
                         {"epilogue", epilogue},
                         {"packed_epilogue", packed_epilogue}};
  for (const Tiny& t : tinies)
    for (const IsaInfo& isa : isaTable()) {
      ModelSpec model;
      model.config_name = std::string(t.name) + ".yaml";
      model.cpp_namespace = "golden";
      model.layers = {t.layer};
      model.layers[0].isa = isa.isa;
      GenerateOptions options;
      const GeneratedModel out = generateModel(model, options);
      REQUIRE(out.files.size() == 2);
      checkGolden(std::string(t.name) + "_" + std::string(isa.name) + ".cpp", out.files[1].content);
    }
}

// Shards hold contiguous runs of layers balanced by size, not by count: one
// large layer among small ones gets a shard of its own instead of dragging
// its neighbours into the slowest file (emit.cpp). Every layer lands in
// exactly one shard, in config order.
TEST_CASE("shards are contiguous runs of about equal size", "[emit]") {
  ModelSpec model;
  model.config_name = "sharded.yaml";
  model.cpp_namespace = "sharded";
  // Seven tiny layers, then a big one (a 7x7 reflect-padded window: its
  // border regions, each unrolled, are far more code).
  for (int i = 0; i < 7; ++i)
    model.layers.push_back(conv("tiny" + std::to_string(i), {1, 1, 3, 3}, 1, 1, 1, 0));
  model.layers.push_back(conv("big", {1, 8, 20, 20}, 8, 7, 1, 3));
  model.layers.back().padding_mode = PaddingMode::Reflect;
  for (LayerSpec& l : model.layers) l.isa = Isa::Scalar;
  GenerateOptions options;
  options.shards = 2;
  options.format = false;
  const GeneratedModel out = generateModel(model, options);
  REQUIRE(out.files.size() == 3);
  // The premise: "big" has more code than the seven others together.
  std::int64_t tiny_lines = 0;
  for (int i = 0; i < 7; ++i) tiny_lines += out.layer_lines[i];
  INFO("tiny layers " << tiny_lines << " lines, big " << out.layer_lines[7]);
  REQUIRE(out.layer_lines[7] > tiny_lines);
  const auto defines = [](const std::string& text, const std::string& layer) {
    return text.find("namespace sharded::" + layer + " {") != std::string::npos;
  };
  // By count the split would be 4 + 4 with "big" beside three tiny layers.
  for (int i = 0; i < 7; ++i) {
    INFO("tiny" << i);
    CHECK(defines(out.files[1].content, "tiny" + std::to_string(i)));
    CHECK_FALSE(defines(out.files[2].content, "tiny" + std::to_string(i)));
  }
  CHECK(defines(out.files[2].content, "big"));
  CHECK_FALSE(defines(out.files[1].content, "big"));
}

// backward: only (issue 13): a layer's gradients without its forward. Its
// gradient code is exactly what backward: true emits after the same layer's
// forward (so testing the one tests the other), on the frame constants the
// forward would have had; and nothing of a forward is emitted or declared:
// the layer X-macro, which promises a forward, leaves it out.
TEST_CASE("backward: only emits backward: true's gradients and no forward", "[emit][backward]") {
  LayerSpec reflect = conv("a", {2, 3, 6, 21}, 4, 3, 1, 1);
  reflect.padding_mode = PaddingMode::Reflect;
  LayerSpec strided = conv("a", {1, 2, 7, 9}, 3, 2, 2, 1);
  strided.bias = false;
  strided.dtype = DType::Float64;
  for (const LayerSpec& base : {reflect, strided})
    for (const IsaInfo& isa : isaTable()) {
      INFO(isa.name << ", bias " << base.bias);
      ModelSpec model;
      model.config_name = "only.yaml";
      model.cpp_namespace = "t";
      LayerSpec with = base, only = base;
      with.isa = only.isa = isa.isa;
      with.backward = only.backward = only.backward_only = true;
      only.name = "b";
      model.layers = {with, only};
      GenerateOptions options;
      options.format = false;
      const GeneratedModel out = generateModel(model, options);
      REQUIRE(out.files.size() == 2);
      const std::string& h = out.files[0].content;
      const std::string& cpp = out.files[1].content;
      auto between = [](const std::string& text, const std::string& from, const std::string& to) {
        const std::size_t begin = text.find(from);
        REQUIRE(begin != std::string::npos);
        const std::size_t end = text.find(to, begin + from.size());
        REQUIRE(end != std::string::npos);
        return text.substr(begin, end - begin);
      };
      // The header: b's declarations are its shapes, info and gradients.
      const std::string b_decl = between(h, "namespace b {", "}  // namespace b");
      CHECK(b_decl.find("void backward_input(const ") != std::string::npos);
      CHECK(b_decl.find("void backward_weight(const ") != std::string::npos);
      CHECK((b_decl.find("void backward_bias(const ") != std::string::npos) == base.bias);
      CHECK(b_decl.find("inline constexpr ::convgen::generated::LayerInfo info") != std::string::npos);
      for (const char* absent : {"void forward", "pack_weights", "packed_weight_size", "partition"})
        CHECK(b_decl.find(absent) == std::string::npos);
      CHECK(b_decl.find("/*kernel=*/\"\"") != std::string::npos);  // no forward kernel
      CHECK(h.find("#define CONVGEN_t_Sonly_LAYERS(X) X(a)\n") != std::string::npos);
      CHECK(h.find("#define CONVGEN_t_Sonly_BACKWARD_LAYERS(X) X(a) X(b)\n") != std::string::npos);
      CHECK(h.find("#define CONVGEN_t_Sonly_BACKWARD_ONLY_LAYERS(X) X(b)\n") != std::string::npos);
      CHECK(h.find("#define CONVGEN_ONLY_BACKWARD_ONLY_LAYERS(X) CONVGEN_t_Sonly_BACKWARD_ONLY_LAYERS(X)") !=
            std::string::npos);
      CHECK(h.find("void t_b_backward_input(") != std::string::npos);
      CHECK(h.find("t_b_forward") == std::string::npos);
      CHECK(h.find("t_b_pack") == std::string::npos);
      // The .cpp: b's block (the last) is gradients only, the same text as
      // a's gradients, names aside.
      const std::size_t b_begin = cpp.find("namespace t::b {");
      REQUIRE(b_begin != std::string::npos);
      const std::string b_code = cpp.substr(b_begin);
      for (const char* absent : {"forward_rows", "void forward", "pack_weights", "partRows", "t_b_forward"})
        CHECK(b_code.find(absent) == std::string::npos);
      std::string a_gradients = between(cpp, "// Gradients of a's forward()", "// ------");
      a_gradients = a_gradients.substr(a_gradients.find("// Backward (docs/design.md)"));
      std::string b_gradients = between(b_code, "// Backward (docs/design.md)", "static_assert(CONVGEN_");
      auto rename = [](std::string s) {
        for (const auto& [from, to] : {std::pair<std::string, std::string>{"t::a", "t::b"}, {"t_a_", "t_b_"}})
          for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
        return s;
      };
      while (!a_gradients.empty() && a_gradients.back() == '\n') a_gradients.pop_back();
      while (!b_gradients.empty() && b_gradients.back() == '\n') b_gradients.pop_back();
      CHECK(rename(a_gradients) == b_gradients);
      // b's own constants are lines of a's forward frame.
      const std::string b_frame = between(b_code, "using T = ", "// Backward (docs/design.md)");
      const std::string a_forward = between(cpp, "namespace t::a {", "// Gradients of a's forward()");
      std::istringstream lines(b_frame);
      int constants = 0;
      for (std::string line; std::getline(lines, line);) {
        line.erase(0, line.find_first_not_of(' '));  // unformatted: indentation differs
        if (line.empty()) continue;
        INFO(line);
        CHECK(a_forward.find(line) != std::string::npos);
        constants += line.rfind("constexpr std::int64_t k", 0) == 0;
      }
      CHECK(constants == 5);
    }
}
