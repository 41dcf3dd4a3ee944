# Fails unless at least MIN_PACKED layers of CONFIG get a packed strategy
# (forward_packed with its own code) for ISA, and at least MIN_BLOCKED of
# them reduce in blocks of input channels (packed_ci_block), from
# --report=json: so the conformance run of CONFIG keeps testing that strategy
# and its blocking whatever the cost model decides.
# cmake -DCONVGEN= -DCONFIG= -DISA= -DWORK_DIR= -DMIN_PACKED= -DMIN_BLOCKED=
execute_process(
  COMMAND "${CONVGEN}" generate "${CONFIG}" --out-dir "${WORK_DIR}" --isa "${ISA}" --report=json
  RESULT_VARIABLE rc OUTPUT_VARIABLE report ERROR_VARIABLE errors)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convgen generate failed (${rc}): ${errors}")
endif()
string(JSON count LENGTH "${report}" layers)
math(EXPR last "${count} - 1")
set(packed 0)
set(blocked 0)
foreach(i RANGE ${last})
  string(JSON strategy GET "${report}" layers ${i} strategy)
  string(JSON packed_strategy GET "${report}" layers ${i} packed_strategy)
  string(JSON ci_block GET "${report}" layers ${i} packed_ci_block)
  if(NOT packed_strategy STREQUAL strategy)
    math(EXPR packed "${packed} + 1")
    if(ci_block GREATER 0)
      math(EXPR blocked "${blocked} + 1")
    endif()
  elseif(NOT ci_block EQUAL 0)
    message(FATAL_ERROR "${ISA}: layer ${i} is not packed but has packed_ci_block ${ci_block}")
  endif()
endforeach()
if(packed LESS MIN_PACKED)
  message(FATAL_ERROR "${ISA}: ${packed} of ${count} layers of ${CONFIG} packed, fewer than ${MIN_PACKED}")
endif()
if(blocked LESS MIN_BLOCKED)
  message(FATAL_ERROR "${ISA}: ${blocked} of ${count} layers of ${CONFIG} reduce in blocks of input channels, fewer than ${MIN_BLOCKED}")
endif()
message(STATUS "${ISA}: ${packed} of ${count} layers packed, ${blocked} in blocks of input channels")
