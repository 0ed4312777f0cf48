/* SPDX-License-Identifier: MIT */
/*
 * The filter tests' oracle: a rule set kept as plain data (what was passed to the API) and a
 * direct evaluation of docs/semantics.md on one seccomp_data, written without any of the
 * compiler's code, so that emulated programs can be checked against the specification itself.
 */
#ifndef SCK_TEST_FILTER_ORACLE_H
#define SCK_TEST_FILTER_ORACLE_H

#include <stdint.h>

#include "sck.h"

#define ORC_MAX_RULES 64
#define ORC_MAX_CONDS 4
#define ORC_MAX_ARCH 8

struct orc_rule {
	const char *name;
	int nr;
	const struct sck_arch *arch;
	uint32_t action;
	struct sck_cond conds[ORC_MAX_CONDS];
	size_t nconds;
};

struct orc_spec {
	uint32_t def, bad;
	unsigned int flags;
	const struct sck_arch *arches[ORC_MAX_ARCH];
	size_t narch;
	struct orc_rule rules[ORC_MAX_RULES];
	size_t nrules;
	/* orc_prepare: the names resolved once per (rule, arch of the filter) */
	bool prepared;
	int direct[ORC_MAX_RULES][ORC_MAX_ARCH];
	int muxrc[ORC_MAX_RULES][ORC_MAX_ARCH];
	struct sck_syscall_mux mux[ORC_MAX_RULES][ORC_MAX_ARCH];
};

/* Resolve every rule's names on every arch of @s (speeds orc_eval up; redo after edits). */
void orc_prepare(struct orc_spec *s);

/* Whether condition @c holds for argument value @x (@narrow: compared on 32 bits). */
bool orc_cond_holds(const struct sck_cond *c, uint64_t x, bool narrow);

uint32_t orc_eval(const struct orc_spec *s, const struct seccomp_data *d);
/* Build the sck filter of @s. Returns 0 or -errno. */
int orc_build(const struct orc_spec *s, struct sck_filter **out);
/* Compile with @flags (SCK_COMPILE_*) into an emulator; returns 0 or -errno. */
int orc_emu(const struct sck_filter *f, unsigned int flags, struct sck_bpf_emu **emu, size_t *len);

#endif
