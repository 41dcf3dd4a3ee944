# convgen_conformance(): one config's kernels, generated for one ISA, and a
# test binary (conformance_test.cpp: one Catch2 case per layer) comparing
# every layer with the reference. Used by the main test tree (native ISAs,
# tests/CMakeLists.txt) and by the conformance sub-project (this directory's
# CMakeLists.txt: cross-compiled or SIMDe builds, run by ctest
# --build-and-test), so both build a conformance binary the same way.
#
#   convgen_conformance(<name> CONFIG <yaml> NAMESPACE <ns> ISA <isa>
#                       LIBRARIES <reference and Catch2 main targets>...
#                       [SHARDS <n>] [OPTIONS <compile option>...]
#                       [DISCOVER | TEST_NAME <name>] [EXPECT_ISA] [NO_FORMAT] [BACKWARD]
#                       [TUNING <file.json>]
#                       [BAKED_CONFIG <yaml> BAKED_NAMESPACE <ns> [BAKED_SHARDS <n>]]
#                       [GRADIENTS_CONFIG <yaml> GRADIENTS_NAMESPACE <ns> [GRADIENTS_SHARDS <n>]])
#
# BAKED_CONFIG: a second config, with `weights:` (make_configs' matrix_baked),
# generated for the same ISA and checked in the same binary
# (baked_conformance_test.cpp): its layers get every case above and the
# baked forward's (baked_conformance.h). Its weights are one file.
#
# BACKWARD: the config has layers with backward: true; the binary also
# checks their gradients (the header's CONVGEN_<STEM>_BACKWARD_LAYERS).
#
# GRADIENTS_CONFIG: a config of `backward: only` layers (make_configs'
# matrix_gradients: the epilogue-free twins of the layers of CONFIG and
# BAKED_CONFIG without gradients), generated for the same ISA into
# GRADIENTS_SHARDS files (default 4) compiled at -O0 (the gradients of the
# matrix's twins cost 10-20 s of CPU per ISA there, twice that at -O1), and
# checked in the same binary (backward_only_conformance_test.cpp): each
# layer's gradients, and that every layer of CONFIG and BAKED_CONFIG has its
# gradients checked exactly once, each twin being its layer's conv.
#
# EXPECT_ISA: the binary also checks that some layer is <isa> code (by
# LayerInfo::isa), so that a SIMD run cannot pass on scalar code alone.
#
# DISCOVER registers one CTest test per layer (catch_discover_tests, prefix
# conformance/<name>/) for which exit code 77, a layer whose ISA this CPU
# lacks (conformance.h), is a skip. TEST_NAME registers one test running the
# whole binary (under CMAKE_CROSSCOMPILING_EMULATOR when cross-compiling), as
# the sub-project does: there the emulator or SIMDe runs every layer, so the
# skip was decided before building (convgen_test_require) and a 77 fails.
#
# TUNING generates CONFIG with a tuning file's plan choices (tests/tuning).
#
# NO_FORMAT generates without libFormat (the machine-made matrix and property
# configs: formatting was most of their generation time).
set(_convgen_conformance_dir ${CMAKE_CURRENT_LIST_DIR})

