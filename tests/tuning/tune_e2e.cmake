# `convgen tune` for real on a tiny config: compiles and runs the timing
# programs, writes well-formed JSON with an entry per layer shape, and
# `generate --tuning` accepts what it wrote.
# -DCONVGEN=... -DCONFIG=... -DWORK=dir -DCXX=compiler
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${CONVGEN} tune ${CONFIG} --isa native --candidates 2 --repetitions 3
                        --cxx ${CXX} --out ${WORK}/tuning.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tune failed (${rc}):\n${out}\n${err}")
endif()
# One summary line per layer shape.
if(NOT out MATCHES "(^|\n)a: default oc[0-9]+xr[0-9]+v[0-9]+d? [0-9.]+ us.* -> chosen oc"
   OR NOT out MATCHES "\nb: default .* -> chosen ")
  message(FATAL_ERROR "no summary line per layer:\n${out}")
endif()
file(READ ${WORK}/tuning.json json)
string(JSON version ERROR_VARIABLE bad GET "${json}" convgen_tuning)
if(bad OR NOT version EQUAL 1)
  message(FATAL_ERROR "not a tuning file (${bad}):\n${json}")
endif()
string(JSON count LENGTH "${json}" layers)
if(NOT count EQUAL 2)
  message(FATAL_ERROR "${count} entries, expected 2:\n${json}")
endif()
string(JSON first MEMBER "${json}" layers 0)
string(JSON oc GET "${json}" layers "${first}" forward oc_tile)
string(JSON measured LENGTH "${json}" layers "${first}" measured_us)
if(oc LESS 1 OR measured LESS 2)
  message(FATAL_ERROR "entry '${first}' lacks its tile or measurements:\n${json}")
endif()
file(GLOB left ${WORK}/*.tmp-*)
if(left)
  message(FATAL_ERROR "temporaries left behind: ${left}")
endif()
execute_process(COMMAND ${CONVGEN} generate ${CONFIG} --isa native --out-dir ${WORK}/out
                        --tuning ${WORK}/tuning.json
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generate --tuning rejects tune's file (${rc}):\n${err}")
endif()
