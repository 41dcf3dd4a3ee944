# Fails unless at least MIN_PACKED layers of CONFIG get a packed strategy
# (forward_packed with its own code) for ISA, from --report=json: so the
# conformance run of CONFIG keeps testing that strategy whatever the cost
# model decides. cmake -DCONVGEN= -DCONFIG= -DISA= -DWORK_DIR= -DMIN_PACKED=
execute_process(
  COMMAND "${CONVGEN}" generate "${CONFIG}" --out-dir "${WORK_DIR}" --isa "${ISA}" --report=json
  RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE errors)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convgen generate failed (${rc}): ${errors}")
endif()
string(JSON count LENGTH "${report}" layers)
math(EXPR last "${count} - 1")
set(packed 0)
foreach(i RANGE ${last})
  string(JSON strategy GET "${report}" layers ${i} strategy)
  string(JSON packed_strategy GET "${report}" layers ${i} packed_strategy)
  if(NOT packed_strategy STREQUAL strategy)
    math(EXPR packed "${packed} + 1")
  endif()
endforeach()
if(packed LESS MIN_PACKED)
  message(FATAL_ERROR "${ISA}: ${packed} of ${count} layers of ${CONFIG} packed, fewer than ${MIN_PACKED}")
endif()
message(STATUS "${ISA}: ${packed} of ${count} layers packed")
