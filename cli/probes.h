/* SPDX-License-Identifier: MIT */
/*
 * Argument probes: the calls that exercise a filter's argument decisions, derived from the
 * conditional rules of a filter (sck_profile_arg_rules_alloc). For each syscall with argument
 * rules on an arch: every operand the rules use on each argument index, that value +-1, with its
 * high word flipped, the masked variants of a masked equality (the expected value, with every
 * bit outside the mask set, the mask itself, one mask bit flipped), and for each rule a call
 * meeting all its conditions and one missing each condition in turn; other arguments 0. On
 * 32-bit arches the kernel passes zero-extended 32-bit arguments, so probes keep the low words.
 * Used by `sck compile --stats`, the benchmarks and the tests, which all count what the emulator
 * executes over these calls.
 */
#ifndef SCK_CLI_PROBES_H
#define SCK_CLI_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include "sck.h"

/* The probes of one syscall on one arch. */
struct sck_probe_sys {
	const char *name; /* the syscall's name on the arch, NULL if it has none */
	uint32_t nr;	  /* seccomp_data.nr (x32: with 0x40000000) */
	struct seccomp_data *probes;
	size_t nprobes;
};

/* The probes of every syscall with argument rules on one arch, by ascending number. */
struct sck_probe_set {
	const struct sck_arch *arch;
	struct sck_probe_sys *sys;
	size_t nsys;
	size_t total; /* probes over every syscall */
};

/*
 * Build @out for @arch from @n rules (as sck_profile_arg_rules_alloc lists them); rules for
 * another arch or for a syscall @arch lacks are ignored. Returns 0 or -ENOMEM (or -EINVAL).
 * Release with sck_probes_fini.
 */
int sck_probes_build(const struct sck_profile_arg_rule *rules, size_t n,
		     const struct sck_arch *arch, struct sck_probe_set *out);
void sck_probes_fini(struct sck_probe_set *s);

/* Instructions executed over some probes. */
struct sck_probe_cost {
	size_t n;
	double mean;
	uint32_t max;
	size_t at_max; /* index of (the first) probe with the largest count */
};

/* Run @emu on the @n probes @d; fills @out (all zero for @n 0). */
void sck_probes_cost(const struct sck_bpf_emu *emu, const struct seccomp_data *d, size_t n,
		     struct sck_probe_cost *out);

#endif /* SCK_CLI_PROBES_H */
