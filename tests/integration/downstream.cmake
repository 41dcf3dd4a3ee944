# Installs this build tree into a scratch prefix, then configures, builds and
# runs tests/integration/downstream/ against it, as a user of the installed
# package would. Runs at test time (cmake -P), so it sees what `cmake
# --install` really produces rather than what configure-time code expects.
#
#   -DBUILD_DIR=<convgen build tree> -DWORK_DIR=<scratch dir>
#   -DDOWNSTREAM_DIR=<project source> -DGENERATOR=<name> [-DMAKE_PROGRAM=<path>]
#   -DCXX_COMPILER=<path> [-DBUILD_TYPE=<cfg>]
foreach(var IN ITEMS BUILD_DIR WORK_DIR DOWNSTREAM_DIR GENERATOR CXX_COMPILER)
  if(NOT ${var})
    message(FATAL_ERROR "downstream.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Release)
endif()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    # Printed apart from the error, which CMake would re-wrap.
    message("${out}")
    message(FATAL_ERROR "downstream: ${step} failed (exit ${rc}): ${ARGN}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# A fresh prefix and build every time: stale files from an earlier install
# would hide a file the install rules forgot.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")

run(install ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --config ${BUILD_TYPE})

set(generator_args -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND generator_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
# Only the scratch prefix may satisfy find_package(convgen): the package
# registry or a system-wide install could otherwise stand in for it.
run(configure ${CMAKE_COMMAND} -S "${DOWNSTREAM_DIR}" -B "${build}" ${generator_args}
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
file(STRINGS "${build}/CMakeCache.txt" found REGEX "^convgen_DIR:")
string(REGEX REPLACE "^[^=]*=" "" found "${found}")
cmake_path(IS_PREFIX prefix "${found}" NORMALIZE inside)
if(NOT inside)
  message(FATAL_ERROR "downstream: found convgen at '${found}', not in the scratch prefix ${prefix}")
endif()

run(build ${CMAKE_COMMAND} --build "${build}" --config ${BUILD_TYPE})

# Single-config generators put the app at the top; multi-config ones in <cfg>/.
set(app "${build}/app")
if(NOT EXISTS "${app}")
  set(app "${build}/${BUILD_TYPE}/app")
endif()
run(run "${app}")
message("${out}")
