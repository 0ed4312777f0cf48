#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Copyright (c) the sck authors
#
# Permission is hereby granted, free of charge, to any person obtaining a copy of this software
# and associated documentation files (the "Software"), to deal in the Software without
# restriction, including without limitation the rights to use, copy, modify, merge, publish,
# distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
# Software is furnished to do so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all copies or
# substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
# BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
# NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
# DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
#
# libseccomp's own regression suite against build/compat/libseccomp.so.2 (issue 13). Given an
# unpacked libseccomp source tree (argument or LSC_SRC; it is only read), it builds a copy in a
# temporary directory, runs the suite's C tests (tests/regression -m c; the live tests too when
# run as root) once with the library it built and once with the compat library in its place
# (the test programs find libseccomp through src/.libs, where the compat file is linked in),
# and prints the counts of both runs. Exit 0 when every test that passes with libseccomp passes
# with compat too, apart from the deliberate differences below; 1 otherwise; 2 on a setup error.
# No source tree: a SKIP line and exit 0.
#   LSC_TYPES   test types to run (default: every type of the suite; e.g. "basic bpf-sim live")
#   SCK_COMPAT  the compat library (default: build/compat/libseccomp.so.2 of this checkout)
#   LSC_KEEP=1  keep the temporary directory (its path is printed)
# usage: tools/lsc-regress.sh [LIBSECCOMP_SOURCE_DIR]
set -u
export LC_ALL=C

# seccomp_export_pfc writes sck's disassembly, not libseccomp's pseudo code (docs/libseccomp-compat.md)
DELIBERATE="38-basic-pfc_coverage 55-basic-pfc_binary_tree"

src=${1:-${LSC_SRC:-}}
if [ -z "$src" ]; then
	echo "SKIP: lsc-regress: no libseccomp source tree (pass its path or set LSC_SRC)"
	exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
compat=${SCK_COMPAT:-$here/../build/compat/libseccomp.so.2}
die() {
	echo "lsc-regress: $*" >&2
	exit 2
}
[ -f "$src/tests/regression" ] || die "$src: not a libseccomp source tree (no tests/regression)"
[ -f "$compat" ] || die "$compat: not built (run make)"
compat=$(cd "$(dirname "$compat")" && pwd)/$(basename "$compat")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lsc-regress.XXXXXX") || die "cannot create a temporary directory"
if [ "${LSC_KEEP:-0}" = 1 ]; then
	echo "lsc-regress: keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 2' HUP INT TERM
fi
jobs=${LSC_JOBS:-2}

echo "lsc-regress: building $src in $tmp"
cp -a "$src/." "$tmp/lsc" || die "cannot copy $src"
cd "$tmp/lsc" || die "cannot enter $tmp/lsc"
if [ ! -x configure ]; then
	[ -x autogen.sh ] || die "no configure script and no autogen.sh"
	./autogen.sh >"$tmp/autogen.log" 2>&1 || die "autogen.sh failed (autoconf, automake, libtool?), see $tmp/autogen.log"
fi
./configure --disable-python --enable-static=no >"$tmp/configure.log" 2>&1 ||
	die "configure failed (gperf installed?): $(tail -n 1 "$tmp/configure.log")"
make -j"$jobs" >"$tmp/make.log" 2>&1 || die "make failed, see $tmp/make.log"
make -j"$jobs" check-build >"$tmp/check-build.log" 2>&1 || die "make check-build failed"

libs=$tmp/lsc/src/.libs
real=$(find "$libs" -name "libseccomp.so.2.*" -type f | head -n 1)
[ -n "$real" ] || die "no libseccomp.so.2.* in $libs"
probe=tests/01-sim-allow
[ -x "$probe" ] || die "$probe was not built"

# run NAME: the suite with whatever src/.libs/libseccomp.so.2 is now, into $tmp/NAME.log
run() {
	: >"$tmp/$1.log"
	(
		cd tests || exit 2
		if [ -n "${LSC_TYPES:-}" ]; then
			for t in $LSC_TYPES; do
				[ "$t" = live ] && [ "$(id -u)" != 0 ] && continue
				./regression -m c -T "$t" -l "$tmp/$1.$t.log" >/dev/null 2>&1
				cat "$tmp/$1.$t.log" >>"$tmp/$1.log"
			done
		else
			./regression -m c -l "$tmp/$1.all.log" >/dev/null 2>&1
			cat "$tmp/$1.all.log" >>"$tmp/$1.log"
			if [ "$(id -u)" = 0 ]; then
				./regression -m c -T live -l "$tmp/$1.live.log" >/dev/null 2>&1
				cat "$tmp/$1.live.log" >>"$tmp/$1.log"
			fi
		fi
	)
	results "$tmp/$1.log" >"$tmp/$1.res"
}

# results LOG: one line per test, "ID[@ARCH] RESULT" (bpf-sim tests run once per arch under one
# ID); a live test skipped by the first run gets the live run's result
results() {
	awk '/^ test type:/ { arch = "" }
		/^ test arch:/ { arch = "@" $3 }
		/^Test [^ ]* result:/ { id = $2 arch; v = $4
			if (!(id in r) || r[id] == "SKIPPED") r[id] = v }
		END { for (k in r) print k, r[k] }' "$1" | sort
}

# counts NAME LABEL
counts() {
	awk -v l="$2" '{ n[$2]++; t++ }
		END { printf "%s: %d tests: %d passed, %d failed, %d errored, %d skipped\n", l, t,
			n["SUCCESS"], n["FAILURE"], n["ERROR"], n["SKIPPED"] }' "$tmp/$1.res"
}

# the library the test programs load (their RUNPATH names src/.libs)
loaded() {
	ldd "$probe" | awk '/libseccomp\.so\.2/ { print $3 }' | xargs readlink -f
}

ln -sf "$(basename "$real")" "$libs/libseccomp.so.2"
[ "$(loaded)" = "$(readlink -f "$real")" ] || die "the tests do not load $real"
echo "lsc-regress: running the suite with libseccomp ($(basename "$real"))"
run real

ln -sf "$compat" "$libs/libseccomp.so.2"
[ "$(loaded)" = "$(readlink -f "$compat")" ] || die "the tests do not load $compat"
echo "lsc-regress: running the suite with $compat"
run compat

counts real "libseccomp"
counts compat "compat    "
awk '$2 == "SUCCESS" { print $1 }' "$tmp/real.res" >"$tmp/real.pass"
awk '$2 == "SUCCESS" { print $1 }' "$tmp/compat.res" >"$tmp/compat.pass"
comm -23 "$tmp/real.pass" "$tmp/compat.pass" >"$tmp/lost"
bad=0
deliberate=0
while read -r id; do
	batch=${id%%"%%"*}
	got=$(awk -v id="$id" '$1 == id { print $2; f = 1 } END { if (!f) print "missing" }' "$tmp/compat.res")
	case " $DELIBERATE " in
	*" $batch "*)
		deliberate=$((deliberate + 1))
		echo "deliberate: $id: $got"
		;;
	*)
		bad=$((bad + 1))
		echo "REGRESSION: $id: $got"
		;;
	esac
done <"$tmp/lost"
echo "lsc-regress: $bad tests pass with libseccomp and not with compat ($deliberate deliberate differences: export_pfc text)"
[ "$bad" = 0 ]
