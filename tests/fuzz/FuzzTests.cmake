# ctest tests for tests/fuzz, included from tests/CMakeLists.txt. The fuzz
# targets need Clang, so they are a separate project (tests/fuzz), configured
# and built by the test fuzz/build with clang++-14 (ctest --build-and-test),
# whatever compiler the main build uses. Then:
#   fuzz/config_regressions, fuzz/layer_regressions
#                      every input in tests/fuzz/regressions/<target>/ (each
#                      a failure a fuzzer once found), and the seeds, run
#                      once each
#   fuzz/config_60s    60 s of config_fuzzer (bytes as config text) from the
#                      seeds (tests/fuzz/seeds/, configs/, tests/errors/)
#   fuzz/layer_60s     60 s of layer_fuzzer (bytes choosing layer arguments)
# A failure leaves the input in <build>/tests/fuzz-artifacts/<target>/.
# Needs clang-14 and libclang-rt-14-dev (scripts/install-deps.sh). Without
# clang++-14 the tests are not added (a STATUS message says so).
# CONVGEN_FUZZ_SECONDS changes the run's length (docs/fuzzing.md).
find_program(CONVGEN_FUZZ_CXX NAMES clang++-14 DOC "Clang 14 C++ compiler for tests/fuzz")
find_program(CONVGEN_FUZZ_CC NAMES clang-14 DOC "Clang 14 C compiler for tests/fuzz")
set(CONVGEN_FUZZ_SECONDS 60 CACHE STRING "How long fuzz/config_60s fuzzes")
set(CONVGEN_FUZZ_SAFETENSORS_SECONDS 20 CACHE STRING "How long fuzz/safetensors_20s fuzzes")
if(NOT CONVGEN_FUZZ_CXX OR NOT CONVGEN_FUZZ_CC)
  message(STATUS "convgen: clang++-14 not found, no fuzz tests (Debian package clang-14)")
  return()
endif()

set(fuzz_source ${PROJECT_SOURCE_DIR}/tests/fuzz)
set(fuzz_build ${PROJECT_BINARY_DIR}/tests/fuzz-build)
set(fuzz_options -DCMAKE_CXX_COMPILER=${CONVGEN_FUZZ_CXX} -DCMAKE_C_COMPILER=${CONVGEN_FUZZ_CC}
                 -DLLVM_DIR=${LLVM_DIR})
if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(APPEND fuzz_options -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
add_test(NAME fuzz/build
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${fuzz_source} ${fuzz_build}
          --build-generator ${CMAKE_GENERATOR} --build-makeprogram ${CMAKE_MAKE_PROGRAM}
          --build-noclean
          --build-options ${fuzz_options})
set_tests_properties(fuzz/build PROPERTIES FIXTURES_SETUP convgen_fuzz LABELS fuzz
  TIMEOUT 1200 PROCESSORS 2)

# fuzz/<target>_regressions: the target's regression inputs and seeds, once.
# fuzz/<target>_60s: CONVGEN_FUZZ_SECONDS of fuzzing.
math(EXPR fuzz_timeout "${CONVGEN_FUZZ_SECONDS} + 120")
foreach(target IN ITEMS config layer)
  # The seeds are config text; to layer_fuzzer they are just bytes to decode,
  # as good a start as any. The dictionary is config words.
  # '|'-separated: a ';' list would not survive add_test's argument lists.
  set(seeds "${fuzz_source}/seeds|${PROJECT_SOURCE_DIR}/configs|${PROJECT_SOURCE_DIR}/tests/errors")
  set(dict "")
  if(target STREQUAL "config")
    set(dict -DDICT=${fuzz_source}/config.dict)
  endif()
  set(run_args
    -DFUZZER=${fuzz_build}/${target}_fuzzer ${dict} -DSEEDS=${seeds}
    -DREGRESSIONS=${fuzz_source}/regressions/${target}
    -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/fuzz-work/${target}
    -DARTIFACTS=${PROJECT_BINARY_DIR}/tests/fuzz-artifacts/${target}/)
  add_test(NAME fuzz/${target}_regressions
    COMMAND ${CMAKE_COMMAND} ${run_args} -DMODE=replay -P ${fuzz_source}/run_fuzzer.cmake)
  set_tests_properties(fuzz/${target}_regressions PROPERTIES FIXTURES_REQUIRED convgen_fuzz
    LABELS fuzz)
  add_test(NAME fuzz/${target}_60s
    COMMAND ${CMAKE_COMMAND} ${run_args} -DMODE=fuzz -DSECONDS=${CONVGEN_FUZZ_SECONDS}
            -P ${fuzz_source}/run_fuzzer.cmake)
  set_tests_properties(fuzz/${target}_60s PROPERTIES FIXTURES_REQUIRED convgen_fuzz LABELS fuzz
    TIMEOUT ${fuzz_timeout})
endforeach()

# The safetensors reader: text seeds (safetensors_fuzzer.cpp says how the
# fuzzer reads them), 20 s (a smaller input space than a config's).
set(st_args
  -DFUZZER=${fuzz_build}/safetensors_fuzzer -DDICT=${fuzz_source}/safetensors.dict
  -DSEEDS=${fuzz_source}/seeds_safetensors
  -DREGRESSIONS=${fuzz_source}/regressions/safetensors
  -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/fuzz-work/safetensors
  -DARTIFACTS=${PROJECT_BINARY_DIR}/tests/fuzz-artifacts/safetensors/)
add_test(NAME fuzz/safetensors_regressions
  COMMAND ${CMAKE_COMMAND} ${st_args} -DMODE=replay -P ${fuzz_source}/run_fuzzer.cmake)
set_tests_properties(fuzz/safetensors_regressions PROPERTIES FIXTURES_REQUIRED convgen_fuzz
  LABELS fuzz)
math(EXPR st_timeout "${CONVGEN_FUZZ_SAFETENSORS_SECONDS} + 120")
add_test(NAME fuzz/safetensors_${CONVGEN_FUZZ_SAFETENSORS_SECONDS}s
  COMMAND ${CMAKE_COMMAND} ${st_args} -DMODE=fuzz -DSECONDS=${CONVGEN_FUZZ_SAFETENSORS_SECONDS}
          -P ${fuzz_source}/run_fuzzer.cmake)
set_tests_properties(fuzz/safetensors_${CONVGEN_FUZZ_SAFETENSORS_SECONDS}s PROPERTIES
  FIXTURES_REQUIRED convgen_fuzz LABELS fuzz TIMEOUT ${st_timeout})
