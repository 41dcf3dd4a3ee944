# Keeps the goldens under generated/ equal to what convgen emits today: one
# folder per ISA of one config, <config> for scalar and <config>_<isa> for
# the others (generated/seeds, generated/seeds_avx2, ...).
#
#   -DMODE=check|refresh -DCONVGEN=<exe> -DCONFIG=<yaml> -DGOLDEN_DIR=<generated/>
#   -DISAS=<isa>,... -DWORK_DIR=<scratch dir> [-DREFRESH_HINT=<command shown on mismatch>]
#
# check: generate each ISA into WORK_DIR and compare byte for byte (the file
# set too), reporting every stale folder; refresh: generate and replace each
# folder's contents. Both generate from scratch so a file convgen stopped
# writing (fewer shards, say) shows up.
foreach(var IN ITEMS MODE CONVGEN CONFIG GOLDEN_DIR ISAS WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "generated.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT MODE MATCHES "^(check|refresh)$")
  message(FATAL_ERROR "generated.cmake: MODE must be check or refresh, not '${MODE}'")
endif()
string(REPLACE "," ";" isas "${ISAS}")
cmake_path(GET CONFIG STEM LAST_ONLY stem)

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
set(problems "")
set(summary "")
foreach(isa IN LISTS isas)
  if(isa STREQUAL "scalar")
    set(folder "${stem}")
  else()
    set(folder "${stem}_${isa}")
  endif()
  set(checked_in "${GOLDEN_DIR}/${folder}")
  set(work "${WORK_DIR}/${folder}")
  execute_process(COMMAND "${CONVGEN}" generate "${CONFIG}" --out-dir "${work}" --isa ${isa}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "convgen generate ${CONFIG} --isa ${isa} failed (exit ${rc}):\n${out}")
  endif()
  file(GLOB fresh RELATIVE "${work}" "${work}/*")
  list(REMOVE_ITEM fresh .convgen.lock)  # convgen's lock on the directory, not output
  list(SORT fresh)
  string(REPLACE ";" ", " fresh_text "${fresh}")

  if(MODE STREQUAL "refresh")
    file(REMOVE_RECURSE "${checked_in}")
    file(MAKE_DIRECTORY "${checked_in}")
    foreach(name IN LISTS fresh)
      file(COPY "${work}/${name}" DESTINATION "${checked_in}")
    endforeach()
    message(STATUS "Refreshed ${checked_in} (--isa ${isa}): ${fresh_text}")
    continue()
  endif()

  file(GLOB old RELATIVE "${checked_in}" "${checked_in}/*")
  list(SORT old)
  set(stale "")
  if(NOT fresh STREQUAL old)
    string(REPLACE ";" ", " old_text "${old}")
    if(NOT old_text)
      set(old_text "nothing (or the folder is missing)")
    endif()
    string(APPEND stale "  files: convgen writes ${fresh_text}; the checked-in folder holds ${old_text}\n")
  endif()
  foreach(name IN LISTS fresh)
    if(NOT EXISTS "${checked_in}/${name}")
      continue()
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${work}/${name}" "${checked_in}/${name}"
      RESULT_VARIABLE differs)
    if(differs)
      first_difference("${work}/${name}" "${checked_in}/${name}" where)
      string(APPEND stale "  ${name} differs, ${where}\n")
    endif()
  endforeach()
  if(stale)
    string(APPEND problems "${checked_in} (--isa ${isa}) is stale:\n${stale}")
  else()
    list(APPEND summary "${folder} (${fresh_text})")
  endif()
endforeach()
if(MODE STREQUAL "refresh")
  return()
endif()

if(problems)
  if(NOT REFRESH_HINT)
    set(REFRESH_HINT "cmake --build <build dir> --target refresh-generated")
  endif()
  message(FATAL_ERROR "generated/ is not what convgen generates from ${CONFIG}.\n"
                      "${problems}"
                      "If the change in convgen's output is intended, refresh and commit it:\n"
                      "    ${REFRESH_HINT}\n")
endif()
string(REPLACE ";" "; " summary "${summary}")
message(STATUS "${GOLDEN_DIR} matches convgen's output: ${summary}")
