// Object code bytes per layer, by compiling generated files with a given
// compiler (e.g. arm-none-eabi-g++ for the flash a layer costs on a
// Cortex-M) and reading the defined code symbols with llvm-nm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/emit.h"
#include "convgen/spec.h"

namespace convgen {

struct ObjectSizeRequest {
  std::string compiler;            // a program name or path
  std::vector<std::string> flags;  // extra flags, e.g. -mcpu=cortex-m4
  std::string out_dir;             // where the generated files were written
};

struct ObjectSizes {
  std::vector<std::int64_t> layer_bytes;  // per layer, in config order
  std::string error;                      // non-empty: what failed (nothing measured)
  bool usage_error = false;               // the compiler named cannot be found
};

// Each generated .cpp compiled at -O2; its defined code symbols are
// attributed to layers by their namespace <ns>::<layer>:: or C entry point.
// Code the compiler merged across layers counts once.
ObjectSizes measureObjectSizes(const ModelSpec& model, const GeneratedModel& generated,
                               const ObjectSizeRequest& request);

}  // namespace convgen
