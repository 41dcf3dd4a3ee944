# Runs a fuzz target for ctest (see FuzzTests.cmake).
#   -DMODE=replay  every file of REGRESSIONS and SEEDS once: exit 0 or fail
#   -DMODE=fuzz    SECONDS of fuzzing from SEEDS (a fresh corpus in WORK_DIR),
#                  with a per-input timeout and a memory limit; the final
#                  stats (executions, coverage) are printed
#   -DFUZZER=exe [-DDICT=file] -DSEEDS=dir|dir|... -DREGRESSIONS=dir
#   -DWORK_DIR=dir -DARTIFACTS=dir/ (where a failing input is written)
foreach(var IN ITEMS MODE FUZZER SEEDS REGRESSIONS WORK_DIR ARTIFACTS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${ARTIFACTS}")
string(REPLACE "|" ";" SEEDS "${SEEDS}")
# Input limits: 10 s per input (the reader is linear; a slow input is a bug),
# 2 GiB of memory, inputs up to 64 KiB (every seed is far smaller).
set(limits -timeout=10 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix=${ARTIFACTS})

if(MODE STREQUAL "replay")
  set(inputs "")
  foreach(dir IN LISTS REGRESSIONS SEEDS)
    file(GLOB found LIST_DIRECTORIES false "${dir}/*")
    list(APPEND inputs ${found})
  endforeach()
  list(FILTER inputs EXCLUDE REGEX "/README[^/]*$")
  list(LENGTH inputs count)
  if(count EQUAL 0)
    message(STATUS "${FUZZER}: no regression inputs or seeds to replay")
    return()
  endif()
  execute_process(COMMAND "${FUZZER}" ${limits} ${inputs} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (exit ${rc}) on one of ${count} inputs:\n${out}")
  endif()
  message(STATUS "${FUZZER}: ${count} regression and seed inputs ran cleanly")
elseif(MODE STREQUAL "fuzz")
  if(NOT SECONDS)
    message(FATAL_ERROR "run_fuzzer.cmake: -DSECONDS=... is required for MODE=fuzz")
  endif()
  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}/corpus")
  set(dict "")
  if(DICT)
    set(dict -dict=${DICT})
  endif()
  execute_process(COMMAND "${FUZZER}" ${limits} ${dict} -max_total_time=${SECONDS}
                          -print_final_stats=1 "${WORK_DIR}/corpus" ${SEEDS}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(REGEX MATCH "#[0-9]+[^\n]*DONE[^\n]*" done_line "${out}")
  string(REGEX MATCHALL "stat::[^\n]*" stats "${out}")
  string(REPLACE ";" "\n  " stats "${stats}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} found a failure (exit ${rc}). The input is in "
                        "${ARTIFACTS} (crash-*, timeout-*, oom-*): replay it with\n"
                        "  ${FUZZER} <file>\nfix the bug, and add the file to "
                        "${REGRESSIONS}/ (docs/fuzzing.md).\n${out}")
  endif()
  message(STATUS "${FUZZER}: ${SECONDS} s clean\n  ${done_line}\n  ${stats}")
else()
  message(FATAL_ERROR "run_fuzzer.cmake: MODE must be replay or fuzz, not '${MODE}'")
endif()
