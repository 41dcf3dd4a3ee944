#!/usr/bin/env bash
# Builds a config's generated kernels for Cortex-M as firmware would, and
# proves they need no library: every undefined symbol of every object must
# be a compiler helper (__aeabi_*) or memcpy/memset, which freestanding
# code generation may emit. Prints object sizes (arm-none-eabi-size) and
# the flash bytes of each layer's code and constants (arm-none-eabi-nm -S).
#
#   build_firmware.sh CONVGEN CONFIG OUT_DIR
#
# Exit status: 0 pass, 1 failure, 77 skipped (no arm-none-eabi-g++, -nm or -size),
# the SKIP_RETURN_CODE of every skippable convgen test.
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 CONVGEN CONFIG OUT_DIR" >&2
  exit 1
fi
convgen=$1 config=$2 out=$3
cxx=${ARM_NONE_EABI_CXX:-arm-none-eabi-g++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "SKIP: $cxx not found: the Cortex-M builds need Debian's gcc-arm-none-eabi and" \
       "libstdc++-arm-none-eabi-dev (apt-get install --no-install-recommends ...)"
  exit 77
fi
tool_dir=$(dirname "$(command -v "$cxx")")
nm=$tool_dir/arm-none-eabi-nm
size=$tool_dir/arm-none-eabi-size
[ -x "$size" ] || size=$(command -v llvm-size-14 || command -v llvm-size || true)
for tool in "$nm" "$size"; do
  if [ -z "$tool" ] || [ ! -x "$tool" ]; then
    echo "SKIP: ${tool:-arm-none-eabi-size} not found: the Cortex-M builds need Debian's" \
         "binutils-arm-none-eabi (apt-get install --no-install-recommends ...)"
    exit 77
  fi
done

# The flags docs/firmware.md documents; -Werror: generated code is warning-free.
common=(-std=c++17 -O2 -ffreestanding -fno-exceptions -fno-rtti -nostdlib
        -Wall -Wextra -Werror -c)
declare -A cpu_flags=(
  [cortex-m4]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
  [cortex-m55]="-mcpu=cortex-m55 -mthumb -mfloat-abi=hard"
)
cpus=(cortex-m4 cortex-m55)

stem=$(basename "$config" .yaml)
gen=$out/generated
rm -rf "$out"
mkdir -p "$gen"
# Firmware gets the portable kernels whatever ISA the config names.
"$convgen" generate "$config" --out-dir "$gen" --isa scalar

# The layers in config order, from the header's X-macro
# (#define CONVGEN_<NAME>_LAYERS(X) X(a) X(b) ...), and the namespace.
ns=$(sed -n 's/^namespace: *\([A-Za-z0-9_:]*\).*/\1/p' "$config")
# (continuation lines joined first: a long list is wrapped).
layers=$(sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$gen/$stem.h" |
  sed -n 's/^#define CONVGEN_[A-Za-z0-9_]*_LAYERS(X) *\(X(.*\)$/\1/p' | sed 's/X(\([A-Za-z0-9_]*\))/\1/g')

status=0
declare -A layer_bytes=()
for cpu in "${cpus[@]}"; do
  mkdir -p "$out/$cpu"
  for src in "$gen"/*.cpp; do
    obj=$out/$cpu/$(basename "$src" .cpp).o
    # shellcheck disable=SC2086  # the flags are words
    "$cxx" "${common[@]}" ${cpu_flags[$cpu]} -I "$gen" "$src" -o "$obj"
    sizes=$("$size" "$obj" | awk 'NR == 2 {print "text " $1 ", data " $2 ", bss " $3 " bytes"}')
    # Helium (MVE) instructions: what auto-vectorization made of the kernels.
    mve=""
    if [ "$cpu" = cortex-m55 ] && [ -x "$tool_dir/arm-none-eabi-objdump" ]; then
      mve=", $("$tool_dir/arm-none-eabi-objdump" -d "$obj" | grep -cE '\sv[a-z0-9.]+\s+q[0-9]' || true) MVE instructions"
    fi
    echo "$cpu $(basename "$src"): $sizes$mve"
    # Flash bytes per layer: the code and constants under <ns>::<layer>::
    # and its extern "C" entry. The compiler merges identical functions of
    # identical layers (-fipa-icf); merged code counts once, for the first.
    while read -r layer bytes; do
      layer_bytes[$layer/$cpu]=$(( ${layer_bytes[$layer/$cpu]:-0} + bytes ))
    done < <("$nm" -S -C -t d --defined-only "$obj" | awk -v ns="$ns" -v layers="$layers" '
      BEGIN { n = split(layers, order, " ") }
      NF >= 4 {
        name = $4; for (i = 5; i <= NF; ++i) name = name " " $i
        key = $3 ":" $1
        if (key in seen) next
        for (i = 1; i <= n; ++i) {
          # in the layer namespace, or one of its extern C entry points
          c = ns "_" order[i] "_"; gsub(/::/, "_", c)
          entry = substr(name, length(c) + 1)
          if (index(name, ns "::" order[i] "::") == 1 ||
              (index(name, c) == 1 && entry ~ /^(forward|pack_weights|forward_packed|forward_partition|forward_packed_partition)$/)) {
            seen[key] = 1; bytes[order[i]] += $2; break
          }
        }
      }
      END { for (i = 1; i <= n; ++i) print order[i], bytes[order[i]] + 0 }')
  done
done

# Linked together (a partial link: baked weights live in their own
# objects), the objects need nothing but the compiler's helpers.
for cpu in "${cpus[@]}"; do
  # shellcheck disable=SC2086
  "$cxx" ${cpu_flags[$cpu]} -r -nostdlib "$out/$cpu"/*.o -o "$out/$cpu/all.o"
  undefined=$("$nm" -u "$out/$cpu/all.o" | awk '{print $NF}' | grep -Ev '^(__aeabi_[A-Za-z0-9_]+|memcpy|memset)$' || true)
  if [ -n "$undefined" ]; then
    echo "FAIL: the objects for $cpu need a library:" $undefined
    status=1
  fi
  echo "$cpu total: $("$size" "$out/$cpu/all.o" | awk 'NR == 2 {print "text " $1 ", data " $2 ", bss " $3 " bytes"}')"
done
# A network's arena (RAM), from its header.
arena=$(sed -n 's/^inline constexpr std::size_t arena_bytes = \([0-9]*\);/\1/p' "$gen/$stem.h")
if [ -n "$arena" ]; then echo "$stem: arena $arena bytes"; fi

echo
printf '%-30s' "$stem: flash bytes per layer"
for cpu in "${cpus[@]}"; do printf '%12s' "$cpu"; done
echo
for layer in $layers; do
  printf '  %-28s' "$ns::$layer"
  for cpu in "${cpus[@]}"; do printf '%12s' "${layer_bytes[$layer/$cpu]:-0}"; done
  echo
done
exit $status
