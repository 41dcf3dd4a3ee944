# Property test: seeded random valid configs -> convgen generate, for each ISA
# -> compile -> compare every layer with the reference
# (tests/conformance/conformance_test.cpp).
#
#   -DMAKE_CONFIGS=<exe> -DCONVGEN=<exe> -DCXX=<C++ compiler>
#   -DSOURCE_DIR=<convgen source tree> -DWORK_DIR=<scratch dir>
#   -DCATCH_INCLUDE=<dir holding catch2/catch.hpp>
#   [-DBUILD_DIR=<build tree>, only to print the command that reproduces a failure]
#   [-DTEST_NAME=<ctest name>, likewise (default property/random_configs)]
#   [-DISAS=<isa>,...]     fixes the ISAs, overriding CONVGEN_PROPERTY_ISA
#   [-DNEON_CXX=<AArch64 compiler> -DNEON_RUNNER=<exe>,<arg>,... -DNEON_LINK_FLAGS=...]
#                          how to build and run --isa neon (cross compiler and
#                          emulator; without NEON_RUNNER it runs natively)
#   [-DSKIP_MISSING=ON]    a missing NEON_CXX or emulator skips the test (ctest
#                          SKIP_REGULAR_EXPRESSION "convgen-isa-test: SKIPPED")
#                          instead of failing it
#
# Knobs, from the environment so they reach through ctest unchanged:
#   CONVGEN_PROPERTY_SEED   the configs' seed (default 20261125); it also seeds
#                           the test data unless CONVGEN_TEST_SEED is set
#   CONVGEN_PROPERTY_COUNT  how many layers (default 25, sized for CI);
#                           e.g. CONVGEN_PROPERTY_COUNT=2000 locally
#   CONVGEN_PROPERTY_JOBS   parallel compiles (default 1)
#   CONVGEN_PROPERTY_ISA    the --isa values to test, comma-separated (default
#                           scalar,native: the host's own SIMD ISA too, so the
#                           random layers exercise a SIMD emitter; native is
#                           dropped where it means scalar). Any of scalar, avx2,
#                           avx512, neon, native; an x86 ISA this CPU lacks
#                           fails (the harness would skip its layers); neon
#                           needs the cross compiler and emulator
#
# It compiles with a plain compiler command rather than a CMake target
# because the layers, and so the generated files, exist only at test time.
cmake_minimum_required(VERSION 3.25)
foreach(var IN ITEMS MAKE_CONFIGS CONVGEN CXX SOURCE_DIR WORK_DIR CATCH_INCLUDE)
  if(NOT ${var})
    message(FATAL_ERROR "property.cmake: -D${var}=... is required")
  endif()
endforeach()
include(${CMAKE_CURRENT_LIST_DIR}/conformance_build.cmake)
if(NOT TEST_NAME)
  set(TEST_NAME property/random_configs)
endif()

set(seed 20261125)
if(DEFINED ENV{CONVGEN_PROPERTY_SEED} AND NOT "$ENV{CONVGEN_PROPERTY_SEED}" STREQUAL "")
  set(seed "$ENV{CONVGEN_PROPERTY_SEED}")
endif()
set(count 25)
if(DEFINED ENV{CONVGEN_PROPERTY_COUNT} AND NOT "$ENV{CONVGEN_PROPERTY_COUNT}" STREQUAL "")
  set(count "$ENV{CONVGEN_PROPERTY_COUNT}")
endif()
set(jobs 1)
if(DEFINED ENV{CONVGEN_PROPERTY_JOBS} AND NOT "$ENV{CONVGEN_PROPERTY_JOBS}" STREQUAL "")
  set(jobs "$ENV{CONVGEN_PROPERTY_JOBS}")
endif()
foreach(knob IN ITEMS seed count jobs)
  if(NOT "${${knob}}" MATCHES "^[0-9]+$")
    string(TOUPPER ${knob} name)
    message(FATAL_ERROR "CONVGEN_PROPERTY_${name} must be a non-negative integer, not '${${knob}}'")
  endif()
endforeach()
if(jobs EQUAL 0)
  set(jobs 1)
endif()
if(ISAS)
  set(isa_knob "")  # fixed by the test, not the environment
  cg_split(isas "${ISAS}")
else()
  set(isas scalar native)
  if(DEFINED ENV{CONVGEN_PROPERTY_ISA} AND NOT "$ENV{CONVGEN_PROPERTY_ISA}" STREQUAL "")
    cg_split(isas "$ENV{CONVGEN_PROPERTY_ISA}")
  endif()
  string(JOIN "," isa_knob ${isas})
  set(isa_knob "CONVGEN_PROPERTY_ISA=${isa_knob} ")
