# Property test: seeded random valid configs -> convgen generate -> compile ->
# compare every layer with the reference (tests/conformance/conformance_test.cpp).
#
#   -DMAKE_CONFIGS=<exe> -DCONVGEN=<exe> -DCXX=<C++ compiler>
#   -DSOURCE_DIR=<convgen source tree> -DWORK_DIR=<scratch dir>
#   [-DBUILD_DIR=<build tree>, only to print the command that reproduces a failure]
#
# Knobs, from the environment so they reach through ctest unchanged:
#   CONVGEN_PROPERTY_SEED   the configs' seed (default 20261125); it also seeds
#                           the test data unless CONVGEN_TEST_SEED is set
#   CONVGEN_PROPERTY_COUNT  how many layers (default 25, sized for CI);
#                           e.g. CONVGEN_PROPERTY_COUNT=2000 locally
#   CONVGEN_PROPERTY_JOBS   parallel compiles (default 1)
#
# It compiles with a plain compiler command rather than a CMake target
# because the layers, and so the generated files, exist only at test time.
foreach(var IN ITEMS MAKE_CONFIGS CONVGEN CXX SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "property.cmake: -D${var}=... is required")
  endif()
endforeach()

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
if(NOT DEFINED ENV{CONVGEN_TEST_SEED})
  set(ENV{CONVGEN_TEST_SEED} ${seed})
endif()
set(reproduce "CONVGEN_PROPERTY_SEED=${seed} CONVGEN_PROPERTY_COUNT=${count} CONVGEN_TEST_SEED=$ENV{CONVGEN_TEST_SEED} ctest")
if(BUILD_DIR)
  string(APPEND reproduce " --test-dir ${BUILD_DIR}")
endif()
string(APPEND reproduce " -R property/random_configs --output-on-failure")
message(STATUS "property: seed ${seed}, ${count} layers (reproduce: ${reproduce})")

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

# Runs the compile commands in `commands` (each a |-separated argument list),
# `jobs` at a time. execute_process starts all its COMMANDs at once (as a
# pipeline; compilers neither read stdin nor write stdout), which is the one
# way a CMake script can run processes in parallel.
function(compile_all)
  list(LENGTH commands n)
  set(i 0)
  while(i LESS n)
    set(batch_args "")
    set(batch_names "")
    foreach(k RANGE 1 ${jobs})
      if(i LESS n)
        list(GET commands ${i} cmd)
        string(REPLACE "|" ";" cmd "${cmd}")
        list(APPEND batch_args COMMAND ${cmd})
        list(GET names ${i} name)
        list(APPEND batch_names ${name})
        math(EXPR i "${i} + 1")
      endif()
    endforeach()
    execute_process(${batch_args} RESULTS_VARIABLE results ERROR_VARIABLE err OUTPUT_VARIABLE err)
    foreach(result IN LISTS results)
      if(NOT result EQUAL 0)
        string(REPLACE ";" ", " batch_names "${batch_names}")
        fail("compiling ${batch_names} failed" "${err}")
      endif()
    endforeach()
  endwhile()
endfunction()

set(out_dir "${WORK_DIR}/out")
set(obj_dir "${WORK_DIR}/obj")
file(REMOVE_RECURSE "${out_dir}" "${obj_dir}" "${WORK_DIR}/property_test")
file(MAKE_DIRECTORY "${obj_dir}" "${WORK_DIR}/cache")

run("make_configs" "${MAKE_CONFIGS}" random ${seed} ${count} "${WORK_DIR}/property.yaml")
file(STRINGS "${WORK_DIR}/property.yaml" layer_lines REGEX "^  - name:")
list(LENGTH layer_lines layers)
if(layers EQUAL 0)
  fail("make_configs wrote no layers" "")
endif()
# About 50 layers per file keeps each compile short and lets JOBS help.
math(EXPR shards "(${layers} + 49) / 50")
run("convgen generate" "${CONVGEN}" generate "${WORK_DIR}/property.yaml" --out-dir "${out_dir}"
    --shards ${shards} --isa scalar)

set(flags "-std=c++17|-O1")  # |-separated, as compile_all() takes them
set(commands "")
set(names "")
set(objects "")
file(GLOB generated "${out_dir}/*.cpp")
list(SORT generated)
foreach(src IN LISTS generated)
  cmake_path(GET src STEM stem)
  set(obj "${obj_dir}/${stem}.o")
  # Generated code must compile warning-free, as in the conformance suite.
  list(APPEND commands "${CXX}|${flags}|-Wall|-Wextra|-Werror|-I${out_dir}|-c|${src}|-o|${obj}")
  list(APPEND names ${stem}.cpp)
  list(APPEND objects "${obj}")
endforeach()
list(APPEND commands
  "${CXX}|${flags}|-I${out_dir}|-I${SOURCE_DIR}/tests/conformance|-I${SOURCE_DIR}/runtime/include|-DCONVGEN_HEADER=\"property.h\"|-DCONVGEN_NAMESPACE=property|-DCONVGEN_LAYERS=CONVGEN_PROPERTY_LAYERS|-c|${SOURCE_DIR}/tests/conformance/conformance_test.cpp|-o|${obj_dir}/conformance_test.o"
  "${CXX}|${flags}|-I${SOURCE_DIR}/runtime/include|-c|${SOURCE_DIR}/runtime/src/reference.cpp|-o|${obj_dir}/reference.o")
list(APPEND names conformance_test.cpp reference.cpp)
list(APPEND objects "${obj_dir}/conformance_test.o" "${obj_dir}/reference.o")
# Catch2's main takes longer to compile than everything else together and
# never changes with the seed: keep it between runs, per compiler and flags.
string(MD5 compiler_key "${CXX}|${flags}")
set(catch_main "${WORK_DIR}/cache/catch_main-${compiler_key}.o")
if(NOT EXISTS "${catch_main}" OR "${SOURCE_DIR}/tests/catch_main.cpp" IS_NEWER_THAN "${catch_main}")
  list(APPEND commands "${CXX}|${flags}|-c|${SOURCE_DIR}/tests/catch_main.cpp|-o|${catch_main}")
  list(APPEND names catch_main.cpp)
endif()
list(APPEND objects "${catch_main}")

compile_all()
run("linking" "${CXX}" ${objects} -o "${WORK_DIR}/property_test")

execute_process(COMMAND "${WORK_DIR}/property_test"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  fail("generated kernels disagree with the reference (exit ${rc})" "${out}")
endif()
string(REGEX MATCH "All tests passed[^\n]*" summary "${out}")
message(STATUS "property: seed ${seed}: ${layers} layers, ${shards} generated .cpp file(s): ${summary}")
