// Writing the files of one generation into an output directory, as one
// transaction as far as POSIX allows:
//
//  1. an exclusive lock on DIR/.convgen.lock (flock; held until the end, so
//     concurrent `convgen generate` runs into one directory take turns; the
//     lock file stays, empty, since removing it would race with the next run);
//  2. under the lock, temporaries this code left behind when a run was
//     killed (STEM.h.tmp-XXXXXX, STEM.cpp.tmp-XXXXXX, STEM_<k>.cpp.tmp-XXXXXX,
//     XXXXXX six lowercase hex digits) are removed, for this stem only;
//  3. every file whose content differs from what is on disk is written to a
//     temporary in DIR and fsync'ed; unchanged files are not touched (so an
//     unchanged kernel is never recompiled). Any failure here (a full disk,
//     say) removes the temporaries and leaves every file as it was;
//  4. only then are the temporaries renamed into place, the .cpp files first
//     and the header (files[0]) last, and the directory fsync'ed.
//
// No POSIX call replaces several files at once: a process killed during
// step 4 (a few renames, microseconds) leaves some files new and some old.
// Such a mix cannot be used by mistake: the header's fingerprint (see
// fingerprint.h) no longer matches a .cpp's static_assert, so it fails to
// compile, and the next run of the config replaces the stale files.
//
// An output path (or the lock file) that exists but is not a regular file
// (a directory, FIFO, device) is an error; it is never opened for writing,
// and reading it never blocks.
//
// Test hook (tests/output only, not a feature): with the environment
// variable CONVGEN_TEST_KILL_AFTER_RENAMES=N (N >= 1), the process sends
// itself SIGKILL right after the N-th rename of step 4, so that the tests
// can reproduce a kill between two renames deterministically.
#pragma once

#include <string>
#include <vector>

#include "convgen/emit.h"

namespace convgen {

// Creates `dir` if needed and writes `files` (files[0] the header, the rest
// its .cpp files, all named from config stem `stem`) into it as described
// above. Returns "" on success, else "<path>: <reason>" for the first
// failure (the caller prints it as `convgen: error: <path>: <reason>`).
std::string writeFilesIfChanged(const std::string& dir, const std::string& stem,
                                const std::vector<GeneratedFile>& files);

}  // namespace convgen
