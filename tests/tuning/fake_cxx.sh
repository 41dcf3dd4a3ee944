#!/bin/sh
# A "compiler" for tuning/tune_program_fails: writes, as the -o output, a
# program that prints to stderr and exits 5, as a crashing timing program would.
while [ $# -gt 0 ]; do
  if [ "$1" = "-o" ]; then out=$2; fi
  shift
done
printf '#!/bin/sh\necho "timing program broke" >&2\nexit 5\n' > "$out"
chmod +x "$out"
