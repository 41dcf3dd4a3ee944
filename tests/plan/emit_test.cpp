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
