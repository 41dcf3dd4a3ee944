# Keeps generated/<config>/ equal to what convgen emits today.
#
#   -DMODE=check|refresh -DCONVGEN=<exe> -DCONFIG=<yaml> -DCHECKED_IN=<dir>
#   -DWORK_DIR=<scratch dir> [-DREFRESH_HINT=<command shown on mismatch>]
#
# check: generate into WORK_DIR and compare byte for byte (the file set too);
# refresh: generate and replace CHECKED_IN's contents. Both generate from
# scratch so a file convgen stopped writing (fewer shards, say) shows up.
foreach(var IN ITEMS MODE CONVGEN CONFIG CHECKED_IN WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "generated.cmake: -D${var}=... is required")
  endif()
endforeach()

# Sets <out> to where files <new> and <old> first differ: the line number and
# both versions of that line, so the CI log alone explains the failure.
# Works on the raw text: C++ is full of ';' and '[', which CMake lists mangle.
function(first_difference new old out)
  file(READ "${new}" a)
  file(READ "${old}" b)
  string(LENGTH "${a}" len_a)
  string(LENGTH "${b}" len_b)
  set(lo 0)  # the first lo characters agree
  set(hi ${len_a})
  if(len_b LESS hi)
    set(hi ${len_b})
  endif()
  while(lo LESS hi)  # binary search for the common prefix's length
    math(EXPR mid "(${lo} + ${hi} + 1) / 2")
    string(SUBSTRING "${a}" 0 ${mid} pa)
    string(SUBSTRING "${b}" 0 ${mid} pb)
    if(pa STREQUAL pb)
      set(lo ${mid})
    else()
      math(EXPR hi "${mid} - 1")
    endif()
  endwhile()
  string(SUBSTRING "${a}" 0 ${lo} prefix)
  string(REGEX MATCHALL "\n" newlines "${prefix}")
  list(LENGTH newlines line)
  string(FIND "${prefix}" "\n" line_start REVERSE)
  math(EXPR line_start "${line_start} + 1")
  foreach(which IN ITEMS a b)
    if(line_start LESS len_${which})
      string(SUBSTRING "${${which}}" ${line_start} -1 rest)
      string(FIND "${rest}" "\n" eol)
      string(SUBSTRING "${rest}" 0 ${eol} text_${which})
    else()
      set(text_${which} "<end of file>")
    endif()
  endforeach()
  math(EXPR line "${line} + 1")
  set(${out} "first at line ${line}:\n      checked in: ${text_b}\n      generated:  ${text_a}"
      PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND "${CONVGEN}" generate "${CONFIG}" --out-dir "${WORK_DIR}" --isa scalar
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convgen generate ${CONFIG} failed (exit ${rc}):\n${out}")
endif()
file(GLOB fresh RELATIVE "${WORK_DIR}" "${WORK_DIR}/*")
list(REMOVE_ITEM fresh .convgen.lock)  # convgen's lock on the directory, not output
list(SORT fresh)

if(MODE STREQUAL "refresh")
  file(REMOVE_RECURSE "${CHECKED_IN}")
  file(MAKE_DIRECTORY "${CHECKED_IN}")
  foreach(name IN LISTS fresh)
    file(COPY "${WORK_DIR}/${name}" DESTINATION "${CHECKED_IN}")
  endforeach()
  string(REPLACE ";" ", " fresh "${fresh}")
  message(STATUS "Refreshed ${CHECKED_IN}: ${fresh}")
  return()
elseif(NOT MODE STREQUAL "check")
  message(FATAL_ERROR "generated.cmake: MODE must be check or refresh, not '${MODE}'")
endif()

file(GLOB checked_in RELATIVE "${CHECKED_IN}" "${CHECKED_IN}/*")
list(SORT checked_in)
set(problems "")
if(NOT fresh STREQUAL checked_in)
  string(REPLACE ";" ", " fresh_text "${fresh}")
  string(REPLACE ";" ", " checked_in_text "${checked_in}")
  string(APPEND problems "  files: convgen writes ${fresh_text}; the checked-in folder holds ${checked_in_text}\n")
endif()
foreach(name IN LISTS fresh)
  if(NOT EXISTS "${CHECKED_IN}/${name}")
    continue()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK_DIR}/${name}" "${CHECKED_IN}/${name}"
    RESULT_VARIABLE differs)
  if(differs)
    first_difference("${WORK_DIR}/${name}" "${CHECKED_IN}/${name}" where)
    string(APPEND problems "  ${name} differs, ${where}\n")
  endif()
endforeach()

if(problems)
  if(NOT REFRESH_HINT)
    set(REFRESH_HINT "cmake --build <build dir> --target refresh-generated")
  endif()
  message(FATAL_ERROR "${CHECKED_IN} is stale: it is not what convgen generates from ${CONFIG}.\n"
                      "${problems}"
                      "If the change in convgen's output is intended, refresh and commit it:\n"
                      "    ${REFRESH_HINT}\n")
endif()
string(REPLACE ";" ", " fresh "${fresh}")
message(STATUS "${CHECKED_IN} matches convgen's output (${fresh})")
