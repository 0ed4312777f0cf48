#!/bin/sh
# SPDX-License-Identifier: MIT
# Install into a temporary prefix (through DESTDIR), then build and run a program against the
# installed headers and library through pkg-config, in C and C++. Usage: check-install.sh BUILD
set -eu
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s --no-print-directory install BUILD="$build" DESTDIR="$tmp/dest" PREFIX=/opt/sck >/dev/null
root="$tmp/dest/opt/sck"
for f in bin/sck lib/libsck.a lib/libsck.so lib/libsck.so.0 include/sck.h include/sck/sys.h \
	lib/pkgconfig/sck.pc share/man/man1/sck.1 share/man/man3/libsck.3; do
	[ -e "$root/$f" ] || { echo "check-install: $f not installed" >&2; exit 1; }
done
# Point pkg-config at the staged tree as if it were installed at /opt/sck.
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$root" --define-variable=libdir="$root/lib" \
	--define-variable=includedir="$root/include" --cflags --libs sck)
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer" tests/install/consumer.c $flags
LD_LIBRARY_PATH="$root/lib" "$tmp/consumer"
# Public headers compile as C++ too.
if command -v c++ >/dev/null 2>&1; then
	printf '#include <sck.h>\nint main() { return sck_audit_arch("native") ? 0 : 1; }\n' \
		>"$tmp/cxx.cc"
	c++ -Wall -Wextra -Werror -o "$tmp/cxx" "$tmp/cxx.cc" $flags
	LD_LIBRARY_PATH="$root/lib" "$tmp/cxx"
fi
readelf -d "$root/lib/libsck.so.0" | grep -q 'SONAME.*libsck.so.0' ||
	{ echo "check-install: soname is not libsck.so.0" >&2; exit 1; }
echo "check-install: ok"
