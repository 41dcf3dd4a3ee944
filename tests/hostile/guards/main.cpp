// Every header of tests/hostile/guards in one translation unit: each must
// declare its layer (a shared include guard would drop one, and this would
// not compile).
#include "a-b/a-b.h"
#include "a_b/a_b.h"
#include "Net/Net.h"
#include "net/net.h"

// The X-macros' full names are distinct too.
#define NAME(layer) guards::layer::info.name,
const char* const all[] = {CONVGEN_guards_Sa_Db_LAYERS(NAME) CONVGEN_guards_Sa_Ub_LAYERS(NAME)
                               CONVGEN_guards_SNet_LAYERS(NAME) CONVGEN_guards_Snet_LAYERS(NAME)};

int main() {
  if (sizeof all / sizeof all[0] != 4) return 1;
  const char* names[] = {guards::l1::info.name, guards::l2::info.name, guards::l3::info.name,
                         guards::l4::info.name};
  return names[0][1] == '1' && names[3][1] == '4' ? 0 : 1;
}
