/* SPDX-License-Identifier: MIT */
/*
 * Docker's default capability set, for the oracles that rebuild a profile the way runc does
 * through libseccomp (tests/diff, bench/). Kept apart from src/profile on purpose: the oracle
 * must not borrow the reader's own data.
 */
#ifndef SCK_TEST_DOCKER_CAPS_H
#define SCK_TEST_DOCKER_CAPS_H

static const char *const sck_test_docker_caps[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_AUDIT_WRITE",
	"CAP_KILL",
	NULL,
};

#endif
