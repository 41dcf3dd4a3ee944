# Cross-compiling for AArch64 Linux with Debian's g++-aarch64-linux-gnu, and
# running the binaries under qemu-user (qemu-aarch64, with the AArch64
# libraries of /usr/aarch64-linux-gnu): what the NEON conformance tests use
# on other hosts. CONVGEN_AARCH64_PREFIX changes the tool prefix (default
# aarch64-linux-gnu-); CONVGEN_AARCH64_SYSROOT the library root.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CONVGEN_AARCH64_PREFIX aarch64-linux-gnu- CACHE STRING "AArch64 tool prefix")
set(CONVGEN_AARCH64_SYSROOT /usr/aarch64-linux-gnu CACHE PATH "AArch64 libraries")
set(CMAKE_C_COMPILER ${CONVGEN_AARCH64_PREFIX}gcc)
set(CMAKE_CXX_COMPILER ${CONVGEN_AARCH64_PREFIX}g++)

set(CMAKE_FIND_ROOT_PATH ${CONVGEN_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# add_test(COMMAND <target>) and try_run() run AArch64 binaries through it.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${CONVGEN_AARCH64_SYSROOT})
