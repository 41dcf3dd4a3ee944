# Build-time step: embeds templates/*.in into a C++ table, so the convgen
# binary is self-contained (nothing to locate at run time) and editing a
# template rebuilds convgen, which in turn regenerates every kernel.
#   cmake -DOUT=<file.inc> -DTEMPLATES=<a.in;b.in> -P EmbedTemplates.cmake
set(text "// Generated from templates/*.in by cmake/EmbedTemplates.cmake. Do not edit.\n")
foreach(path IN LISTS TEMPLATES)
  get_filename_component(name "${path}" NAME_WE)
  file(READ "${path}" body)
  string(FIND "${body}" ")cvgtpl\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter )cvgtpl\"")
  endif()
  string(APPEND text "{\"${name}\", R\"cvgtpl(${body})cvgtpl\"},\n")
endforeach()
# Rewrite only on change, so an unrelated rebuild does not recompile.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
  if(old STREQUAL text)
    return()
  endif()
endif()
file(WRITE "${OUT}" "${text}")
