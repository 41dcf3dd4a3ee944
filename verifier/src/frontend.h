// One Clang parse of one file for a Session: Clang's errors become
// [compile] findings, a probe watches the includes for another target's
// intrinsics header, and the rules (rules/) run on the finished AST.
#pragma once

#include <string>
#include <vector>

#include "llvm/Support/VirtualFileSystem.h"
#include "session.h"

namespace convgen::verifier {

// Parses with `args` (argv, the file last) over `fs`. Clang may crash on
// hostile input: call this inside a CrashRecoveryContext.
void parseAndCheck(Session& session, const std::vector<std::string>& args,
                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> fs);

}  // namespace convgen::verifier
