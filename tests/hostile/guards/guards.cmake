# Generates every config of this folder into WORK_DIR/<stem>/ and compiles
# main.cpp, which includes all their headers, with CXX. -DCONVGEN= -DCXX=
# -DSOURCE_DIR= -DWORK_DIR=
file(REMOVE_RECURSE "${WORK_DIR}")
file(GLOB configs "${SOURCE_DIR}/*.yaml")
set(sources "${SOURCE_DIR}/main.cpp")
foreach(config IN LISTS configs)
  cmake_path(GET config STEM stem)
  execute_process(COMMAND "${CONVGEN}" generate "${config}" --out-dir "${WORK_DIR}/${stem}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "convgen generate ${config}: exit ${rc}\n${err}")
  endif()
  list(APPEND sources "${WORK_DIR}/${stem}/${stem}.cpp")
endforeach()
set(include_args)
foreach(config IN LISTS configs)
  cmake_path(GET config STEM stem)
  list(APPEND include_args -I "${WORK_DIR}/${stem}")
endforeach()
execute_process(
  COMMAND "${CXX}" -std=c++17 -Wall -Werror -I "${WORK_DIR}" ${include_args} ${sources}
          -o "${WORK_DIR}/guards"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the headers do not compile together:\n${err}")
endif()
execute_process(COMMAND "${WORK_DIR}/guards" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "guards: exit ${rc}")
endif()
