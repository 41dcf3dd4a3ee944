// The fingerprint that ties the files of one generation together.
//
// A header and its .cpp files are replaced one rename at a time (see
// output.h), so a process killed between two renames, or a file copied by
// hand, can leave NAME.h of one run next to NAME_k.cpp of another. A caller
// that sizes buffers from the header would then run code with other shapes.
// The fingerprint makes such a mix fail to compile instead: the header
// defines `#define <macro> 0x...ULL` (inside its include guard) and every
// .cpp asserts, at namespace scope after its last line,
//   static_assert(<macro> == 0x...ULL, "NAME.h and NAME_k.cpp come from
//                 different convgen runs: regenerate both");
// The value is xxHash64 over every file's name and content before either
// line is added, so it changes whenever any generated file does, and equal
// configs still give byte-identical output. generateModel adds it before
// formatting (so libFormat lays the lines out like the rest): the value is
// then that of the unformatted text, the same with and without --no-format,
// whose outputs differ only in layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/emit.h"

namespace convgen {

// The fingerprint of `files` as they are now (names and contents, in order).
std::uint64_t computeFingerprint(const std::vector<GeneratedFile>& files);

// Adds the fingerprint lines described above. Preconditions: files[0] is the
// header, whose last preprocessor line is the include guard's `#endif`;
// every other file is a .cpp that includes it; `macro` is a C identifier.
void addFingerprint(std::vector<GeneratedFile>& files, const std::string& macro);

}  // namespace convgen
