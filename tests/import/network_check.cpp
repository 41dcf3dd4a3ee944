// One imported network in one program (network_check.h does the check):
//
//   c++ -std=c++17 -O1 -I GEN -DCONVGEN_NET_HEADER='"NAME.h"'
//       -DCONVGEN_NET_NS=NAME network_check.cpp GEN/*.cpp
//   ./a.out NAME.input.bin NAME.expected.bin
//
// run_networks.py builds every imported network of an ISA into one program
// instead (the suite's import/networks_* tests).
#include <cstdio>

#include CONVGEN_NET_HEADER
#include "network_check.h"

#define CONVGEN_NET_STR2(x) #x
#define CONVGEN_NET_STR(x) CONVGEN_NET_STR2(x)

int main(int argc, char** argv) {
  namespace net = CONVGEN_NET_NS;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT.bin EXPECTED.bin\n", argv[0]);
    return 3;
  }
  using convgen_import_check::elements;
  const convgen_import_check::Network n{CONVGEN_NET_STR(CONVGEN_NET_NS), &net::forward,
                                        elements(net::input_shape), elements(net::output_shape),
                                        net::arena_bytes};
  return convgen_import_check::checkNetwork(n, argv[1], argv[2]);
}
