# Helpers for the test-time scripts that turn a config into a conformance
# binary (tests/conformance/conformance_test.cpp, one Catch2 case per layer)
# with plain compiler commands: property.cmake and isa_conformance.cmake.
# They use compiler commands rather than CMake targets because the layers, or
# the compiler (a cross compiler, a SIMDe build), exist only at test time.
#
# The including script defines fail(what details), which must not return.

# "a,b,c" -> a;b;c. Lists travel through add_test() comma-separated because a
# ';' there would split the -D argument.
function(cg_split var text)
  string(REPLACE "," ";" list "${text}")
  set(${var} "${list}" PARENT_SCOPE)
endfunction()

# Seconds since `start` (a string(TIMESTAMP ... "%s") value), into `var`.
function(cg_elapsed var start)
  string(TIMESTAMP now "%s" UTC)
  math(EXPR seconds "${now} - ${start}")
  set(${var} ${seconds} PARENT_SCOPE)
endfunction()

# The first `max` lines of `text`, and a note of how many were left out: a
# SIMDe or template error can run to thousands of lines.
function(cg_head var text max)
  set(rest "${text}")
  set(head "")
  set(lines 0)
  while(lines LESS max)
    string(FIND "${rest}" "\n" pos)
    if(pos EQUAL -1)
      string(APPEND head "${rest}")
      set(rest "")
      break()
    endif()
    math(EXPR pos "${pos} + 1")
    string(SUBSTRING "${rest}" 0 ${pos} line)
    string(SUBSTRING "${rest}" ${pos} -1 rest)
    string(APPEND head "${line}")
    math(EXPR lines "${lines} + 1")
  endwhile()
  if(NOT rest STREQUAL "")
    string(REGEX MATCHALL "\n" more "${rest}")
    list(LENGTH more more)
    string(APPEND head "[... ${more} more lines]\n")
  endif()
  set(${var} "${head}" PARENT_SCOPE)
endfunction()

# cg_parallel(<jobs> <pool-dir> <results-var> <command>...) runs the commands
# (each a |-separated argument list), `jobs` at a time, and sets <results-var>
# to each one's exit status, in order; command i's stdout and stderr together
# are in <pool-dir>/<i>.out. `jobs` workers (this file run with cmake -P) take
# the next command from a shared counter under file(LOCK) until none is left,
# so a long command does not hold up the others; execute_process starts all
# its COMMANDs at once, which is the one way a CMake script runs processes in
# parallel (the workers print nothing, so its stdout pipes stay empty).
function(cg_parallel jobs pool results_var)
  set(commands ${ARGN})
  list(LENGTH commands n)
  file(REMOVE_RECURSE "${pool}")
  file(MAKE_DIRECTORY "${pool}")
  string(JOIN "\n" text ${commands})
  file(WRITE "${pool}/commands" "${text}\n")
  file(WRITE "${pool}/next" "0")
  set(workers "")
  foreach(k RANGE 1 ${jobs})
    if(k LESS_EQUAL n)
      list(APPEND workers COMMAND "${CMAKE_COMMAND}" "-DCG_POOL=${pool}" -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}")
    endif()
  endforeach()
  if(workers)
    execute_process(${workers} RESULTS_VARIABLE worker_results
                    OUTPUT_VARIABLE worker_out ERROR_VARIABLE worker_out)
  endif()
  set(results "")
  math(EXPR last "${n} - 1")
  if(n GREATER 0)
    foreach(i RANGE ${last})
      if(EXISTS "${pool}/${i}.rc")
        file(READ "${pool}/${i}.rc" rc)
      else()
        set(rc "not run (${worker_out})")
      endif()
      list(APPEND results "${rc}")
    endforeach()
  endif()
  set(${results_var} "${results}" PARENT_SCOPE)
endfunction()

