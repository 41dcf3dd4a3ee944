# Generates CONFIG for ISA into OUT_DIR and runs `convgen verify` on every
# file written. Prints "convgen-verify-skip: ..." (the test's
# SKIP_REGULAR_EXPRESSION) when this convgen does not implement ISA yet.
#   cmake -DCONVGEN=... -DCONFIG=x.yaml -DISA=scalar -DSHARDS=1 -DOUT_DIR=... [-DNO_FORMAT=ON]
#         -P verify_generated.cmake
# NO_FORMAT=ON generates with --no-format (the machine-made matrix: no rule
# looks at layout, and formatting was most of its generation time).
if(NOT EXISTS "${CONFIG}")
  message(FATAL_ERROR "${CONFIG} does not exist: build the tests first (it is generated at build time)")
endif()
file(REMOVE_RECURSE "${OUT_DIR}")
set(format_option "")
if(NO_FORMAT)
  set(format_option --no-format)
endif()
execute_process(
  COMMAND ${CONVGEN} generate ${CONFIG} --out-dir ${OUT_DIR} --isa ${ISA} --shards ${SHARDS}
          ${format_option}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  if(err MATCHES "is not implemented by convgen")
    message("convgen-verify-skip: convgen does not generate --isa ${ISA} yet:\n${err}")
    return()
  endif()
  message(FATAL_ERROR "convgen generate failed (${rc}):\n${out}${err}")
endif()

# The files convgen writes, by its naming rule (convgen's outputFileNames()).
cmake_path(GET CONFIG STEM stem)
set(files "${OUT_DIR}/${stem}.h")
if(SHARDS EQUAL 1)
  list(APPEND files "${OUT_DIR}/${stem}.cpp")
else()
  math(EXPR last "${SHARDS} - 1")
  foreach(k RANGE ${last})
    list(APPEND files "${OUT_DIR}/${stem}_${k}.cpp")
  endforeach()
endif()
# A network's baked weights, in files of their own.
file(GLOB weights_files "${OUT_DIR}/${stem}_weights_*.cpp")
list(SORT weights_files)
list(APPEND files ${weights_files})
foreach(f IN LISTS files)
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "convgen generate did not write ${f}")
  endif()
endforeach()

# --isa is given explicitly: the banner is not what is being tested here.
execute_process(COMMAND ${CONVGEN} verify --isa ${ISA} ${files}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convgen verify failed (${rc}) on ${CONFIG} for ${ISA}")
endif()
