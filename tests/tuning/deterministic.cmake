# `generate --tuning` is byte-deterministic and location-independent: the
# same tuning file's contents in two directories give identical files, whose
# banner names it by basename and content; the tuned files differ from the
# untuned ones (the choice changed the code).
# -DCONVGEN=... -DCONFIG=... -DTUNING=... -DWORK=dir
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/one ${WORK}/two/deeper)
get_filename_component(name ${TUNING} NAME)
configure_file(${TUNING} ${WORK}/one/${name} COPYONLY)
configure_file(${TUNING} ${WORK}/two/deeper/${name} COPYONLY)
foreach(run IN ITEMS one two/deeper none)
  set(tuning_args --tuning ${WORK}/${run}/${name})
  if(run STREQUAL "none")
    set(tuning_args "")
  endif()
  string(REPLACE "/" "_" out ${run})
  # --no-format: the layout is not what this checks, and formatting is most of the time.
  execute_process(COMMAND ${CONVGEN} generate ${CONFIG} --out-dir ${WORK}/out_${out} --no-format ${tuning_args}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "generate (${run}) failed: ${rc}\n${err}")
  endif()
endforeach()
file(GLOB files RELATIVE ${WORK}/out_one ${WORK}/out_one/*.h ${WORK}/out_one/*.cpp)
if(NOT files)
  message(FATAL_ERROR "nothing generated")
endif()
foreach(f IN LISTS files)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/out_one/${f} ${WORK}/out_two_deeper/${f}
                  RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    message(FATAL_ERROR "${f} differs between two copies of the same tuning file")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/out_one/${f} ${WORK}/out_none/${f}
                  RESULT_VARIABLE same)
  if(same EQUAL 0)
    message(FATAL_ERROR "${f} is the same with and without the tuning file")
  endif()
  file(STRINGS ${WORK}/out_one/${f} banner LIMIT_COUNT 3)
  if(NOT banner MATCHES "// Plans tuned by ${name} \\(content [0-9a-f]+\\)")
    message(FATAL_ERROR "${f}'s banner does not name ${name}: ${banner}")
  endif()
  file(STRINGS ${WORK}/out_none/${f} banner LIMIT_COUNT 3)
  if(banner MATCHES "tuned")
    message(FATAL_ERROR "${f} without a tuning file mentions one: ${banner}")
  endif()
endforeach()
