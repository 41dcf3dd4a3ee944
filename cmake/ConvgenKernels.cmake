# convgen_add_kernels(<target> CONFIG <file.yaml>
#                     [ISA <isa>] [OUT_DIR <dir>] [SHARDS <n>] [UNROLL_BUDGET <n>]
#                     [WEIGHTS_SHARDS <n>] [TUNING <file.json>] [NO_FORMAT])
#
# Generates the kernels of every layer of CONFIG at build time and builds them
# into the static library <target>, whose include directory holds the
# generated header <NAME>.h (for NAME.yaml). Link it and include the header:
#
#   convgen_add_kernels(net_kernels CONFIG net.yaml)
#   target_link_libraries(app PRIVATE net_kernels)
#
# The generator runs again when the config or convgen itself (and so its
# embedded templates) changes; convgen rewrites a file only when its content
# changes, so nothing recompiles needlessly. Outputs are known from the
# arguments alone: no configure-time run of convgen. A config with baked
# weights (a top-level `weights:` line) also gets NAME_weights_0.cpp ...
# NAME_weights_<n-1>.cpp (WEIGHTS_SHARDS, default 1), and regenerates when
# the weights file changes. NO_FORMAT skips libFormat (convgen generate
# --no-format): the same code, unindented, generated several times faster;
# for large machine-made configs nobody reads. TUNING plans the layers with
# the choices of a tuning file (`convgen tune`; convgen generate --tuning),
# and regenerates when it changes.
function(convgen_add_kernels target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_FORMAT"
                        "CONFIG;ISA;OUT_DIR;SHARDS;UNROLL_BUDGET;WEIGHTS_SHARDS;TUNING" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "convgen_add_kernels: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_CONFIG)
    message(FATAL_ERROR "convgen_add_kernels(${target}): CONFIG <file.yaml> is required")
  endif()
  if(NOT TARGET convgen::convgen)
    message(FATAL_ERROR "convgen_add_kernels: the convgen::convgen executable target is missing; "
                        "use find_package(convgen) or add convgen's source tree first")
  endif()
  cmake_path(ABSOLUTE_PATH arg_CONFIG BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
             OUTPUT_VARIABLE config)
  cmake_path(GET config STEM LAST_ONLY stem)
  if(NOT stem MATCHES "^[A-Za-z0-9][A-Za-z0-9_-]*$")
    message(FATAL_ERROR "convgen_add_kernels(${target}): config name '${stem}' cannot name "
                        "generated files: use letters, digits, '_' and '-'")
  endif()
  if(NOT arg_OUT_DIR)
    set(arg_OUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/${target}")
  endif()
  if(NOT arg_SHARDS)
    set(arg_SHARDS 1)
  endif()

  # The same naming rule as convgen's outputFileNames().
  set(sources "")
  if(arg_SHARDS EQUAL 1)
    list(APPEND sources "${arg_OUT_DIR}/${stem}.cpp")
  else()
    math(EXPR last "${arg_SHARDS} - 1")
    foreach(k RANGE ${last})
      list(APPEND sources "${arg_OUT_DIR}/${stem}_${k}.cpp")
    endforeach()
  endif()
  set(header "${arg_OUT_DIR}/${stem}.h")

  # Baked weights: the config's top-level `weights: FILE` line (a config
  # generated at build time is not read here: give it WEIGHTS_SHARDS).
  set(weights_line "")
  set(weights_depends "")
  set(baked FALSE)
  if(EXISTS "${config}")
    file(STRINGS "${config}" weights_line REGEX "^weights:")
  endif()
  if(weights_line)
    set(baked TRUE)
    string(REGEX REPLACE "^weights: *['\"]?([^'\"#]*[^'\"# ])['\"]? *(#.*)?$" "\\1" weights_file
           "${weights_line}")
    cmake_path(GET config PARENT_PATH config_dir)
    cmake_path(ABSOLUTE_PATH weights_file BASE_DIRECTORY "${config_dir}"
               OUTPUT_VARIABLE weights_depends)
  elseif(arg_WEIGHTS_SHARDS AND EXISTS "${config}")
    message(FATAL_ERROR "convgen_add_kernels(${target}): WEIGHTS_SHARDS without a top-level "
                        "'weights:' line in ${config}")
  elseif(arg_WEIGHTS_SHARDS)
    set(baked TRUE)
  endif()
  if(baked)
    if(NOT arg_WEIGHTS_SHARDS)
      set(arg_WEIGHTS_SHARDS 1)
    endif()
    math(EXPR last "${arg_WEIGHTS_SHARDS} - 1")
    foreach(k RANGE ${last})
      list(APPEND sources "${arg_OUT_DIR}/${stem}_weights_${k}.cpp")
    endforeach()
  endif()

  set(options --shards ${arg_SHARDS})
  if(arg_ISA)
    list(APPEND options --isa ${arg_ISA})
  endif()
  if(arg_UNROLL_BUDGET)
    list(APPEND options --unroll-budget ${arg_UNROLL_BUDGET})
  endif()
  if(baked)
    list(APPEND options --weights-shards ${arg_WEIGHTS_SHARDS})
  endif()
  if(arg_NO_FORMAT)
    list(APPEND options --no-format)
  endif()
  set(tuning_depends "")
  if(arg_TUNING)
    cmake_path(ABSOLUTE_PATH arg_TUNING BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
               OUTPUT_VARIABLE tuning_depends)
    list(APPEND options --tuning ${tuning_depends})
  endif()
  add_custom_command(
    OUTPUT ${header} ${sources}
    COMMAND convgen::convgen generate ${config} --out-dir ${arg_OUT_DIR} ${options}
    DEPENDS ${config} ${weights_depends} ${tuning_depends} convgen::convgen
    COMMENT "convgen: generating kernels for ${stem}.yaml"
    VERBATIM)

  add_library(${target} STATIC ${header} ${sources})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${arg_OUT_DIR}>")
  target_compile_features(${target} PUBLIC cxx_std_17)
endfunction()
