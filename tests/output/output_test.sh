#!/usr/bin/env bash
# Regression tests of `convgen generate`'s write path (output.h), one case
# per ctest test:
#
#   output_test.sh CASE CONVGEN CXX CONFIGS WORK
#
# CASE is enospc, readonly, efbig, kill_hook, kill_random, concurrent, mismatch or
# not_regular; CONFIGS holds a/net.yaml and b/net.yaml (same stem, different
# shapes); WORK is a scratch directory. Exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail

case_name=$1 convgen=$2 cxx=$3 configs=$4 work=$5
A=$configs/a/net.yaml
B=$configs/b/net.yaml

fail() { echo "FAIL ($case_name): $*" >&2; exit 1; }
skip() { echo "SKIPPED ($case_name): $*" >&2; exit 77; }

# A's and B's pairs, generated alone: what a consistent directory holds.
reference() {
  rm -rf "$work/ref_a" "$work/ref_b"
  "$convgen" generate "$A" --out-dir "$work/ref_a" || fail "generating A failed"
  "$convgen" generate "$B" --out-dir "$work/ref_b" || fail "generating B failed"
  cmp -s "$work/ref_a/net.h" "$work/ref_b/net.h" && fail "A and B give the same header"
  return 0
}

pair_is() {  # DIR REF: DIR's net.h and net.cpp are REF's, byte for byte
  cmp -s "$1/net.h" "$2/net.h" && cmp -s "$1/net.cpp" "$2/net.cpp"
}

describe() {  # DIR: which run each file of the pair comes from
  local f r out=""
  for f in net.h net.cpp; do
    r="neither"
    cmp -s "$1/$f" "$work/ref_a/$f" && r="A"
    cmp -s "$1/$f" "$work/ref_b/$f" && r="B"
    [ -e "$1/$f" ] || r="missing"
    out+="$f=$r "
  done
  echo "$out"
}

compiles() {  # DIR: its net.cpp compiles against its net.h; output in $work/cc.log
  "$cxx" -std=c++17 -fsyntax-only -I "$1" "$1/net.cpp" >"$work/cc.log" 2>&1
}

no_temporaries() {  # DIR
  local left
  left=$(find "$1" -name 'net*.tmp-*' | sort)
  [ -z "$left" ] || fail "temporaries left in $1: $left"
}

# A full disk: B's files do not fit next to A's. Runs in its own mount
# namespace (unshare -m as root, else unshare -rm in a user namespace), so the
# tmpfs disappears with the test, even when it is killed.
enter_mount_namespace() {  # "$@" of the script: re-runs it in a new mount namespace
  if [ "${OUTPUT_TEST_IN_NAMESPACE:-}" != 1 ]; then
    local flags=-m
    [ "$(id -u)" -eq 0 ] || flags=-rm
    unshare $flags true 2>/dev/null || skip "cannot create a mount namespace (unshare $flags)"
    OUTPUT_TEST_IN_NAMESPACE=1 exec unshare $flags "$0" "$@"
  fi
}

case_enospc() {
  enter_mount_namespace "$@"
  local dir=$work/tmpfs
  mkdir -p "$dir"
  mount -t tmpfs -o size=64k tmpfs "$dir" 2>/dev/null || skip "cannot mount a 64 KiB tmpfs"
  "$convgen" generate "$A" --out-dir "$dir" || fail "A does not fit in 64 KiB"
  pair_is "$dir" "$work/ref_a" || fail "A's pair in the tmpfs is not A's"
  "$convgen" generate "$B" --out-dir "$dir" 2>"$work/stderr"
  local rc=$?
  cat "$work/stderr"
  [ $rc -eq 3 ] || fail "exit status $rc on a full disk, expected 3"
  grep -Eq "^convgen: error: $dir/net\.(h|cpp): .*No space left on device" "$work/stderr" ||
    fail "no 'convgen: error: <path>: ... No space left on device' message"
  grep -q "LLVM ERROR" "$work/stderr" && fail "LLVM's abort instead of convgen's message"
  pair_is "$dir" "$work/ref_a" || fail "the old pair was not left intact: $(describe "$dir")"
  no_temporaries "$dir"
}

