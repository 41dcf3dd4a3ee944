// Writes the large hostile inputs of hostile.cmake (CMake's own string
// building takes minutes for them):
//   hostile_input calls N FILE   f0 loops, f<i> calls f<i-1>, and
//                                unrolled_entry calls f<N-1>: a call chain
//                                N deep from an unrolled_ function to a loop
//   hostile_input sum N FILE     one function returning x + x + ... (N terms)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: hostile_input calls|sum N FILE\n");
    return 2;
  }
  const long n = std::strtol(argv[2], nullptr, 10);
  std::ofstream out(argv[3]);
  if (n < 1 || !out) {
    std::fprintf(stderr, "hostile_input: bad N or cannot write %s\n", argv[3]);
    return 2;
  }
  if (std::strcmp(argv[1], "calls") == 0) {
    out << "void f0(int* x) noexcept { for (int i = 0; i < 4; ++i) x[i] = 0; }\n";
    for (long i = 1; i < n; ++i)
      out << "void f" << i << "(int* x) noexcept { f" << i - 1 << "(x); }\n";
    out << "void unrolled_entry(int* x) noexcept { f" << n - 1 << "(x); }\n";
  } else if (std::strcmp(argv[1], "sum") == 0) {
    out << "int f(int x) noexcept { return x";
    for (long i = 1; i < n; ++i) out << " + x";
    out << "; }\n";
  } else {
    std::fprintf(stderr, "hostile_input: unknown kind '%s'\n", argv[1]);
    return 2;
  }
  return out.good() ? 0 : 1;
}
