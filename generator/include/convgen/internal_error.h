// Internal errors: a broken invariant is a convgen bug, not a user error.
// CONVGEN_CHECK stays on in Release builds (unlike assert) and stops with a
// message naming the check's place; user errors go through Diagnostics.
#pragma once

namespace convgen {

[[noreturn]] void internalError(const char* what, const char* file, int line);

}  // namespace convgen

#define CONVGEN_CHECK(condition, what) \
  ((condition) ? (void)0 : ::convgen::internalError((what), __FILE__, __LINE__))
