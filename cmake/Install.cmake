# Install + export, so that a separate project can write
#
#   find_package(convgen CONFIG REQUIRED)
#   convgen_add_kernels(net CONFIG net.yaml)
#   target_link_libraries(app PRIVATE net)
#
# exactly as it would inside this tree. What a user needs at build time is the
# generator (convgen::convgen), the CMake function, and the reference library
# their tests may compare against (convgen::reference). convgen_core stays
# internal: the executable links it statically, so nothing downstream needs it.
#
# Off by default under add_subdirectory(): a parent project that vendors
# convgen to generate its kernels usually should not ship convgen too.
option(CONVGEN_INSTALL "Generate convgen's install rules and package files" ${PROJECT_IS_TOP_LEVEL})
if(NOT CONVGEN_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CONVGEN_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/convgen"
    CACHE STRING "Where convgen's CMake package files are installed, relative to the prefix")

# Exported names must match the in-tree aliases (convgen::convgen,
# convgen::reference) so convgen_add_kernels() and user code cannot tell the
# two apart.
set_target_properties(convgen_reference PROPERTIES EXPORT_NAME reference)
# Keep non-system link directories (an LLVM outside the default search path)
# in the installed binary's RUNPATH; the build-tree RUNPATH is dropped on
# install.
set_target_properties(convgen PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS convgen convgen_reference
  EXPORT convgenTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/convgen/reference.h
              ${PROJECT_SOURCE_DIR}/runtime/include/convgen/pool_reference.h
              ${PROJECT_SOURCE_DIR}/runtime/include/convgen/reference_epilogue.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/convgen)

install(EXPORT convgenTargets
  NAMESPACE convgen::
  DESTINATION ${CONVGEN_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/convgenConfig.cmake.in
  ${PROJECT_BINARY_DIR}/convgenConfig.cmake
  INSTALL_DESTINATION ${CONVGEN_INSTALL_CMAKEDIR})
# Generated code and the generator's command line change between minor
# versions while convgen is 0.x; require the same minor version until 1.0.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/convgenConfig.cmake
  ${PROJECT_BINARY_DIR}/convgenConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/ConvgenKernels.cmake
  DESTINATION ${CONVGEN_INSTALL_CMAKEDIR})
