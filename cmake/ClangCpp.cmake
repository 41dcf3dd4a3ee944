# libclang-cpp as the imported target convgen_clang_cpp: the generator formats
# its output with libFormat and the verifier parses it with libTooling.
#
# Clang is imported by hand rather than with find_package(Clang): Debian's
# ClangTargets.cmake stops with a FATAL_ERROR unless every clang tool
# (clang-tools-14, clang-tidy-14, clangd-14, clang-format-14) is installed,
# although libclang-14-dev depends on none of them. The one library
# needed is libclang-cpp, next to libLLVM, with its headers in LLVM's include dir.
if(NOT TARGET convgen_clang_cpp)
  find_library(CONVGEN_CLANG_CPP_LIBRARY
    NAMES clang-cpp libclang-cpp.so.${LLVM_VERSION_MAJOR}
    HINTS ${LLVM_LIBRARY_DIR} NO_DEFAULT_PATH)
  if(NOT CONVGEN_CLANG_CPP_LIBRARY OR NOT EXISTS "${LLVM_INCLUDE_DIRS}/clang/Tooling/Tooling.h")
    message(FATAL_ERROR "convgen's verifier needs Clang ${LLVM_VERSION_MAJOR}'s libTooling: "
                        "install libclang-${LLVM_VERSION_MAJOR}-dev, or configure with "
                        "-DCONVGEN_BUILD_VERIFIER=OFF")
  endif()
  add_library(convgen_clang_cpp SHARED IMPORTED GLOBAL)
  set_target_properties(convgen_clang_cpp PROPERTIES
    IMPORTED_LOCATION "${CONVGEN_CLANG_CPP_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LLVM_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES LLVM)
endif()
