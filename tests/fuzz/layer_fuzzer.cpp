// libFuzzer target, structure-aware: the fuzzer's bytes choose the arguments
// of one or two Conv2d layers (mostly small numbers and the words of the
// config language, sometimes values at the limits or ill-typed ones), which
// are written out as a config and loaded like any other (fuzz_checks.h).
// Byte-level fuzzing (config_fuzzer) explores the YAML reader; this target
// reaches the rules of validation with whole, well-formed layers, where an
// off-by-one in a rule is a small change of one number.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fuzzer/FuzzedDataProvider.h>

#include "fuzz_checks.h"

namespace {

class LayerWriter {
 public:
  explicit LayerWriter(FuzzedDataProvider& in) : in_(in) {}

  // An integer: mostly small, sometimes at a boundary of config.h's limits.
  std::string number() {
    static constexpr std::array<const char*, 12> kEdges = {
        "0",          "-1",         "2147483647", "2147483648", "46341",  "65536",
        "32768",      "4294967296", "9223372036854775807", "-9223372036854775808",
        "1e3",        "0x10"};
    switch (in_.ConsumeIntegralInRange<int>(0, 15)) {
      case 0:
        return kEdges[in_.ConsumeIntegralInRange<std::size_t>(0, kEdges.size() - 1)];
      case 1:
        return std::to_string(in_.ConsumeIntegral<std::int64_t>());
      case 2:
        return std::to_string(in_.ConsumeIntegralInRange<std::int64_t>(-3, 300));
      default:
        return std::to_string(in_.ConsumeIntegralInRange<std::int64_t>(1, 12));
    }
  }

  // An int, a list of `rank` ints (sometimes another length), or junk.
  std::string intOrList(int rank) {
    switch (in_.ConsumeIntegralInRange<int>(0, 9)) {
      case 0:
        return "[]";
      case 1:
        return word({"same", "valid", "true", "null", "x", "[1, [2]]", "{a: 1}", "1.5"});
      case 2:
      case 3:
      case 4:
        return number();
      default: {
        int n = rank;
        if (in_.ConsumeIntegralInRange<int>(0, 9) == 0) n = in_.ConsumeIntegralInRange<int>(1, 5);
        std::string list = "[";
        for (int i = 0; i < n; ++i) list += (i ? ", " : "") + number();
        return list + "]";
      }
    }
  }

  std::string word(std::initializer_list<const char*> words) {
    const std::size_t i = in_.ConsumeIntegralInRange<std::size_t>(0, words.size() - 1);
    return *(words.begin() + i);
  }

  // One layer's mapping; each key present or not, each value as above.
  std::string layer(int index) {
    std::string text = "  - name: " + word({"conv", "conv", "conv_b", "int", "_x", "2a"}) +
                       (in_.ConsumeBool() ? std::to_string(index) : "") + "\n";
    auto key = [&](const char* name, const std::string& value) {
      if (in_.ConsumeIntegralInRange<int>(0, 15) != 0)
        text += std::string("    ") + name + ": " + value + "\n";
    };
    const int rank = in_.ConsumeIntegralInRange<int>(0, 7) == 0 ? 3 : 4;
    key("input_shape", intOrList(rank));
    key("in_channels", number());
    key("out_channels", number());
    key("kernel_size", intOrList(2));
    if (in_.ConsumeBool()) key("stride", intOrList(2));
    if (in_.ConsumeBool()) key("padding", intOrList(2));
    if (in_.ConsumeBool()) key("dilation", intOrList(2));
    if (in_.ConsumeBool()) key("groups", number());
    if (in_.ConsumeBool()) key("bias", word({"true", "false", "1", "yes"}));
    if (in_.ConsumeBool())
      key("padding_mode", word({"zeros", "reflect", "replicate", "circular", "Zeros", "wrap"}));
    if (in_.ConsumeBool())
      key("dtype", word({"float32", "float64", "int32", "int64", "float16", "bfloat16", "int8",
                         "uint8", "complex64", "bool"}));
    if (in_.ConsumeIntegralInRange<int>(0, 3) == 0)
      key("isa", word({"scalar", "avx2", "avx512", "neon", "native", "sse"}));
    return text;
  }

  std::string config() {
    std::string text = "namespace: " + word({"net", "a::b", "std", "a::", "x y"}) + "\n";
    if (in_.ConsumeBool()) text += "isa: " + word({"scalar", "avx2", "avx512", "neon"}) + "\n";
    text += "layers:\n";
    const int layers = in_.ConsumeIntegralInRange<int>(1, 2);
    for (int i = 0; i < layers; ++i) text += layer(i);
    return text;
  }

 private:
  FuzzedDataProvider& in_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  convgen_fuzz::loadAndCheck(LayerWriter(in).config());
  return 0;
}
