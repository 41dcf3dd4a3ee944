// One Catch2 test case per generated layer, expanded from the generated
// header's X-macro: the layer list comes from the config, never by hand.
// Compiled with -DCONVGEN_HEADER="<name>.h" -DCONVGEN_NAMESPACE=<ns>
// -DCONVGEN_LAYERS=CONVGEN_<NAME>_LAYERS.
#include CONVGEN_HEADER

#include "conformance.h"

#define CONVGEN_CONFORMANCE_CASE(layer)                                  \
  TEST_CASE(#layer, "[conformance]") {                                   \
    using T = CONVGEN_NAMESPACE::layer::value_type;                      \
    convgen::testing::checkLayer<T>(CONVGEN_NAMESPACE::layer::info,      \
                                    &CONVGEN_NAMESPACE::layer::forward); \
  }

CONVGEN_LAYERS(CONVGEN_CONFORMANCE_CASE)
