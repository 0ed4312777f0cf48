/* SPDX-License-Identifier: MIT */
/*
 * libseccomp as runc drives it, for the benchmarks and the differential tests: an OCI / Docker
 * profile read into the rule list runc hands libseccomp (Docker's includes/excludes for amd64
 * with its default capabilities and the running kernel, archMap or architectures, rules with the
 * default action dropped, names libseccomp cannot resolve skipped, repeated argument indexes
 * split into one rule per condition), then a libseccomp filter built from it at an optimization
 * level and exported to memory. Plain C (no Criterion): bench/ links it too.
 */
#ifndef SCK_TEST_LSC_H
#define SCK_TEST_LSC_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

struct sck_lsc_rule {
	int nr; /* libseccomp's pseudo-number of the name (native arch) */
	uint32_t action;
	struct scmp_arg_cmp conds[6];
	unsigned int n;
};

struct sck_lsc_profile {
	uint32_t def;
	uint32_t arches[16]; /* libseccomp tokens added to the native one */
	size_t narch;
	struct sck_lsc_rule *rules;
	size_t nrules;
};

/* Read @json (@len bytes). Returns 0, -EINVAL (not a profile), -ENOMEM. */
int sck_lsc_profile_read(const char *json, size_t len, struct sck_lsc_profile *out);
void sck_lsc_profile_fini(struct sck_lsc_profile *p);

/*
 * A libseccomp filter of @p at optimization level @opt (SCMP_FLTATR_CTL_OPTIMIZE; 0 leaves the
 * default). Returns 0 and *out, or the first libseccomp error (a refused rule: -EEXIST ...).
 */
int sck_lsc_ctx(const struct sck_lsc_profile *p, int opt, scmp_filter_ctx *out);

/* seccomp_export_bpf through a memfd: *prog malloc'd, *len instructions. Returns 0 or -errno. */
int sck_lsc_export(scmp_filter_ctx ctx, struct sock_filter **prog, size_t *len);

/* sck_lsc_ctx + sck_lsc_export + seccomp_release. */
int sck_lsc_build(const struct sck_lsc_profile *p, int opt, struct sock_filter **prog, size_t *len);

/* Read a whole file, NUL-terminated (malloc'd); NULL when unreadable. */
char *sck_lsc_slurp(const char *path, size_t *len);

#endif /* SCK_TEST_LSC_H */