# A worker of cg_parallel().
if(CG_POOL AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  cmake_minimum_required(VERSION 3.25)
  file(STRINGS "${CG_POOL}/commands" commands ENCODING UTF-8)
  list(LENGTH commands n)
  while(TRUE)
    file(LOCK "${CG_POOL}/lock" GUARD PROCESS TIMEOUT 600)
    file(READ "${CG_POOL}/next" i)
    math(EXPR next "${i} + 1")
    file(WRITE "${CG_POOL}/next" "${next}")
    file(LOCK "${CG_POOL}/lock" RELEASE)
    if(i GREATER_EQUAL n)
      break()
    endif()
    list(GET commands ${i} cmd)
    string(REPLACE "|" ";" cmd "${cmd}")
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    file(WRITE "${CG_POOL}/${i}.out" "${out}")
    file(WRITE "${CG_POOL}/${i}.rc" "${rc}")
  endwhile()
  return()
endif()

# cg_compile(<jobs> <pool-dir> NAMES <name>... COMMANDS <command>...
#            [REPORTS <convgen --report output file>...]): runs the compile (or
# link) commands and calls fail() naming every one that failed, with the
# first diagnostics of the first two and the first error of the rest; and,
# given the --report outputs, the report lines of the layers whose functions
# the errors are in.
function(cg_compile jobs pool)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "NAMES;COMMANDS;REPORTS")
  cg_parallel(${jobs} "${pool}" results ${arg_COMMANDS})
  set(failed "")
  set(diagnostics "")
  set(functions "")
  set(i 0)
  foreach(result IN LISTS results)
    if(NOT result EQUAL 0)
      list(GET arg_NAMES ${i} name)
      list(APPEND failed ${name})
      set(out "")
      if(EXISTS "${pool}/${i}.out")
        file(READ "${pool}/${i}.out" out)
      endif()
      string(REGEX MATCHALL "In function [^\n]*" in_function "${out}")
      list(APPEND functions ${in_function})
      list(LENGTH failed nfailed)
      if(nfailed LESS_EQUAL 2)
        cg_head(out "${out}" 30)
      else()
        string(REGEX MATCH "[^\n]*error:[^\n]*" out "${out}")
        string(APPEND out "\n")
      endif()
      string(APPEND diagnostics "==== ${name} (exit ${result}; all of it in ${pool}/${i}.out):\n${out}")
    endif()
    math(EXPR i "${i} + 1")
  endforeach()
  if(NOT failed)
    return()
  endif()
  # Generated functions live in namespace <ns>::<layer>: name the layers.
  string(REGEX MATCHALL "[A-Za-z0-9_]+::" scopes "${functions}")
  list(REMOVE_DUPLICATES scopes)
  set(layer_lines "")
  foreach(report IN LISTS arg_REPORTS)
    file(READ "${report}" text)
    cg_report_layers(layers "${text}")
    foreach(line IN LISTS layers)
      string(REGEX REPLACE ":.*" "" layer "${line}")
      if("${layer}::" IN_LIST scopes)
        list(APPEND layer_lines "${line}")
      endif()
    endforeach()
  endforeach()
  if(layer_lines)
    list(LENGTH layer_lines n)
    list(SUBLIST layer_lines 0 20 shown)
    string(REPLACE ";" "\n    " shown "${shown}")
    string(APPEND diagnostics "==== ${n} layers have errors (convgen --report), from:\n    ${shown}\n")
  endif()
  string(REPLACE ";" ", " failed "${failed}")
  fail("compiling ${failed} failed" "${diagnostics}")
endfunction()

# The namespace: line of a config.
function(cg_namespace var yaml)
  file(STRINGS "${yaml}" ns_line REGEX "^namespace:")
  string(REGEX REPLACE "^namespace: *([A-Za-z0-9_:]+).*" "\\1" ns "${ns_line}")
  if(NOT ns MATCHES "^[A-Za-z0-9_:]+$")
    fail("no namespace: line in ${yaml}" "")
  endif()
  set(${var} "${ns}" PARENT_SCOPE)
