// SPDX-License-Identifier: MIT
/*
 * The side of sck_test_lsc.h that needs libsck: one profile built by sck and by libseccomp as
 * runc drives it, a libseccomp profile's arches as sck's, and whether libseccomp can name a
 * syscall (a syscall it cannot name, runc skips: a difference from sck there is not one). Shared
 * by bench/bench_args.c and tests/diff/test_diff_args.c; kept out of sck_test_lsc.c, which the
 * runc tools of tests/compat/ link without libsck.
 */
#include "sck_test_lsc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int sck_test_lsc_pair_load(const char *path, struct sck_test_lsc_pair *b)
{
	const char *base = strrchr(path, '/');

	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", base ? base + 1 : path);
	if (strlen(b->name) > 5)
		b->name[strlen(b->name) - 5] = 0; /* .json */
	b->json = sck_test_lsc_slurp(path, &b->len);
	if (!b->json)
		return -ENOENT;
	b->parse_rc = sck_profile_parse(b->json, b->len, NULL, &b->f, NULL, NULL);
	b->sck_rc = b->parse_rc;
	b->rules_rc = -EINVAL;
	if (b->parse_rc == 0) {
		b->sck_rc = sck_filter_compile(b->f, NULL, &b->p);
		b->rules_rc = sck_profile_arg_rules_alloc(b->f, &b->rules, &b->nrules);
	}
	b->read_rc = sck_test_lsc_profile_read(b->json, b->len, &b->lp);
	b->lsc_rc = b->read_rc;
	if (b->read_rc == 0)
		b->lsc_rc = sck_test_lsc_build(&b->lp, 2, &b->l, &b->llen);
	b->narch = sck_test_lsc_sck_arches(&b->lp, b->arches);
	return 0;
}

void sck_test_lsc_pair_free(struct sck_test_lsc_pair *b)
{
	free(b->json);
	sck_filter_free(b->f);
	sck_filter_prog_free(b->p);
	sck_test_lsc_profile_fini(&b->lp);
	free(b->l);
	free(b->rules);
}

size_t sck_test_lsc_sck_arches(const struct sck_test_lsc_profile *p, const struct sck_arch **out)
{
	uint32_t x86 = seccomp_arch_resolve_name("x86"), x32 = seccomp_arch_resolve_name("x32");
	size_t n = 0;

	out[n++] = sck_arch_native();
	for (size_t i = 0; i < p->narch && n < 3; i++) {
		if (p->arches[i] == x86)
			out[n++] = sck_arch_from_name("x86");
		else if (p->arches[i] == x32)
			out[n++] = sck_arch_from_name("x32");
	}
	return n;
}

bool sck_test_lsc_knows(const struct sck_arch *a, const char *name)
{
	const char *ln = a->id == SCK_ARCH_X86_64 ? "x86_64"
			 : a->id == SCK_ARCH_X32  ? "x32"
						  : "x86";

	return !name || seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(ln), name) >= 0;
}
