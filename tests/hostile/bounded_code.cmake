# Generates CONFIG for ISA with --report=json and fails unless it succeeds
# and the generated files stay under MAX_BYTES: the code convgen writes is
# bounded whatever the layer's size or padding (ctest's TIMEOUT bounds the
# time). Run as: cmake -DCONVGEN=... -DCONFIG=... -DISA=... -DWORK_DIR=...
#                      -DMAX_BYTES=... -P bounded_code.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(
  COMMAND "${CONVGEN}" generate "${CONFIG}" --out-dir "${WORK_DIR}" --isa "${ISA}" --report=json
  RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE errors)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convgen generate failed (${rc}): ${errors}")
endif()
string(JSON files_count LENGTH "${report}" files)
math(EXPR last "${files_count} - 1")
set(total 0)
foreach(i RANGE ${last})
  string(JSON bytes GET "${report}" files ${i} bytes)
  math(EXPR total "${total} + ${bytes}")
endforeach()
if(total GREATER MAX_BYTES)
  message(FATAL_ERROR "${CONFIG} (${ISA}): ${total} bytes of generated code, over ${MAX_BYTES}")
endif()
message(STATUS "${CONFIG} (${ISA}): ${total} bytes of generated code")
