# ctest tests for tests/fuzz, included from tests/CMakeLists.txt. The fuzz
# targets need Clang, so they are a separate project (tests/fuzz), configured
# and built by the test fuzz/build with clang++-14 (ctest --build-and-test),
# whatever compiler the main build uses. Then:
#   fuzz/regressions   every input in tests/fuzz/regressions/ (each a crash
#                      the fuzzer once found) plus the seeds, run once each
#   fuzz/config_60s    60 s of fuzzing the config reader from the seeds
#                      (configs/, tests/errors/); a crash fails the test and
#                      leaves the input in <build>/tests/fuzz-artifacts/
# Needs clang-14 and libclang-rt-14-dev (scripts/install-deps.sh). Without
# clang++-14 the tests are not added (a STATUS message says so).
# CONVGEN_FUZZ_SECONDS changes the run's length (docs/fuzzing.md).
find_program(CONVGEN_FUZZ_CXX NAMES clang++-14 DOC "Clang 14 C++ compiler for tests/fuzz")
find_program(CONVGEN_FUZZ_CC NAMES clang-14 DOC "Clang 14 C compiler for tests/fuzz")
set(CONVGEN_FUZZ_SECONDS 60 CACHE STRING "How long fuzz/config_60s fuzzes")
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
          --build-noclean --build-target config_fuzzer
          --build-options ${fuzz_options})
set_tests_properties(fuzz/build PROPERTIES FIXTURES_SETUP convgen_fuzz LABELS fuzz
  TIMEOUT 1200 PROCESSORS 2)

set(fuzz_run_args
  -DFUZZER=${fuzz_build}/config_fuzzer
  -DDICT=${fuzz_source}/config.dict
  -DSEEDS=${PROJECT_SOURCE_DIR}/configs\;${PROJECT_SOURCE_DIR}/tests/errors
  -DREGRESSIONS=${fuzz_source}/regressions
  -DWORK_DIR=${PROJECT_BINARY_DIR}/tests/fuzz-work
  -DARTIFACTS=${PROJECT_BINARY_DIR}/tests/fuzz-artifacts/)
add_test(NAME fuzz/regressions
  COMMAND ${CMAKE_COMMAND} ${fuzz_run_args} -DMODE=replay -P ${fuzz_source}/run_fuzzer.cmake)
add_test(NAME fuzz/config_60s
  COMMAND ${CMAKE_COMMAND} ${fuzz_run_args} -DMODE=fuzz -DSECONDS=${CONVGEN_FUZZ_SECONDS}
          -P ${fuzz_source}/run_fuzzer.cmake)
set_tests_properties(fuzz/regressions PROPERTIES FIXTURES_REQUIRED convgen_fuzz LABELS fuzz)
math(EXPR fuzz_timeout "${CONVGEN_FUZZ_SECONDS} + 120")
set_tests_properties(fuzz/config_60s PROPERTIES FIXTURES_REQUIRED convgen_fuzz LABELS fuzz
  TIMEOUT ${fuzz_timeout})
