# ISA conformance: the conformance matrix and configs, generated for one ISA
# that this machine may not run natively, built with a given compiler (a cross
# compiler, or the host's with SIMDe) and run (under an emulator where one is
# named); every layer must agree with the reference.
#
#   -DCONVGEN=<exe> -DMAKE_CONFIGS=<exe> -DSOURCE_DIR=<convgen source tree>
#   -DWORK_DIR=<scratch dir> -DISA=<convgen --isa value> -DCXX=<compiler>
#   -DCATCH_INCLUDE=<dir holding catch2/catch.hpp>
#   -DCONFIGS=<c>,...      "matrix" (make_configs matrix) or a configs/<c>.yaml stem
#   [-DFLAGS=<flag>,...]   compile flags (default -O2)
#   [-DMATRIX_FLAGS=...]   compile flags of the matrix's generated files (default FLAGS)
#   [-DDEFINES=<-D...>,...] for generated files and harness, e.g. -DCONVGEN_USE_SIMDE
#   [-DLINK_FLAGS=...]     e.g. -static
#   [-DRUNNER=<exe>,<arg>,...]  runs each binary, e.g. qemu-aarch64,-L,/usr/aarch64-linux-gnu
#   [-DLAYERS_PER_SHARD=n] layers per generated .cpp (default 45)
#   [-DREQUIRE=<what>=<package>,...]  what the test needs: a program name, or
#                          a header as <path.h>; missing -> the test is skipped
#                          (ctest SKIP_REGULAR_EXPRESSION "convgen-isa-test: SKIPPED")
#   [-DBUILD_DIR=<build tree> -DTEST_NAME=<ctest name>, only to print the
#                          command that reproduces a failure]
#
# From the environment: CONVGEN_ISA_JOBS, parallel compiles and runs (default 2).
cmake_minimum_required(VERSION 3.25)
foreach(var IN ITEMS CONVGEN MAKE_CONFIGS SOURCE_DIR WORK_DIR ISA CXX CATCH_INCLUDE CONFIGS)
  if(NOT ${var})
    message(FATAL_ERROR "isa_conformance.cmake: -D${var}=... is required")
  endif()
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/conformance_build.cmake)

set(jobs 2)
if(DEFINED ENV{CONVGEN_ISA_JOBS} AND "$ENV{CONVGEN_ISA_JOBS}" MATCHES "^[1-9][0-9]*$")
  set(jobs "$ENV{CONVGEN_ISA_JOBS}")
endif()
if(NOT FLAGS)
  set(FLAGS -O2)
endif()
if(NOT MATRIX_FLAGS)
  set(MATRIX_FLAGS "${FLAGS}")
endif()
if(NOT LAYERS_PER_SHARD)
  set(LAYERS_PER_SHARD 45)
endif()
foreach(var IN ITEMS CONFIGS FLAGS MATRIX_FLAGS DEFINES LINK_FLAGS RUNNER REQUIRE)
  cg_split(${var} "${${var}}")
endforeach()

set(reproduce "ctest")
if(BUILD_DIR)
  string(APPEND reproduce " --test-dir ${BUILD_DIR}")
endif()
if(TEST_NAME)
  string(APPEND reproduce " -R '^${TEST_NAME}$'")
endif()
string(APPEND reproduce " --output-on-failure")

function(fail what details)
  message("${details}")
  message(FATAL_ERROR "${ISA} conformance FAILED: ${what}\n"
                      "Work files are kept in ${WORK_DIR}. Reproduce with\n    ${reproduce}\n")
endfunction()