endfunction()

# The -D flags that point conformance_test.cpp at a generated header, as
# tests/CMakeLists.txt's convgen_conformance() derives them.
function(cg_harness_defines var yaml namespace)
  cmake_path(GET yaml STEM LAST_ONLY stem)
  string(TOUPPER "${stem}" upper)
  string(MAKE_C_IDENTIFIER "${upper}" upper)
  set(${var} "-DCONVGEN_HEADER=\"${stem}.h\"" "-DCONVGEN_NAMESPACE=${namespace}"
      "-DCONVGEN_LAYERS=CONVGEN_${upper}_LAYERS" PARENT_SCOPE)
endfunction()

# The layer lines of a `convgen generate --report` output ("name: kernel"),
# as a list of "name: kernel" strings.
function(cg_report_layers var report)
  string(REGEX MATCHALL "(^|\n)[A-Za-z_][A-Za-z0-9_]*: [A-Za-z0-9_]+" lines "${report}")
  set(layers "")
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    list(APPEND layers "${line}")
  endforeach()
  set(${var} "${layers}" PARENT_SCOPE)
endfunction()

# A directory holding catch2/catch.hpp and nothing else, so that a cross
# compile can find Catch2 (header-only) without -I of the host's /usr/include.
function(cg_catch_include var work_dir catch_include)
  set(header "${catch_include}/catch2/catch.hpp")
  if(NOT EXISTS "${header}")
    fail("no Catch2 header at ${header}" "")
  endif()
  set(dir "${work_dir}/catch-include")
  file(MAKE_DIRECTORY "${dir}/catch2")
  if(NOT EXISTS "${dir}/catch2/catch.hpp")
    file(CREATE_LINK "${header}" "${dir}/catch2/catch.hpp" SYMBOLIC COPY_ON_ERROR)
  endif()
  set(${var} "${dir}" PARENT_SCOPE)
endfunction()

# Catch2's main takes longer to compile than a typical shard and never
# changes: cg_catch_main(<object-var> <command-var> <cache-dir> <cxx> <flag>...)
# names the cached object for this compiler and flags, and the command that
# (re)builds it, or "" when it is current.
function(cg_catch_main object_var command_var cache_dir cxx)
  set(flags ${ARGN})
  string(JOIN "|" key "${cxx}" ${flags})
  string(MD5 key "${key}")
  set(object "${cache_dir}/catch_main-${key}.o")
  set(command "")
  if(NOT EXISTS "${object}" OR "${SOURCE_DIR}/tests/catch_main.cpp" IS_NEWER_THAN "${object}")
    file(MAKE_DIRECTORY "${cache_dir}")
    string(JOIN "|" command "${cxx}" ${flags} -c "${SOURCE_DIR}/tests/catch_main.cpp" -o "${object}")
  endif()
  set(${object_var} "${object}" PARENT_SCOPE)
  set(${command_var} "${command}" PARENT_SCOPE)
endfunction()

# Checks one conformance binary's Catch2 console output: it passed, ran
# `expected` test cases (one per layer), and skipped none (the harness WARNs
# "SKIPPED" for an ISA the CPU lacks, which must not pass for a run).
# Sets `var` to "" when all is well, else to what went wrong.
function(cg_check_output var output rc expected)
  set(problem "")
  if(NOT rc EQUAL 0)
    set(problem "exit status ${rc}")
  elseif(NOT output MATCHES "All tests passed \\(([0-9]+) assertions? in ([0-9]+) test cases?\\)")
    set(problem "no 'All tests passed' summary")
  elseif(NOT CMAKE_MATCH_2 EQUAL expected)
    set(problem "ran ${CMAKE_MATCH_2} test cases, expected ${expected} (one per layer)")
  elseif(output MATCHES "SKIPPED [A-Za-z0-9_]+: ")
    set(problem "the harness skipped layers")
  endif()
  set(${var} "${problem}" PARENT_SCOPE)
endfunction()