# A read-only output directory (a read-only bind mount, in a mount
# namespace): up to date is success, anything to write is exit 3.
case_readonly() {
  enter_mount_namespace "$@"
  local dir=$work/readonly rc
  "$convgen" generate "$A" --out-dir "$dir" || fail "generating A failed"
  mount --bind "$dir" "$dir" && mount -o remount,ro,bind "$dir" ||
    skip "cannot mount $dir read-only"
  "$convgen" generate "$A" --out-dir "$dir" || fail "an up-to-date read-only directory failed"
  "$convgen" generate "$B" --out-dir "$dir" 2>"$work/stderr"
  rc=$?
  cat "$work/stderr"
  [ $rc -eq 3 ] || fail "exit status $rc writing into a read-only directory, expected 3"
  grep -q "^convgen: error: $dir/.convgen.lock: Read-only file system" "$work/stderr" ||
    fail "unexpected message"
  pair_is "$dir" "$work/ref_a" || fail "the old pair was not left intact: $(describe "$dir")"
}

# The file-size limit (RLIMIT_FSIZE, `ulimit -f`), which needs no privileges:
# write() fails with EFBIG. B's net.cpp (48 KB) exceeds 32 KiB, A's does not.
case_efbig() {
  local dir=$work/fsize
  rm -rf "$dir"
  (ulimit -f 32 && exec "$convgen" generate "$A" --out-dir "$dir") || fail "A within 32 KiB failed"
  (ulimit -f 32 && exec "$convgen" generate "$B" --out-dir "$dir") 2>"$work/stderr"
  local rc=$?
  cat "$work/stderr"
  [ $rc -eq 3 ] || fail "exit status $rc past the file-size limit, expected 3"
  grep -Eq "^convgen: error: $dir/net\.cpp: .*File too large" "$work/stderr" ||
    fail "no 'convgen: error: <path>: ... File too large' message"
  pair_is "$dir" "$work/ref_a" || fail "the old pair was not left intact: $(describe "$dir")"
  no_temporaries "$dir"
}

# A kill between the two renames, reproduced with the documented test hook
# CONVGEN_TEST_KILL_AFTER_RENAMES (output.h): the .cpp is B's, the header
# still A's, and that mix must not compile; the next run repairs it and
# removes the temporary left behind (and only temporaries of this stem).
case_kill_hook() {
  local dir=$work/killed
  rm -rf "$dir"
  "$convgen" generate "$A" --out-dir "$dir" || fail "generating A failed"
  CONVGEN_TEST_KILL_AFTER_RENAMES=1 "$convgen" generate "$B" --out-dir "$dir"
  local rc=$?
  [ $rc -eq 137 ] || fail "exit status $rc, expected 137 (SIGKILL from the test hook)"
  [ "$(describe "$dir")" = "net.h=A net.cpp=B " ] ||
    fail "after a kill between the renames: $(describe "$dir"), expected net.h=A net.cpp=B"
  compiles "$dir" && fail "header of run A with net.cpp of run B compiles"
  grep -q "net.h and net.cpp come from different convgen runs: regenerate both" "$work/cc.log" ||
    fail "the mismatch is not reported by the fingerprint: $(cat "$work/cc.log")"
  local leftover
  leftover=$(find "$dir" -name 'net.h.tmp-*')
  [ -n "$leftover" ] || fail "the killed run left no temporary header"
  # Temporaries of other stems, or not of convgen's pattern, are not touched.
  touch "$dir/net_3.cpp.tmp-0a1b2c" "$dir/other.h.tmp-0a1b2c" "$dir/net.h.tmp-keepme" "$dir/net.hh.tmp-0a1b2c"
  "$convgen" generate "$B" --out-dir "$dir" || fail "the run after the kill failed"
  pair_is "$dir" "$work/ref_b" || fail "the run after the kill left $(describe "$dir")"
  compiles "$dir" || fail "B's pair does not compile: $(cat "$work/cc.log")"
  for gone in $leftover "$dir/net_3.cpp.tmp-0a1b2c"; do
    [ ! -e "$gone" ] || fail "stale temporary $gone was not removed"
  done
  for keep in other.h.tmp-0a1b2c net.h.tmp-keepme net.hh.tmp-0a1b2c; do
    [ -e "$dir/$keep" ] || fail "$keep (not a temporary of stem net) was removed"
  done
}