endif()
list(REMOVE_DUPLICATES isas)
foreach(isa IN LISTS isas)
  if(NOT isa MATCHES "^(scalar|avx2|avx512|neon|native)$")
    message(FATAL_ERROR "CONVGEN_PROPERTY_ISA: unknown ISA '${isa}' (scalar, avx2, avx512, neon, native)")
  endif()
endforeach()
cg_split(NEON_RUNNER "${NEON_RUNNER}")
cg_split(NEON_LINK_FLAGS "${NEON_LINK_FLAGS}")
if(NOT DEFINED ENV{CONVGEN_TEST_SEED})
  set(ENV{CONVGEN_TEST_SEED} ${seed})
endif()
set(reproduce "CONVGEN_PROPERTY_SEED=${seed} CONVGEN_PROPERTY_COUNT=${count} ${isa_knob}CONVGEN_TEST_SEED=$ENV{CONVGEN_TEST_SEED} ctest")
if(BUILD_DIR)
  string(APPEND reproduce " --test-dir ${BUILD_DIR}")
endif()
string(APPEND reproduce " -R '^${TEST_NAME}$' --output-on-failure")
string(REPLACE ";" ", " isa_names "${isas}")
message(STATUS "property: seed ${seed}, ${count} layers, ISAs ${isa_names} (reproduce: ${reproduce})")

# `details` is printed apart from the error message, which CMake would re-wrap.
function(fail what details)
  message("${details}")
  message(FATAL_ERROR "property test FAILED for seed ${seed} (${count} layers): ${what}\n"
                      "The config is kept at ${WORK_DIR}/property.yaml. Reproduce with\n"
                      "    ${reproduce}\n")
