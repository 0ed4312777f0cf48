#!/bin/sh
# SPDX-License-Identifier: MIT
# Make sure the Debian packages a build step needs are there: install them when running as root,
# else print the exact command and fail. Usage: tools/deps.sh build|test|bench|fuzz|valgrind|lint|headers
set -eu
case "${1:-}" in
build) pkgs="libjson-c-dev libseccomp-dev pkg-config" ;;
test) pkgs="libcriterion-dev libseccomp-dev pkg-config" ;;
bench) pkgs="libseccomp-dev libjson-c-dev pkg-config strace" ;;
fuzz) pkgs="clang libclang-rt-dev llvm" ;;
valgrind) pkgs="valgrind" ;;
# make tidy, make check-format
lint) pkgs="clang-tidy clang-format" ;;
# tools/gen-syscalls and make check-tables: the kernel UAPI headers of every arch.
headers) pkgs="linux-libc-dev linux-libc-dev-arm64-cross linux-libc-dev-armhf-cross
	linux-libc-dev-mips-cross linux-libc-dev-mipsel-cross linux-libc-dev-mips64-cross
	linux-libc-dev-mips64el-cross linux-libc-dev-mipsn32-cross linux-libc-dev-mipsn32el-cross
	linux-libc-dev-powerpc-cross linux-libc-dev-ppc64-cross linux-libc-dev-ppc64el-cross
	linux-libc-dev-riscv64-cross linux-libc-dev-s390x-cross linux-libc-dev-sparc64-cross
	linux-libc-dev-hppa-cross" ;;
*) echo "usage: tools/deps.sh build|test|bench|fuzz|valgrind|lint|headers" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "sck: installing build dependencies:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
	exit 0
fi
echo "sck: missing build dependencies; install them with:" >&2
echo "  sudo apt-get install -y$missing" >&2
exit 1
