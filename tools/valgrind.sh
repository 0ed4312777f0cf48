#!/bin/sh
# SPDX-License-Identifier: MIT
# make valgrind: the unit tests under valgrind memcheck, every forked/exec'd test child included
# (Criterion runs each test in its own process, so --trace-children=yes and one log per process).
# Passes only with 0 errors and 0 definite/indirect leaks in every log.
# Usage: tools/valgrind.sh TEST_BIN LOGDIR
# The two emulation sweeps of the filter suite (millions of emulated calls, minutes under
# valgrind) are left to the ASan/UBSan build (make SANITIZE=1 check).
set -eu
bin=$1
logs=$2
suites='actions|arch|bpf_asm|bpf_disasm|constants|filter|load_field|profile|regressions|syscalls'
skip='random_vs_linear|sweep_handmade'
rm -rf "$logs"
mkdir -p "$logs"
status=0
valgrind -q --trace-children=yes --log-file="$logs/vg.%p.log" --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--suppressions=tools/valgrind.supp --error-exitcode=1 \
	"$bin" --filter "@($suites)/!($skip)" -j2 || status=$?
bad=$(find "$logs" -name 'vg.*.log' -size +0c)
if [ -n "$bad" ]; then
	for f in $bad; do
		echo "== $f"
		head -n 40 "$f"
	done
	echo "sck: valgrind: errors or leaks in $(echo "$bad" | wc -l) process(es)" >&2
	exit 1
fi
if [ "$status" != 0 ]; then
	echo "sck: valgrind: the tests failed (status $status)" >&2
	exit 1
fi
echo "valgrind: $(ls "$logs" | wc -l) processes, 0 errors, 0 leaks"
