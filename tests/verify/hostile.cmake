# Hostile inputs for `convgen verify` (issue 9): each CASE writes its input
# into WORK_DIR at test time, runs convgen verify on it and checks the exit
# status and the message. None may crash or hang (ctest's TIMEOUT turns a
# hang into a failure).
#   cmake -DCONVGEN=... -DHOSTILE_INPUT=... -DCASE=deep_calls -DWORK_DIR=... -P hostile.cmake
# Cases:
#   deep_calls       a 100,000-deep call chain from an unrolled_ function to
#                    a loop: found, not a stack overflow
#   huge_expr        a 200,000-term expression, which overflowed Clang's own
#                    recursion on the default 8 MiB stack: verified (ok) on
#                    the verifier's 64 MiB one
#   huge_expr_crash  2,000,000 terms: beyond even the verifier's large stack,
#                    so Clang crashes; reported as a tool failure (exit 3)
#   dev_zero         /dev/zero as the file: refused, not read
#   fifo             a FIFO as the file: refused, not opened (which blocks)
#   include_urandom  #include "/dev/urandom": a violation, not ok
#   include_fifo     #include of a FIFO next to the file: a violation, no hang
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

macro(write_input kind count path)
  execute_process(COMMAND ${HOSTILE_INPUT} ${kind} ${count} ${path} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "hostile_input ${kind} ${count} failed: ${rc}")
  endif()
endmacro()

if(CASE STREQUAL "deep_calls")
  set(n 100000)
  set(file "${WORK_DIR}/deep_calls.cpp")
  write_input(calls ${n} "${file}")
  math(EXPR entry_line "${n} + 1")
  math(EXPR last "${n} - 1")
  set(expect_rc 1)
  set(expect_err "deep_calls.cpp:${entry_line}:40: error: \\[unrolled-no-loop\\] 'unrolled_entry' "
                 "calls 'f${last}', which loops: functions named unrolled_\\* must be "
                 "straight-line code\n$")
elseif(CASE STREQUAL "huge_expr")
  set(file "${WORK_DIR}/huge_expr.cpp")
  write_input(sum 200000 "${file}")
  set(expect_rc 0)
  set(expect_err "^$")
elseif(CASE STREQUAL "huge_expr_crash")
  set(file "${WORK_DIR}/huge_expr.cpp")
  write_input(sum 2000000 "${file}")
  set(expect_rc 3)
  set(expect_err "^convgen: error: [^\n]*huge_expr.cpp: Clang crashed while parsing the file")
elseif(CASE STREQUAL "dev_zero")
  set(file /dev/zero)
  set(expect_rc 3)
  set(expect_err "^convgen: error: /dev/zero: not a regular file\n$")
elseif(CASE STREQUAL "fifo")
  set(file "${WORK_DIR}/fifo.cpp")
  execute_process(COMMAND mkfifo "${file}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mkfifo failed: ${rc}")
  endif()
  set(expect_rc 3)
  set(expect_err "^convgen: error: .*fifo.cpp: not a regular file\n$")
elseif(CASE STREQUAL "include_urandom")
  file(WRITE "${WORK_DIR}/urandom.cpp" "#include \"/dev/urandom\"\nint f() noexcept { return 0; }\n")
  set(file "${WORK_DIR}/urandom.cpp")
  set(expect_rc 1)
  set(expect_err "urandom.cpp:1:1: error: \\[allowed-includes\\] \"/dev/urandom\" is not a regular "
                 "file: generated code includes only standard headers, its ISA's intrinsics "
                 "header and its own header")
elseif(CASE STREQUAL "include_fifo")
  execute_process(COMMAND mkfifo "${WORK_DIR}/pipe.h" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "mkfifo failed: ${rc}")
  endif()
  file(WRITE "${WORK_DIR}/pipe.cpp" "#include \"pipe.h\"\nint f() noexcept { return 0; }\n")
  set(file "${WORK_DIR}/pipe.cpp")
  set(expect_rc 1)
  set(expect_err "pipe.cpp:1:1: error: \\[allowed-includes\\] \"pipe.h\" is not a regular file: "
                 "generated code includes only standard headers, its ISA's intrinsics header and "
                 "its own header")
else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()

string(CONCAT expect_err ${expect_err})
execute_process(COMMAND ${CONVGEN} verify --quiet ${file}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${expect_rc}")
  string(SUBSTRING "${err}" 0 4000 err_head)
  message(FATAL_ERROR "${CASE}: exit status '${rc}', expected ${expect_rc}\nstdout:\n${out}\n"
                      "stderr (head):\n${err_head}")
endif()
if(NOT err MATCHES "${expect_err}")
  string(SUBSTRING "${err}" 0 4000 err_head)
  message(FATAL_ERROR "${CASE}: stderr does not match '${expect_err}':\n${err_head}")
endif()
message("${CASE}: exit ${rc} as expected")