# --- What this test needs -------------------------------------------------------
# A missing tool skips the test rather than failing it: the ISA can be checked
# on any machine that has them, and CI installs them.
set(missing "")
foreach(need IN LISTS REQUIRE)
  string(REGEX MATCH "^([^=]+)=(.+)$" _ "${need}")
  set(what "${CMAKE_MATCH_1}")
  set(package "${CMAKE_MATCH_2}")
  if(what MATCHES "\\.h$")
    # A header: does the compiler find it? (__has_include reads no code.)
    set(probe "${WORK_DIR}/probe.cpp")
    file(MAKE_DIRECTORY "${WORK_DIR}")
    file(WRITE "${probe}" "#if !__has_include(<${what}>)\n#error missing\n#endif\n")
    execute_process(COMMAND "${CXX}" -std=c++17 -fsyntax-only "${probe}"
                    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
    if(NOT rc EQUAL 0)
      list(APPEND missing "<${what}> (package ${package})")
    endif()
  else()
    find_program(found_${what} NAMES "${what}" NO_CACHE)
    if(NOT found_${what})
      list(APPEND missing "${what} (package ${package})")
    endif()
  endif()
endforeach()
if(missing)
  string(REPLACE ";" ", " missing "${missing}")
  message("convgen-isa-test: SKIPPED: ${ISA} conformance needs ${missing}, not found on this machine")
  return()
endif()

# --- Generate -------------------------------------------------------------------
string(TIMESTAMP t0 "%s" UTC)
file(REMOVE_RECURSE "${WORK_DIR}/gen" "${WORK_DIR}/obj" "${WORK_DIR}/bin" "${WORK_DIR}/out"
     "${WORK_DIR}/pool")
file(MAKE_DIRECTORY "${WORK_DIR}/obj" "${WORK_DIR}/bin" "${WORK_DIR}/out")
cg_catch_include(catch_dir "${WORK_DIR}" "${CATCH_INCLUDE}")
set(harness_includes -I${SOURCE_DIR}/tests/conformance -I${SOURCE_DIR}/runtime/include -I${catch_dir})

set(names "")
set(commands "")
set(simd_kernels 0)
set(total_layers 0)
foreach(config IN LISTS CONFIGS)
  if(config STREQUAL "matrix")
    set(yaml "${WORK_DIR}/matrix.yaml")
    execute_process(COMMAND "${MAKE_CONFIGS}" matrix "${yaml}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      fail("make_configs matrix (exit ${rc})" "${out}")
    endif()
    set(flags ${MATRIX_FLAGS})
  else()
    set(yaml "${SOURCE_DIR}/configs/${config}.yaml")
    set(flags ${FLAGS})
  endif()
  file(STRINGS "${yaml}" name_lines REGEX "^ *- *{? *name:")
  list(LENGTH name_lines n)
  math(EXPR shards "(${n} + ${LAYERS_PER_SHARD} - 1) / ${LAYERS_PER_SHARD}")
  if(shards LESS 1)
    set(shards 1)
  endif()
  set(gen "${WORK_DIR}/gen/${config}")
  execute_process(COMMAND "${CONVGEN}" generate "${yaml}" --out-dir "${gen}" --isa ${ISA}
                          --shards ${shards} --report
                  RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    fail("convgen generate ${yaml} --isa ${ISA} (exit ${rc})" "${report}${err}")
  endif()
  file(WRITE "${WORK_DIR}/gen/${config}.report" "${report}")
  cg_report_layers(layers_${config} "${report}")
  list(LENGTH layers_${config} count_${config})
  # Vector kernels are named NAME__<isa>_<method>_w<lanes>...; other dtypes
  # get scalar code under the same ISA prefix.
  string(REGEX MATCHALL "__${ISA}_[a-z0-9]+_w[0-9]+" simd "${report}")
  list(LENGTH simd simd_${config})
  math(EXPR simd_kernels "${simd_kernels} + ${simd_${config}}")
  math(EXPR total_layers "${total_layers} + ${count_${config}}")

  cg_namespace(ns "${yaml}")
  cg_harness_defines(harness_defines "${yaml}" "${ns}")
  set(obj "${WORK_DIR}/obj/${config}")
  file(MAKE_DIRECTORY "${obj}")
  set(objects_${config} "")
  file(GLOB sources "${gen}/*.cpp")
  list(SORT sources)
  foreach(src IN LISTS sources)
    cmake_path(GET src STEM stem)
    # Generated code must compile warning-free, as in the conformance suite.
    string(JOIN "|" cmd "${CXX}" -std=c++17 ${flags} ${DEFINES} -Wall -Wextra -Werror
                "-I${gen}" -c "${src}" -o "${obj}/${stem}.o")
    list(APPEND commands "${cmd}")
    list(APPEND names "${config}/${stem}.cpp")
    list(APPEND objects_${config} "${obj}/${stem}.o")
  endforeach()
  string(JOIN "|" cmd "${CXX}" -std=c++17 ${FLAGS} ${DEFINES} "-I${gen}" ${harness_includes}
              ${harness_defines} -c "${SOURCE_DIR}/tests/conformance/conformance_test.cpp"
              -o "${obj}/conformance_test.o")
  list(APPEND commands "${cmd}")
  list(APPEND names "${config}/conformance_test.cpp")
  list(APPEND objects_${config} "${obj}/conformance_test.o")
  # The MACs, to start the longest runs first (the reference dominates, and
  # under an emulator a config of full-size layers takes a minute).
  string(REGEX MATCHALL "[0-9]+ MACs" macs "${report}")
  set(macs_${config} 0)
  foreach(m IN LISTS macs)
    string(REGEX REPLACE " MACs" "" m "${m}")
    math(EXPR macs_${config} "${macs_${config}} + ${m} / 1000")
  endforeach()
  message(STATUS "${config}: ${count_${config}} layers, ${simd_${config}} ${ISA} vector kernels "
                 "(the rest scalar), ${shards} generated .cpp file(s)")
endforeach()
if(simd_kernels EQUAL 0 AND NOT ISA STREQUAL "scalar")
  fail("convgen generated no ${ISA} kernels at all (see ${WORK_DIR}/gen/*.report)" "")
endif()

# Shared by every binary: the reference, and Catch2's main (cached).
string(JOIN "|" cmd "${CXX}" -std=c++17 ${FLAGS} -I${SOURCE_DIR}/runtime/include
            -c "${SOURCE_DIR}/runtime/src/reference.cpp" -o "${WORK_DIR}/obj/reference.o")
list(APPEND commands "${cmd}")
list(APPEND names reference.cpp)
cg_catch_main(catch_main cmd "${WORK_DIR}/cache" "${CXX}" -std=c++17 ${FLAGS} -I${catch_dir})
if(cmd)  # first: it is the longest single compile
  list(PREPEND commands "${cmd}")
  list(PREPEND names catch_main.cpp)
endif()
cg_elapsed(generate_s ${t0})

# --- Compile, link --------------------------------------------------------------
string(TIMESTAMP t1 "%s" UTC)
set(reports "")
foreach(config IN LISTS CONFIGS)
  list(APPEND reports "${WORK_DIR}/gen/${config}.report")
endforeach()
cg_compile(${jobs} "${WORK_DIR}/pool/compile" NAMES ${names} COMMANDS ${commands} REPORTS ${reports})
set(names "")
set(commands "")
foreach(config IN LISTS CONFIGS)
  string(JOIN "|" cmd "${CXX}" ${LINK_FLAGS} ${objects_${config}} "${WORK_DIR}/obj/reference.o"
              "${catch_main}" -o "${WORK_DIR}/bin/${config}")
  list(APPEND commands "${cmd}")
  list(APPEND names "${config} (link)")
endforeach()
cg_compile(${jobs} "${WORK_DIR}/pool/link" NAMES ${names} COMMANDS ${commands})
cg_elapsed(compile_s ${t1})

# --- Run ------------------------------------------------------------------------
string(TIMESTAMP t2 "%s" UTC)
# Longest first: the `jobs` workers then share out the rest while it runs.
set(keyed "")
foreach(config IN LISTS CONFIGS)
  math(EXPR key "1000000000000 + ${macs_${config}}")  # fixed width, to sort as strings
  list(APPEND keyed "${key}:${config}")
endforeach()
list(SORT keyed ORDER DESCENDING)
set(run_order "")
foreach(entry IN LISTS keyed)
  string(REGEX REPLACE "^[0-9]+:" "" config "${entry}")
  list(APPEND run_order ${config})
endforeach()
set(commands "")
foreach(config IN LISTS run_order)
  string(JOIN "|" cmd ${RUNNER} "${WORK_DIR}/bin/${config}")
  list(APPEND commands "${cmd}")
endforeach()
cg_parallel(${jobs} "${WORK_DIR}/pool/run" results ${commands})
cg_elapsed(run_s ${t2})

set(failures "")
set(details "")
set(i 0)
foreach(config IN LISTS run_order)
  list(GET results ${i} rc)
  math(EXPR i "${i} + 1")
  math(EXPR k "${i} - 1")
  file(READ "${WORK_DIR}/pool/run/${k}.out" output)
  file(WRITE "${WORK_DIR}/out/${config}.txt" "${output}")
  cg_check_output(problem "${output}" "${rc}" ${count_${config}})
  if(problem)
    list(APPEND failures "${config} (${problem})")
    # The failing layers' --report lines, found by the layer names the
    # harness prints ("layer NAME (kernel ...)").
    string(REGEX MATCHALL "layer [A-Za-z0-9_]+ \\(kernel" named "${output}")
    list(REMOVE_DUPLICATES named)
    set(report_lines "")
    foreach(n IN LISTS named)
      string(REGEX REPLACE "^layer ([A-Za-z0-9_]+) .*" "\\1" n "${n}")
      foreach(line IN LISTS layers_${config})
        if(line MATCHES "^${n}: ")
          string(APPEND report_lines "    ${line}\n")
        endif()
      endforeach()
    endforeach()
    cg_head(head "${output}" 120)
    string(APPEND details "==== ${config}: ${problem}\n")
    if(report_lines)
      string(APPEND details "failing layers (convgen --report):\n${report_lines}")
    endif()
    string(APPEND details "${head}\n")
  endif()
endforeach()
if(failures)
  string(REPLACE ";" ", " failures "${failures}")
  fail("${failures} (the whole output of each run is in ${WORK_DIR}/out/)" "${details}")
endif()

string(REPLACE ";" ", " configs "${CONFIGS}")
message(STATUS "${ISA}: all ${total_layers} layers (${simd_kernels} ${ISA} vector kernels) agree with "
               "the reference [${configs}]; generate ${generate_s}s, compile+link ${compile_s}s, "
               "run ${run_s}s")
