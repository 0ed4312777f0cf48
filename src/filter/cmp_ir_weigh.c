// SPDX-License-Identifier: MIT
/*
 * The weights of a group's ranges of numbers (filter_int.h, steps 4 and 5 of sck_ir_build):
 * what the syscall-number tree planner (cmp_tree.c) minimises. Every number of a member arch's
 * table counts alike, the sck_filter_set_weight hints scale their numbers, and in a group of two
 * arches the filter's first arch weighs more.
 */
#include "filter/filter_int.h"
#include "sck/syscalls.h"

/*
 * In a tree two arches share (x86_64 with x32), the numbers of the filter's first arch (the
 * native one, by convention) weigh this many times more: it is the arch the calls come from. An
 * empirical value (once a build-time knob): on Docker's profile the shared-tree search then
 * keeps x32's mean within its bound of x86_64's (cmp_tree_share.c, SHARE_GAP: 10.98 and 9.50).
 */
#define PRIMARY_WEIGHT 1.85

/* The numbers [@lo, @hi] has in common with [@a, @b], over @span (0 when none: as 0 / @span). */
static inline double share(uint32_t lo, uint32_t hi, uint32_t a, uint32_t b, double span)
{
	uint32_t l = lo > a ? lo : a, h = hi < b ? hi : b;
	return l > h ? 0.0 : ((double)(h - l) + 1.0) / span;
}

/* Step 4: the group's member that is the filter's first arch, or -1. */
int sck_ir_primary_member(const struct sck_filter *f, const struct sck_ir_group *g)
{
	for (size_t m = 0; m < g->nmembers && f->narch; m++)
		if (g->members[m] == f->arches[0])
			return (int)m;
	return -1;
}

/* Share @wm of range @r for member @a, with the sck_filter_set_weight hints there added. */
static double add_hints(const struct sck_filter *f, const struct sck_arch *a,
			const struct sck_ir_range *r, double wm, double span)
{
	for (size_t w = 0; w < f->nweights; w++) {
		const struct sck_fweight *fw = &f->weights[w];
		if (fw->arch == a && fw->nr >= r->lo && fw->nr <= r->hi)
			wm += ((double)fw->weight - 1.0) / span;
	}
	return wm;
}

/*
 * Step 5: what the tree planner minimises: every number of each member arch's table span counts
 * 1 / span, times its sck_filter_set_weight hint; the primary member's PRIMARY_WEIGHT times more.
 * The ranges @in[0..n) weighed into @out (every field written).
 */
void sck_ir_weigh_ranges(const struct sck_filter *f, const struct sck_ir_group *g,
			 const struct sck_ir_range *in, struct sck_ir_range *out, size_t n)
{
	uint32_t lo[2] = {0, 0}, hi[2] = {0, 0};
	double span[2] = {1, 1}, scale[2] = {1, 1};
	size_t nm = g->nmembers;

	if (nm > 2) /* (never: sck_ir_build) */
		return;
	/* each member's table span */
	for (size_t m = 0; m < nm; m++) {
		int max = sck_syscall_max(g->members[m]);
		lo[m] = g->members[m]->nr_base;
		hi[m] = max < 0 ? lo[m] : (uint32_t)max;
		span[m] = (double)(hi[m] - lo[m]) + 1.0;
		scale[m] = (int)m == g->primary ? PRIMARY_WEIGHT : 1.0; /* (1.0: exact) */
	}
	for (size_t k = 0; k < n; k++) {
		const struct sck_ir_range *r = &in[k];
		double w0 = share(r->lo, r->hi, lo[0], hi[0], span[0]), w1 = 0, weight = 0;

		/* (the second member apart, not in a loop: the shares stay in registers) */
		if (f->nweights)
			w0 = add_hints(f, g->members[0], r, w0, span[0]);
		weight += scale[0] * w0;
		if (nm == 2) {
			w1 = share(r->lo, r->hi, lo[1], hi[1], span[1]);
			if (f->nweights)
				w1 = add_hints(f, g->members[1], r, w1, span[1]);
			weight += scale[1] * w1;
		}
		out[k] = (struct sck_ir_range){.lo = r->lo,
					       .hi = r->hi,
					       .verdict = r->verdict,
					       .weight = weight < 0 ? 0 : weight,
					       .wm = {w0, w1}};
	}
}
