# The lists convgen's tests iterate over, kept in this one file: the main
# test tree (tests/CMakeLists.txt, tests/integration/) and the conformance
# sub-project (tests/conformance/CMakeLists.txt, built by ctest
# --build-and-test) both include it. The ISA names are convgen's own
# (`--isa`, generator/include/convgen/isa.h); what is listed here is only
# which of them each test covers.

# ISAs whose output for configs/seeds.yaml is checked in under generated/
# (generated/seeds for scalar, generated/seeds_<isa> for the others), checked
# byte for byte by generated/fresh and rewritten by refresh-generated.
set(CONVGEN_GOLDEN_ISAS scalar avx2 avx512 neon)

# The conformance suite: every config below, generated for every ISA below,
# each layer compared with the reference. "matrix" is make_configs' matrix
# (tests/conformance/make_configs.cpp; its float32 layers are generated as
# matrix_baked.yaml, with baked weights, and tested in the same binaries:
# conformance.cmake's BAKED_CONFIG); the others are configs/<name>.yaml,
# or tests/conformance/<name>.yaml: wide_padding (padding many vector tiles
# wide: per-pixel far columns, computed index maps) and packed (layers the
# planner packs, so forward_packed runs its own strategy).
set(CONVGEN_CONFORMANCE_ISAS scalar avx2 avx512 neon)
set(CONVGEN_CONFORMANCE_CONFIGS matrix seeds kws resnet18 mobilenetv2 wide_padding packed)

# The main tree builds and runs the conformance ISAs its compiler targets
# (scalar, and its architecture's row below, as IsaFamily in isa.h); the
# others, and those its CPU lacks, are built by the conformance sub-project:
# NEON cross-compiled and run under qemu, the x86 ISAs through SIMDe.
set(CONVGEN_CONFORMANCE_ISAS_x86 avx2 avx512)
set(CONVGEN_CONFORMANCE_ISAS_arm neon)
