// `convgen golden CONFIG --input INPUT --out-dir DIR`: the "which layer is
// wrong" check. At generation time the reference network
// (reference_network.h) runs the config on INPUT; the result is two files
// for DIR, next to the generated network:
//
//   NAME_golden.bin  the input and every layer's reference output with its
//                    bounds (format below)
//   NAME_golden.cpp  a main() that, compiled with the generated network
//                    (NAME.h and its .cpp files), runs the layers one by one
//                    on the data and prints, per layer, the max error against
//                    the bound; exit status 1 when some layer diverges, 2 for
//                    a data file that is missing, malformed or of another
//                    network (README.md, "Which layer is wrong").
//
// NAME_golden.bin, all little-endian:
//   "CVGOLD01"                          8 bytes
//   u64 input_count, f32 input[input_count]
//   u64 layer_count, then per layer:
//     u64 name_bytes, name, u64 elements, i64 depth,
//     f64 output[elements], f64 bound_isolated[elements], f64 bound_chained[elements]
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "convgen/emit.h"
#include "convgen/reference_network.h"
#include "convgen/spec.h"

namespace llvm::cl {
class OptionCategory;
class SubCommand;
}

namespace convgen {

inline constexpr char kGoldenMagic[] = "CVGOLD01";  // 8 bytes, no terminator in the file

// The network input in a raw little-endian float32 file (`.bin`): exactly
// `shape`'s element count of finite values. nullopt after appending a
// message naming the file to *error (wrong size, unreadable, non-finite).
std::optional<std::vector<float>> readRawInput(const std::string& path,
                                               const std::vector<std::int64_t>& shape,
                                               std::string* error);

// The same checks on values already read (an ONNX TensorProto's, say):
// count and finiteness; "" when fine.
std::string checkInputValues(const std::string& what, const std::vector<float>& values,
                             const std::vector<std::int64_t>& shape);

// NAME_golden.cpp and NAME_golden.bin for a validated network config.
std::vector<GeneratedFile> goldenFiles(const ModelSpec& model, const NetworkReference& reference);

// The `golden` subcommand (tools/convgen_golden.cpp); --out-dir is shared.
llvm::cl::SubCommand& goldenSubCommand();
llvm::cl::OptionCategory& goldenOptionCategory();  // its options, for --help
int runGoldenCommand(const std::string& out_dir);
// Reads the network input at `path` for a network whose input is `shape`.
using InputReader = std::function<std::optional<std::vector<float>>(
    const std::string& path, const std::vector<std::int64_t>& shape, std::string* error)>;
// Loads the config at `config_path`, reads `input_path` with `read`, runs
// the reference network and writes the golden files into `out_dir`;
// prints every problem; returns the exit status (README's table: 1 a
// config or input convgen rejects, 3 I/O). `import --golden` calls it on
// the config it has just written, with a reader that also takes ONNX's .pb.
int writeGolden(const std::string& config_path, const std::string& out_dir,
                const std::string& input_path, const InputReader& read);

}  // namespace convgen