endfunction()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    fail("${what} (exit ${rc}): ${ARGN}" "${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# --- Tools ---------------------------------------------------------------------------
# --isa neon needs an AArch64 compiler, and an emulator unless NEON_RUNNER is
# empty (an AArch64 host).
if("neon" IN_LIST isas)
  set(missing "")
  set(runner_program "")
  if(NEON_RUNNER)
    list(GET NEON_RUNNER 0 runner_program)
  endif()
  foreach(tool IN ITEMS NEON_CXX runner_program)
    if(${tool})
      find_program(found NAMES "${${tool}}" NO_CACHE)
      if(NOT found)
        list(APPEND missing "${${tool}}")
      endif()
      unset(found)
    elseif(tool STREQUAL "NEON_CXX")
      list(APPEND missing "an AArch64 C++ compiler (-DNEON_CXX)")
    endif()
  endforeach()
  if(missing)
    string(REPLACE ";" " and " missing "${missing}")
    set(why "--isa neon needs ${missing} (packages g++-aarch64-linux-gnu, qemu-user)")
    if(SKIP_MISSING)
      message("convgen-isa-test: SKIPPED: ${why}, not found on this machine")
      return()
    endif()
    message(FATAL_ERROR "property test: ${why}, not found on this machine")
  endif()
endif()

# --- Generate --------------------------------------------------------------------------
file(REMOVE_RECURSE "${WORK_DIR}/out" "${WORK_DIR}/obj" "${WORK_DIR}/property_test"
     "${WORK_DIR}/isa" "${WORK_DIR}/pool")
file(MAKE_DIRECTORY "${WORK_DIR}/cache")
cg_catch_include(catch_dir "${WORK_DIR}" "${CATCH_INCLUDE}")

run("make_configs" "${MAKE_CONFIGS}" random ${seed} ${count} "${WORK_DIR}/property.yaml")
file(STRINGS "${WORK_DIR}/property.yaml" layer_lines REGEX "^  - name:")
list(LENGTH layer_lines layers)
if(layers EQUAL 0)
  fail("make_configs wrote no layers" "")
endif()
# About 50 layers per file keeps each compile short and lets JOBS help.
math(EXPR shards "(${layers} + 49) / 50")
cg_harness_defines(harness_defines "${WORK_DIR}/property.yaml" property)

set(flags -std=c++17 -O1)
set(names "")
set(commands "")
set(tested "")
set(reports "")
set(shared_objects "")  # per compiler: reference and Catch2 main
foreach(isa IN LISTS isas)
  set(out_dir "${WORK_DIR}/isa/${isa}/out")
  run("convgen generate --isa ${isa}" "${CONVGEN}" generate "${WORK_DIR}/property.yaml"
      --out-dir "${out_dir}" --shards ${shards} --isa ${isa} --report)
  file(WRITE "${WORK_DIR}/isa/${isa}.report" "${out}")
  if(isa STREQUAL "native")
    # What native means here, from the kernel names (NAME__<isa>_...).
    string(REGEX MATCH "__(scalar|avx2|avx512|neon)_" _ "${out}")
    set(resolved "${CMAKE_MATCH_1}")
    if(resolved IN_LIST isas OR resolved IN_LIST tested)
      message(STATUS "property: native is ${resolved} here, tested already")
      continue()
    endif()
    message(STATUS "property: native is ${resolved} here")
    set(label_${isa} "native=${resolved}")
  else()
    set(label_${isa} "${isa}")
  endif()
  list(APPEND tested ${isa})
  list(APPEND reports "${WORK_DIR}/isa/${isa}.report")
  string(REGEX MATCHALL "__[a-z0-9]+_[a-z0-9]+_w[0-9]+" vector "${out}")
  list(LENGTH vector vector_${isa})

  if(isa STREQUAL "neon" AND NEON_RUNNER)
    set(cxx_${isa} "${NEON_CXX}")
    set(link_${isa} ${NEON_LINK_FLAGS})
    set(runner_${isa} ${NEON_RUNNER})
  else()
    set(cxx_${isa} "${CXX}")
    set(link_${isa} "")
    set(runner_${isa} "")
  endif()
  set(cxx "${cxx_${isa}}")
  set(obj_dir "${WORK_DIR}/isa/${isa}/obj")
  file(MAKE_DIRECTORY "${obj_dir}")
  set(objects_${isa} "")
  file(GLOB generated "${out_dir}/*.cpp")
  list(SORT generated)
  foreach(src IN LISTS generated)
    cmake_path(GET src STEM stem)
    # Generated code must compile warning-free, as in the conformance suite.
    string(JOIN "|" cmd "${cxx}" ${flags} -Wall -Wextra -Werror "-I${out_dir}" -c "${src}"
                -o "${obj_dir}/${stem}.o")
    list(APPEND commands "${cmd}")
    list(APPEND names "${isa}/${stem}.cpp")
    list(APPEND objects_${isa} "${obj_dir}/${stem}.o")
  endforeach()
  string(JOIN "|" cmd "${cxx}" ${flags} "-I${out_dir}" "-I${SOURCE_DIR}/tests/conformance"
              "-I${SOURCE_DIR}/runtime/include" "-I${catch_dir}" ${harness_defines}
              -c "${SOURCE_DIR}/tests/conformance/conformance_test.cpp"
              -o "${obj_dir}/conformance_test.o")
  list(APPEND commands "${cmd}")
  list(APPEND names "${isa}/conformance_test.cpp")
  list(APPEND objects_${isa} "${obj_dir}/conformance_test.o")

  # The reference and Catch2's main, once per compiler (Catch2's main is kept
  # between runs: it takes longer to compile than everything else together).
  string(MD5 key "${cxx}")
  if(NOT key IN_LIST shared_objects)
    list(APPEND shared_objects ${key})
    string(JOIN "|" cmd "${cxx}" ${flags} "-I${SOURCE_DIR}/runtime/include"
                -c "${SOURCE_DIR}/runtime/src/reference.cpp" -o "${WORK_DIR}/isa/reference-${key}.o")
    list(APPEND commands "${cmd}")
    list(APPEND names "reference.cpp (${cxx})")
    cg_catch_main(catch_main_${key} cmd "${WORK_DIR}/cache" "${cxx}" ${flags} "-I${catch_dir}")
    if(cmd)
      list(PREPEND commands "${cmd}")
      list(PREPEND names "catch_main.cpp (${cxx})")
    endif()
  endif()
  list(APPEND objects_${isa} "${WORK_DIR}/isa/reference-${key}.o" "${catch_main_${key}}")
endforeach()

# --- Build, run ------------------------------------------------------------------------
cg_compile(${jobs} "${WORK_DIR}/pool/compile" NAMES ${names} COMMANDS ${commands} REPORTS ${reports})
set(summaries "")
foreach(isa IN LISTS tested)
  set(binary "${WORK_DIR}/isa/${isa}/property_test")
  run("linking (${isa})" "${cxx_${isa}}" ${link_${isa}} ${objects_${isa}} -o "${binary}")
  execute_process(COMMAND ${runner_${isa}} "${binary}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  cg_check_output(problem "${out}" "${rc}" ${layers})
  if(problem)
    fail("--isa ${isa}: generated kernels disagree with the reference (${problem})" "${out}")
  endif()
  string(REGEX MATCH "All tests passed[^\n]*" summary "${out}")
  list(APPEND summaries "${label_${isa}} (${vector_${isa}} vector kernels): ${summary}")
endforeach()
string(REPLACE ";" "; " summaries "${summaries}")
message(STATUS "property: seed ${seed}: ${layers} layers, ${shards} generated .cpp file(s) per ISA: ${summaries}")
