/* SPDX-License-Identifier: MIT */
/*
 * The layout of struct seccomp_data that sck's BPF reads (seccomp(2), <linux/seccomp.h>): the
 * byte offsets a BPF_LD|BPF_W|BPF_ABS loads, named once and checked against the kernel's ABI.
 * A 64-bit field (instruction_pointer, args[i]) is stored in the ABI's byte order: its low word
 * comes first on little-endian arches and second on big-endian ones (populate_seccomp_data()).
 */
#ifndef SCK_SECCOMP_DATA_INT_H
#define SCK_SECCOMP_DATA_INT_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define SCK_DATA_OFF_NR offsetof(struct seccomp_data, nr)
#define SCK_DATA_OFF_ARCH offsetof(struct seccomp_data, arch)
#define SCK_DATA_OFF_IP offsetof(struct seccomp_data, instruction_pointer)
/* args[@i]: the 64-bit arguments follow each other */
#define SCK_DATA_OFF_ARG(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))
/* what a load reads at once: one 32-bit word, the second word of a 64-bit field this far on */
#define SCK_DATA_WORD sizeof(uint32_t)

/* The ABI these offsets rely on. */
_Static_assert(sizeof(struct seccomp_data) == 64, "seccomp_data is 64 bytes");
_Static_assert(SCK_DATA_OFF_NR == 0, "nr at 0");
_Static_assert(SCK_DATA_OFF_ARCH == 4, "arch at 4");
_Static_assert(SCK_DATA_OFF_IP == 8, "ip at 8");
_Static_assert(SCK_DATA_OFF_ARG(0) == 16 && SCK_DATA_OFF_ARG(5) == 56, "args at 16 .. 56");
_Static_assert(sizeof(struct sock_filter) == 8, "sock_filter is 8 bytes");

#endif
