#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds libseccomp 2.6.0 (Debian trixie's source tarball, checked against its SHA-256) into
# build/libseccomp-2.6/ and runs the given benchmarks against it instead of the system's 2.5.4,
# for the side-by-side figures of issue 12, which names the 2.6 series. Nothing of it is kept in
# the tree. libseccomp 2.6 keeps the program it generated in the context: the benchmarks time the
# first export of a context built afresh, which is what a runtime pays.
# Usage: tools/libseccomp26.sh [BENCH...]
#   (default: build/bench/bench_args build/bench/bench_compat)
set -eu
cd "$(dirname "$0")/.."
ver=2.6.0
sum=83b6085232d1588c379dc9b9cae47bb37407cf262e6e74993c61ba72d2a784dc
url=http://deb.debian.org/debian/pool/main/libs/libseccomp/libseccomp_$ver.orig.tar.gz
dir=$PWD/build/libseccomp-2.6
lib=$dir/inst/lib

if [ ! -e "$lib/libseccomp.so.2" ]; then
	mkdir -p "$dir"
	if [ ! -e "$dir/src.tar.gz" ]; then
		curl -sSfL -o "$dir/src.tar.gz.part" "$url"
		mv "$dir/src.tar.gz.part" "$dir/src.tar.gz"
	fi
	echo "$sum  $dir/src.tar.gz" | sha256sum -c - >/dev/null || {
		echo "libseccomp26.sh: $url: checksum mismatch" >&2
		exit 1
	}
	rm -rf "$dir/libseccomp-$ver"
	tar -xzf "$dir/src.tar.gz" -C "$dir"
	(cd "$dir/libseccomp-$ver" &&
		./configure --prefix="$dir/inst" --disable-python --disable-static >"$dir/build.log" 2>&1 &&
		make -j2 >>"$dir/build.log" 2>&1 && make install >>"$dir/build.log" 2>&1) || {
		echo "libseccomp26.sh: the build failed, see $dir/build.log" >&2
		exit 1
	}
fi
[ $# -gt 0 ] || set -- build/bench/bench_args build/bench/bench_compat
make --no-print-directory "$@" >/dev/null
for b in "$@"; do
	echo "== $b (libseccomp $ver)"
	LD_LIBRARY_PATH=$lib "$b"
done