# Configs C and D for the two races below: 16 layers each, the same stem,
# sizes and generation time (0.14 s with --no-format), other out_channels, a
# net.cpp of 1.7 MB, so that writing it takes long enough for the races to
# happen at all. Written here (into $work/big_c, $work/big_d) and generated
# with --no-format into $work/ref_c, $work/ref_d as references.
big_configs() {
  local which oc i
  for which in c:32 d:48; do
    oc=${which#*:}
    mkdir -p "$work/big_${which%%:*}"
    {
      printf 'namespace: outtest\nisa: scalar\nlayers:\n'
      for ((i = 0; i < 16; i++)); do
        printf '  - name: conv%d\n    input_shape: [1, 16, 32, 32]\n    in_channels: 16\n' $i
        printf '    out_channels: %d\n    kernel_size: 11\n    padding: 5\n' "$oc"
      done
    } >"$work/big_${which%%:*}/net.yaml"
    rm -rf "$work/ref_${which%%:*}"
    "$convgen" generate "$work/big_${which%%:*}/net.yaml" --out-dir "$work/ref_${which%%:*}" \
      --no-format || fail "generating config ${which%%:*} failed"
  done
  C=$work/big_c/net.yaml
  D=$work/big_d/net.yaml
}

# DIR: which of runs C and D each file of the pair comes from.
describe_cd() {
  local f r out=""
  for f in net.h net.cpp; do
    r="neither"
    cmp -s "$1/$f" "$work/ref_c/$f" && r="C"
    cmp -s "$1/$f" "$work/ref_d/$f" && r="D"
    [ -e "$1/$f" ] || r="missing"
    out+="$f=$r "
  done
  echo "$out"
}

# kill -9 during `generate`, alternating C and D, each round one of: at a
# random time; as soon as net.h is replaced; as soon as net.cpp is replaced
# (a busy loop of shell builtins polling the file's mtime). After every kill
# the pair must be C's, D's, or a mix that fails to compile by its
# fingerprint (each kind of mix is compiled once; the files are always whole
# copies of C's or D's); the next complete run leaves a consistent pair and
# no temporaries.
case_kill_random() {
  local dir=$work/random rounds=${OUTPUT_TEST_KILL_ROUNDS:-30} i config pid state watch
  local -A seen=()
  big_configs
  rm -rf "$dir"
  "$convgen" generate "$C" --out-dir "$dir" --no-format || fail "generating C failed"
  RANDOM=${OUTPUT_TEST_SEED:-12345}
  for ((i = 0; i < rounds; i++)); do
    config=$C
    ((i % 2)) && config=$D
    touch "$work/stamp"
    "$convgen" generate "$config" --out-dir "$dir" --no-format 2>/dev/null &
    pid=$!
    case $((i % 3)) in
      0) sleep "0.$(printf '%03d' $((RANDOM % 200)))" ;;
      *)
        watch=net.h
        ((i % 3 == 2)) && watch=net.cpp
        while ! [ "$dir/$watch" -nt "$work/stamp" ] && kill -0 $pid 2>/dev/null; do :; done
        ;;
    esac
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    state=$(describe_cd "$dir")
    case "$state" in
      "net.h=C net.cpp=C " | "net.h=D net.cpp=D ") ;;
      "net.h=C net.cpp=D " | "net.h=D net.cpp=C ")
        if [ -z "${seen[$state]:-}" ]; then
          compiles "$dir" && fail "round $i: a kill left a mismatched pair ($state) that compiles"
          grep -q "come from different convgen runs: regenerate both" "$work/cc.log" ||
            fail "round $i: $state fails to compile, but not by its fingerprint: $(cat "$work/cc.log")"
        fi
        ;;
      *) fail "round $i: a kill left $state" ;;
    esac
    seen["$state"]=$((${seen[$state]:-0} + 1))
  done
  for state in "${!seen[@]}"; do echo "after $rounds kills: $state: ${seen[$state]} times"; done
  "$convgen" generate "$D" --out-dir "$dir" --no-format || fail "the final run failed"
  [ "$(describe_cd "$dir")" = "net.h=D net.cpp=D " ] || fail "the final run left $(describe_cd "$dir")"
  no_temporaries "$dir"
}