function(convgen_conformance name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "DISCOVER;EXPECT_ISA;NO_FORMAT;BACKWARD"
                        "CONFIG;NAMESPACE;ISA;SHARDS;TEST_NAME;BAKED_CONFIG;BAKED_NAMESPACE;BAKED_SHARDS;TUNING;GRADIENTS_CONFIG;GRADIENTS_NAMESPACE;GRADIENTS_SHARDS"
                        "LIBRARIES;OPTIONS")
  foreach(required IN ITEMS CONFIG NAMESPACE ISA LIBRARIES)
    if(NOT arg_${required})
      message(FATAL_ERROR "convgen_conformance(${name}): ${required} is required")
    endif()
  endforeach()
  if(NOT arg_SHARDS)
    set(arg_SHARDS 1)
  endif()
  set(format_option "")
  if(arg_NO_FORMAT)
    set(format_option NO_FORMAT)
  endif()
  set(tuning_option "")
  if(arg_TUNING)
    set(tuning_option TUNING ${arg_TUNING})
  endif()
  convgen_add_kernels(${name}_kernels CONFIG ${arg_CONFIG} SHARDS ${arg_SHARDS} ISA ${arg_ISA}
                      ${format_option} ${tuning_option})
  # Generated code must compile warning-free.
  target_compile_options(${name}_kernels PRIVATE -Wall -Wextra -Werror ${arg_OPTIONS})
  cmake_path(GET arg_CONFIG STEM LAST_ONLY stem)
  string(TOUPPER "${stem}" upper)
  string(MAKE_C_IDENTIFIER "${upper}" upper)
  add_executable(conformance_${name} ${_convgen_conformance_dir}/conformance_test.cpp)
  target_include_directories(conformance_${name} PRIVATE ${_convgen_conformance_dir})
  target_compile_definitions(conformance_${name} PRIVATE
    CONVGEN_HEADER="${stem}.h" CONVGEN_NAMESPACE=${arg_NAMESPACE}
    CONVGEN_LAYERS=CONVGEN_${upper}_LAYERS
    # Used only when the header has pooling layers (CONVGEN_GENERATED_POOL_INFO_V1).
    CONVGEN_POOLS=CONVGEN_${upper}_POOLS
    # Only for headers without LayerInfo::isa (see layerIsa() in conformance.h).
    CONVGEN_CONFORMANCE_ISA="${arg_ISA}")
  if(arg_BACKWARD)
    target_compile_definitions(conformance_${name} PRIVATE
      CONVGEN_BACKWARD_LAYERS=CONVGEN_${upper}_BACKWARD_LAYERS)
  endif()
  if(arg_EXPECT_ISA AND NOT arg_ISA MATCHES "^(scalar|native)$")
    target_compile_definitions(conformance_${name} PRIVATE
      CONVGEN_CONFORMANCE_EXPECT_ISA="${arg_ISA}")
  endif()
  target_compile_options(conformance_${name} PRIVATE ${arg_OPTIONS})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # One Catch2 case per layer puts hundreds of registrations in one static
    # initializer, where GCC's points-to analysis is superlinear: 80% of this
    # file's compile time for the 345-layer matrix (28 s -> 5.5 s without it).
    target_compile_options(conformance_${name} PRIVATE -fno-tree-pta)
  endif()
  target_link_libraries(conformance_${name} PRIVATE ${name}_kernels ${arg_LIBRARIES})
  if(arg_BAKED_CONFIG)
    if(NOT arg_BAKED_SHARDS)
      set(arg_BAKED_SHARDS 1)
    endif()
    # WEIGHTS_SHARDS: the main tree writes the config at build time.
    convgen_add_kernels(${name}_baked_kernels CONFIG ${arg_BAKED_CONFIG} SHARDS ${arg_BAKED_SHARDS}
                        ISA ${arg_ISA} WEIGHTS_SHARDS 1 ${format_option})
    target_compile_options(${name}_baked_kernels PRIVATE -Wall -Wextra -Werror ${arg_OPTIONS})
    cmake_path(GET arg_BAKED_CONFIG STEM LAST_ONLY baked_stem)
    string(TOUPPER "${baked_stem}" baked_upper)
    string(MAKE_C_IDENTIFIER "${baked_upper}" baked_upper)
    target_sources(conformance_${name} PRIVATE ${_convgen_conformance_dir}/baked_conformance_test.cpp)
    target_compile_definitions(conformance_${name} PRIVATE
      CONVGEN_BAKED_HEADER="${baked_stem}.h" CONVGEN_BAKED_NAMESPACE=${arg_BAKED_NAMESPACE}
      CONVGEN_BAKED_LAYERS=CONVGEN_${baked_upper}_LAYERS
      CONVGEN_BAKED_POOLS=CONVGEN_${baked_upper}_POOLS)
    if(arg_BACKWARD)
      target_compile_definitions(conformance_${name} PRIVATE
        CONVGEN_BAKED_BACKWARD_LAYERS=CONVGEN_${baked_upper}_BACKWARD_LAYERS)
    endif()
    target_link_libraries(conformance_${name} PRIVATE ${name}_baked_kernels)
  endif()
  if(arg_GRADIENTS_CONFIG)
    if(NOT arg_GRADIENTS_SHARDS)
      set(arg_GRADIENTS_SHARDS 4)
    endif()
    convgen_add_kernels(${name}_gradients_kernels CONFIG ${arg_GRADIENTS_CONFIG}
                        SHARDS ${arg_GRADIENTS_SHARDS} ISA ${arg_ISA} ${format_option})
    # -O0 last: it overrides the OPTIONS' level.
    target_compile_options(${name}_gradients_kernels PRIVATE -Wall -Wextra -Werror ${arg_OPTIONS} -O0)
    cmake_path(GET arg_GRADIENTS_CONFIG STEM LAST_ONLY gradients_stem)
    string(TOUPPER "${gradients_stem}" gradients_upper)
    string(MAKE_C_IDENTIFIER "${gradients_upper}" gradients_upper)
    target_sources(conformance_${name} PRIVATE
                   ${_convgen_conformance_dir}/backward_only_conformance_test.cpp)
    target_compile_definitions(conformance_${name} PRIVATE
      CONVGEN_GRADIENTS_HEADER="${gradients_stem}.h"
      CONVGEN_GRADIENTS_NAMESPACE=${arg_GRADIENTS_NAMESPACE}
      CONVGEN_GRADIENTS_LAYERS=CONVGEN_${gradients_upper}_BACKWARD_ONLY_LAYERS)
    target_link_libraries(conformance_${name} PRIVATE ${name}_gradients_kernels)
  endif()
  if(arg_DISCOVER)
    catch_discover_tests(conformance_${name} TEST_PREFIX "conformance/${name}/"
                         PROPERTIES SKIP_RETURN_CODE 77)
  elseif(arg_TEST_NAME)
    # Two tests, the partition cases apart, so that an emulated config's
    # slowest half runs next to the rest rather than after it.
    add_test(NAME ${arg_TEST_NAME} COMMAND conformance_${name} "~*/partitions")
    add_test(NAME ${arg_TEST_NAME}/partitions COMMAND conformance_${name} "*/partitions")
  endif()
endfunction()

# The namespace: line of a config (configs name their C++ namespace there).
function(convgen_config_namespace var yaml)
  file(STRINGS "${yaml}" ns_line REGEX "^namespace:")
  string(REGEX REPLACE "^namespace: *([A-Za-z0-9_:]+).*" "\\1" ns "${ns_line}")
  if(NOT ns MATCHES "^[A-Za-z0-9_:]+$")
    message(FATAL_ERROR "${yaml} has no namespace: line")
  endif()
  set(${var} "${ns}" PARENT_SCOPE)
endfunction()
