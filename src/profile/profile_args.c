// SPDX-License-Identifier: MIT
/*
 * The conditional rules of a filter, listed for tools that look at argument decisions (the CLI's
 * `compile --stats` argument probes, benchmarks, tests): after sck_profile_parse the filter holds
 * the rules as the reader resolved them (Docker's includes/excludes, runc's splitting of repeated
 * argument indexes, per-arch copies where x32 compares only low words); this hands them back in
 * order, without copying the conditions, so that a caller can derive every operand each argument
 * index of each syscall is compared with.
 */
#include "filter/filter_int.h"
#include "sck/profile.h"

#include <errno.h>
#include <stdlib.h>

int sck_profile_arg_rules_alloc(const struct sck_filter *f, struct sck_profile_arg_rule **out,
				size_t *n)
{
	struct sck_profile_arg_rule *v;
	size_t k = 0;

	if (!f || !out || !n)
		return -EINVAL;
	v = calloc(f->nrules ? f->nrules : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < f->nrules; i++) {
		const struct sck_frule *r = &f->rules[i];
		if (!r->nconds)
			continue;
		v[k++] = (struct sck_profile_arg_rule){.name = r->name,
						       .nr = r->nr,
						       .arch = r->arch,
						       .action = r->action,
						       .conds = r->conds,
						       .nconds = r->nconds};
	}
	*out = v;
	*n = k;
	return 0;
}
