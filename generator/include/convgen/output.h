// Writing generated files: each is written to a temporary file in the same
// directory and renamed into place, and only when its content changed, so
// an unchanged kernel is never recompiled and a reader never sees half a file.
#pragma once

#include <string>
#include <vector>

#include "convgen/emit.h"

namespace convgen {

// Creates `dir` if needed and writes `files` into it. Returns "" on success,
// else a message saying what failed (files already replaced stay replaced;
// none is left half-written).
std::string writeFilesIfChanged(const std::string& dir, const std::vector<GeneratedFile>& files);

}  // namespace convgen