# Two generates of configs C and D (the same stem) into one directory at the
# same time, many times: always a consistent pair at the end.
case_concurrent() {
  local dir=$work/concurrent rounds=${OUTPUT_TEST_CONCURRENT_ROUNDS:-20} i pc pd rc rd state
  big_configs
  rm -rf "$dir"
  for ((i = 0; i < rounds; i++)); do
    rm -f "$dir/net.h" "$dir/net.cpp"  # so that both runs write both files
    "$convgen" generate "$C" --out-dir "$dir" --no-format & pc=$!
    "$convgen" generate "$D" --out-dir "$dir" --no-format & pd=$!
    wait $pc; rc=$?
    wait $pd; rd=$?
    [ $rc -eq 0 ] && [ $rd -eq 0 ] || fail "round $i: exit statuses $rc and $rd"
    state=$(describe_cd "$dir")
    [ "$state" = "net.h=C net.cpp=C " ] || [ "$state" = "net.h=D net.cpp=D " ] ||
      fail "round $i: two concurrent runs left $state"
  done
  no_temporaries "$dir"
}

# The fingerprint itself: A's pair compiles, A's header with B's .cpp does not.
case_mismatch() {
  local dir=$work/mismatch
  rm -rf "$dir" && mkdir -p "$dir"
  compiles "$work/ref_a" || fail "A's own pair does not compile: $(cat "$work/cc.log")"
  cp "$work/ref_a/net.h" "$work/ref_b/net.cpp" "$dir/"
  compiles "$dir" && fail "header of run A with net.cpp of run B compiles"
  grep -q "come from different convgen runs: regenerate both" "$work/cc.log" ||
    fail "the mismatch is not reported by the fingerprint: $(cat "$work/cc.log")"
  cp "$work/ref_b/net.h" "$work/ref_a/net.cpp" "$dir/"
  compiles "$dir" && fail "header of run B with net.cpp of run A compiles"
  return 0
}

# An output path, or the lock, that is a FIFO or a directory: exit 3 at once,
# never a blocking open, and nothing replaced.
case_not_regular() {
  local dir=$work/special what rc
  for what in fifo:net.h fifo:net.cpp dir:net.cpp fifo:.convgen.lock; do
    rm -rf "$dir" && mkdir -p "$dir"
    local kind=${what%%:*} name=${what#*:}
    if [ "$kind" = fifo ]; then mkfifo "$dir/$name"; else mkdir "$dir/$name"; fi
    timeout 20 "$convgen" generate "$A" --out-dir "$dir" 2>"$work/stderr"
    rc=$?
    [ $rc -ne 124 ] || fail "$kind $name: convgen blocked (killed after 20 s)"
    [ $rc -eq 3 ] || fail "$kind $name: exit status $rc, expected 3: $(cat "$work/stderr")"
    grep -q "^convgen: error: $dir/$name: exists and is not a regular file" "$work/stderr" ||
      fail "$kind $name: unexpected message: $(cat "$work/stderr")"
    if [ "$kind" = fifo ]; then [ -p "$dir/$name" ]; else [ -d "$dir/$name" ]; fi ||
      fail "$kind $name was replaced"
    [ "$(ls -A "$dir" | grep -v -x -e "$name" -e .convgen.lock)" = "" ] ||
      fail "$kind $name: files were written: $(ls -A "$dir")"
  done
  # The output directory itself a file.
  rm -rf "$dir" && touch "$dir"
  "$convgen" generate "$A" --out-dir "$dir" 2>"$work/stderr"
  rc=$?
  [ $rc -eq 3 ] || fail "out-dir a regular file: exit status $rc, expected 3"
  grep -q "^convgen: error: $dir: " "$work/stderr" || fail "unexpected message: $(cat "$work/stderr")"
}

mkdir -p "$work" || fail "cannot create $work"
[ "${OUTPUT_TEST_IN_NAMESPACE:-}" = 1 ] || reference
case "$case_name" in
  enospc | readonly | efbig | kill_hook | kill_random | concurrent | mismatch | not_regular) "case_$case_name" "$@" ;;
  *) fail "unknown case" ;;
esac
echo "PASS ($case_name)"
