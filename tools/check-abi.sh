#!/bin/sh
# SPDX-License-Identifier: MIT
# Fails unless the exported dynamic symbols of the shared library, the symbols of the version
# script and the SCK_API declarations in include/ are the same three sets, and the newest node of
# the script is SCK_<major>.<minor> of the generated version header.
# Usage: tools/check-abi.sh LIBSCK.so VERSION.map VERSION.h
set -eu
so=$1 map=$2 ver=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' |
	grep -v '^SCK_' | sort -u >"$tmp/exported"
sed -n 's/^[[:space:]]*\(sck_[A-Za-z0-9_]*\);.*/\1/p' "$map" | sort -u >"$tmp/map"
# Every identifier declared right after SCK_API (functions and data), across lines.
cat include/sck.h include/sck/*.h | tr '\n' ' ' | grep -o 'SCK_API[^;{]*' |
	sed 's/([^()]*\((\*[^)]*)\)\?[^()]*)*.*//' | grep -o 'sck_[A-Za-z0-9_]*[[:space:]]*$' |
	tr -d ' ' | sort -u >"$tmp/headers"
rc=0
if ! diff -u "$tmp/map" "$tmp/exported" >"$tmp/d1"; then
	echo "check-abi: version script and exported symbols differ:" >&2
	cat "$tmp/d1" >&2
	rc=1
fi
if ! diff -u "$tmp/headers" "$tmp/exported" >"$tmp/d2"; then
	echo "check-abi: SCK_API declarations and exported symbols differ:" >&2
	cat "$tmp/d2" >&2
	rc=1
fi
major=$(sed -n 's/^#define SCK_VERSION_MAJOR \([0-9]*\)/\1/p' "$ver")
minor=$(sed -n 's/^#define SCK_VERSION_MINOR \([0-9]*\)/\1/p' "$ver")
newest=$(grep -o '^SCK_[0-9]*\.[0-9]*' "$map" | tail -n 1)
if [ "$newest" != "SCK_$major.$minor" ]; then
	echo "check-abi: newest version node $newest, version header says SCK_$major.$minor" >&2
	rc=1
fi
[ $rc = 0 ] && echo "check-abi: $(wc -l <"$tmp/exported") symbols agree ($newest)"
exit $rc
