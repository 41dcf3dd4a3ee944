# convgen's determinism promise: the same config and convgen give
# byte-identical files, whoever runs it and from wherever.
#
#   -DCONVGEN=<exe> -DCONFIG_DIR=<dir of *.yaml> -DWORK_DIR=<scratch dir>
#   -DSOURCE_DIR=<convgen source tree> -DBUILD_DIR=<build tree>
#
# For each config: two runs into different directories (catches timestamps,
# hash-map or pointer order, uninitialised bytes), two sharded runs (the
# layer-to-shard split must be stable too), and a run on a copy of the config
# in another directory, from another working directory, with relative paths
# (catches absolute or cwd-relative paths leaking into the text).
foreach(var IN ITEMS CONVGEN CONFIG_DIR WORK_DIR SOURCE_DIR BUILD_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "deterministic.cmake: -D${var}=... is required")
  endif()
endforeach()

function(generate config out_dir cwd)
  file(MAKE_DIRECTORY "${cwd}")
  execute_process(COMMAND "${CONVGEN}" generate "${config}" --out-dir "${out_dir}" ${ARGN}
    WORKING_DIRECTORY "${cwd}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "convgen generate ${config} (in ${cwd}) failed (exit ${rc}):\n${out}")
  endif()
endfunction()

# Appends to `problems` every way directory b differs from directory a.
function(compare_dirs a b)
  file(GLOB files_a RELATIVE "${a}" "${a}/*")
  file(GLOB files_b RELATIVE "${b}" "${b}/*")
  list(SORT files_a)
  list(SORT files_b)
  if(NOT files_a STREQUAL files_b)
    string(APPEND problems "  ${a} holds [${files_a}] but ${b} holds [${files_b}]\n")
  endif()
  if(NOT files_a)
    string(APPEND problems "  ${a} is empty\n")
  endif()
  foreach(name IN LISTS files_a)
    if(EXISTS "${b}/${name}")
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${a}/${name}" "${b}/${name}"
        RESULT_VARIABLE differs)
      if(differs)
        string(APPEND problems "  ${a}/${name} and ${b}/${name} differ\n")
      endif()
    endif()
  endforeach()
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(GLOB configs "${CONFIG_DIR}/*.yaml")
list(SORT configs)
if(NOT configs)
  message(FATAL_ERROR "no configs in ${CONFIG_DIR}")
endif()

set(problems "")
set(elsewhere "${WORK_DIR}/elsewhere/some where")  # a space, too
# No output may name where it was generated from or into.
set(forbidden "${SOURCE_DIR}" "${BUILD_DIR}" "${WORK_DIR}" "${CONFIG_DIR}")
foreach(config IN LISTS configs)
  cmake_path(GET config STEM stem)
  set(run "${WORK_DIR}/${stem}")
  generate("${config}" "${run}/a" "${WORK_DIR}")
  generate("${config}" "${run}/b" "${WORK_DIR}")
  generate("${config}" "${run}/a_sharded" "${WORK_DIR}" --shards 3)
  generate("${config}" "${run}/b_sharded" "${WORK_DIR}" --shards 3)
  file(COPY "${config}" DESTINATION "${elsewhere}")
  # A network config's weights sit next to it (`weights:` is relative).
  if(EXISTS "${CONFIG_DIR}/${stem}.safetensors")
    file(COPY "${CONFIG_DIR}/${stem}.safetensors" DESTINATION "${elsewhere}")
  endif()
  generate("${stem}.yaml" "out_${stem}" "${elsewhere}")

  compare_dirs("${run}/a" "${run}/b")
  compare_dirs("${run}/a_sharded" "${run}/b_sharded")
  compare_dirs("${run}/a" "${elsewhere}/out_${stem}")

  file(GLOB outputs "${run}/a/*" "${run}/a_sharded/*")
  foreach(file IN LISTS outputs)
    file(READ "${file}" text)
    foreach(path IN LISTS forbidden)
      string(FIND "${text}" "${path}" at)
      if(NOT at EQUAL -1)
        string(APPEND problems "  ${file} contains the absolute path ${path}\n")
      endif()
    endforeach()
  endforeach()
  list(LENGTH outputs n)
  message(STATUS "${stem}.yaml: ${n} files compared across 5 runs")
endforeach()

if(problems)
  message(FATAL_ERROR "convgen's output is not deterministic:\n${problems}")
endif()
