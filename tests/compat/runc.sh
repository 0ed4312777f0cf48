#!/bin/sh
# SPDX-License-Identifier: MIT
# runc with sck's libseccomp: a busybox container under Docker's default profile (converted to
# the runtime's linux.seccomp form as Docker does) runs a static probe that makes allowed and
# denied calls; run once with the system's libseccomp and once in a private mount namespace
# where build/compat/libseccomp.so.2 is bind-mounted over the system's libseccomp.so.2 (runc
# starts `runc init` with a clean environment: LD_LIBRARY_PATH would not reach it). The kernel's
# answers must be equal, and `sck dump` of the container's process must show, after runc's
# ENOSYS stub, exactly the program the compat library exports for runc's calls.
# Usage: tests/compat/runc.sh [BUILD]   exit 0 pass, 1 fail, 77 skipped (with a message)
set -u
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# --run NAME BUILD TMP: run the container once (in whatever mount namespace we are), write
# TMP/NAME.out (the probe's lines) and TMP/NAME.bpf (the container's newest filter, read with
# sck dump while the container sleeps)
if [ "${1:-}" = --run ]; then
	N=$2 B=$3 T=$4
	id=sck-compat-$$-$N
	: > "$T/ids/$id"
	cd "$T/bundle" || exit 1
	runc --root "$T/state" run -d "$id" > "$T/$N.out" 2>&1 < /dev/null || { cat "$T/$N.out"; exit 1; }
	pid=$(runc --root "$T/state" state "$id" | sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p')
	i=0
	while ! grep -q '^nr 1000:' "$T/$N.out" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	"$B/sck" dump -f raw -o "$T/$N.dump" "$pid" > /dev/null || { echo "sck dump $pid failed"; exit 1; }
	if [ -f "$T/$N.dump" ]; then cp "$T/$N.dump" "$T/$N.bpf"
	else cp "$(ls "$T/$N.dump".* | sort -t. -k3 -n | tail -n 1)" "$T/$N.bpf"; fi
	runc --root "$T/state" delete -f "$id" > /dev/null 2>&1
	rm -f "$T/ids/$id"
	exit 0
fi

B=${1:-build}
B=$(cd "$B" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PROFILE=${SCK_SHARED_DIR:-$SRC/../shared}/profiles/docker-default.json
COMPAT=$B/compat/libseccomp.so.2

skip() { echo "SKIP: runc.sh: $*"; exit 77; }
fail() { echo "FAIL: runc.sh: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root"
command -v runc >/dev/null || skip "runc is not installed"
BUSYBOX=$(command -v busybox) || skip "busybox is not installed"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || [ -f /bin/busybox ] || skip "busybox-static is not installed"
[ -f "$PROFILE" ] || skip "../shared is absent (no Docker profile)"
[ -f "$COMPAT" ] || skip "$COMPAT is not built"
nm -D "$COMPAT" 2>/dev/null | grep -q __asan && skip "the compat library is built with sanitizers"
SYSLIB=$(ldd "$(command -v runc)" | awk '/libseccomp\.so\.2/ { print $3 }')
[ -n "$SYSLIB" ] && [ -f "$SYSLIB" ] || skip "runc is not linked with libseccomp.so.2"
for t in compat-probe compat-runc-tool; do [ -x "$B/tests/$t" ] || skip "$B/tests/$t is not built"; done

T=$(mktemp -d /tmp/sck-runc.XXXXXX)
[ -n "${SCK_RUNC_KEEP:-}" ] && echo "runc.sh: keeping $T"
[ -n "${SCK_RUNC_KEEP:-}" ] || trap 'for id in $T/ids/*; do [ -e "$id" ] && runc --root "$T/state" delete -f "$(basename "$id")" >/dev/null 2>&1; done; rm -rf "$T"' EXIT
mkdir -p "$T/bundle/rootfs/bin" "$T/bundle/rootfs/proc" "$T/bundle/rootfs/dev" "$T/ids" "$T/state"
cp "$BUSYBOX" "$T/bundle/rootfs/bin/busybox"
for a in sh sleep; do ln -s busybox "$T/bundle/rootfs/bin/$a"; done
cp "$B/tests/compat-probe" "$T/bundle/rootfs/probe"
(cd "$T/bundle" && runc spec) || fail "runc spec"
"$B/tests/compat-runc-tool" config "$T/bundle/config.json" "$PROFILE" "$T/bundle/config.json.new" &&
	mv "$T/bundle/config.json.new" "$T/bundle/config.json" || fail "cannot write the bundle's config"

run_system() {
	"$SELF" --run system "$B" "$T"
}
run_compat() {
	unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$2" && exec "$3" --run compat "$4" "$5"' \
		sh "$COMPAT" "$SYSLIB" "$SELF" "$B" "$T"
}

run_system || fail "the container did not run with the system's libseccomp"
"$B/tests/compat-runc-tool" export "$PROFILE" "$T/system.expect" || fail "export (system)"
unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$2" && exec "$3" export "$4" "$5"' \
	sh "$COMPAT" "$SYSLIB" "$B/tests/compat-runc-tool" "$PROFILE" "$T/compat.expect" ||
	fail "export through the bind-mounted compat library"
run_compat || fail "the container did not run with the compat library"

echo "== probe answers (system libseccomp | compat)"
paste -d'|' "$T/system.out" "$T/compat.out"
cmp -s "$T/system.out" "$T/compat.out" || fail "the kernel's answers differ"
grep -q '^clone newuser: errno 1$' "$T/compat.out" || fail "clone(CLONE_NEWUSER) was not denied"
grep -q '^socket vsock: errno 1$' "$T/compat.out" || fail "socket(AF_VSOCK) was not denied"
grep -q '^personality 0x40000: errno 1$' "$T/compat.out" || fail "personality(0x40000) was not denied"
grep -q '^clone plain: ok$' "$T/compat.out" || fail "a plain clone was denied"

# the loaded program ends with what the library exported (runc's stub comes first)
tail_is() { # FILE EXPECT
	n=$(wc -c < "$2")
	[ "$n" -gt 0 ] && tail -c "$n" "$1" | cmp -s - "$2"
}
tail_is "$T/system.bpf" "$T/system.expect" || fail "method check: the system container's filter does not end with libseccomp's program"
tail_is "$T/compat.bpf" "$T/compat.expect" || fail "the container's filter is not the compat library's program"
cmp -s "$T/system.expect" "$T/compat.expect" && fail "compat exported libseccomp's own program"
echo "runc.sh: container filter: $(($(wc -c < "$T/compat.bpf") / 8)) instructions with compat" \
	"($(($(wc -c < "$T/compat.expect") / 8)) sck's), $(($(wc -c < "$T/system.bpf") / 8)) with libseccomp;" \
	"probe answers equal"
exit 0
