// conformance_test.cpp for a config generated with `weights:`, in the same
// binary as the unbaked config's cases (conformance.cmake's BAKED_CONFIG):
// the target's CONVGEN_BAKED_* definitions name the baked header, namespace
// and X-macros in place of the unbaked ones.
#undef CONVGEN_HEADER
#undef CONVGEN_NAMESPACE
#undef CONVGEN_LAYERS
#undef CONVGEN_POOLS
#undef CONVGEN_BACKWARD_LAYERS
#define CONVGEN_HEADER CONVGEN_BAKED_HEADER
#define CONVGEN_NAMESPACE CONVGEN_BAKED_NAMESPACE
#define CONVGEN_LAYERS CONVGEN_BAKED_LAYERS
#define CONVGEN_POOLS CONVGEN_BAKED_POOLS
#if defined(CONVGEN_BAKED_BACKWARD_LAYERS)
#define CONVGEN_BACKWARD_LAYERS CONVGEN_BAKED_BACKWARD_LAYERS
#endif
#define CONVGEN_CONFORMANCE_BAKED 1
#include "conformance_test.cpp"
