// SPDX-License-Identifier: MIT
/*
 * The order of a group's lowered rules (cmp_ir.c, step 2): by syscall number, stably, then per
 * number what the filter's overlap semantics keep and in which order they are tried: rule order,
 * or in OCI mode runc + libseccomp's (an unconditional rule replaces the conditional ones, and
 * conditional rules with different actions go in libseccomp's order, approximated below).
 */
#include "filter/filter_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sort @order (indexes into @e) by e[].nr, stably: LSD radix, 8 bits a pass. */
static void radix_sort(const struct sck_ir_entry *e, uint32_t *order, uint32_t *tmp, size_t n)
{
	for (unsigned int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = {0};
		bool moved = false;
		for (size_t i = 0; i < n; i++)
			count[((e[order[i]].nr >> shift) & 0xff) + 1]++;
		for (size_t b = 0; b < 256; b++) {
			if (count[b + 1] == n)
				moved = true; /* every key has this digit: nothing to do */
			count[b + 1] += count[b];
		}
		if (moved)
			continue;
		for (size_t i = 0; i < n; i++)
			tmp[count[(e[order[i]].nr >> shift) & 0xff]++] = order[i];
		memcpy(order, tmp, n * sizeof(*order));
	}
}

/* @e[0..n) by number into @out, stably, by the radix sort of indexes. 0 or -ENOMEM. */
static int sort_by_radix(const struct sck_ir_entry *e, size_t n, struct sck_ir_entry *out)
{
	uint32_t *order = malloc(n * sizeof(*order)), *tmp = malloc(n * sizeof(*tmp));
	int rc = order && tmp ? 0 : -ENOMEM;

	if (!rc) {
		for (size_t i = 0; i < n; i++)
			order[i] = (uint32_t)i;
		radix_sort(e, order, tmp, n);
		for (size_t i = 0; i < n; i++)
			out[i] = e[order[i]];
	}
	free(order);
	free(tmp);
	return rc;
}

/*
 * The key of @nr: its place in the group's two intervals of numbers (@nrs) laid end to end,
 * @span0 the first one's length: ordered as the numbers are. Returned as what is taken from @nr
 * to make its key (modulo 2^32): one base for all the numbers on @nr's side of the split.
 */
static uint32_t key_base(uint32_t nr, const struct sck_ir_nrs *nrs, size_t span0)
{
	return nr < nrs->split ? nrs->lo[0] : nrs->lo[1] - (uint32_t)span0;
}

/*
 * @e[0..n) by number into @out, stably: one counting pass over the dense keys when the intervals
 * are short (at most 2 n + 1024 keys, the usual case: a table's numbers), else the radix sort.
 * @given: where the numbers lie, as the lowering found (its tables' spans, mostly). The dense
 * pass notes the numbers of several entries in @runs as it goes over the keys. 0 or -ENOMEM.
 */
static int sort_by_nr(const struct sck_ir_entry *e, size_t n, const struct sck_ir_nrs *given,
		      struct sck_ir_entry *out, struct sck_ir_runs *runs)
{
	struct sck_ir_nrs tight = *given;
	const struct sck_ir_nrs *nrs = &tight;
	uint32_t small[2048], *count = small;
	size_t span[2], nruns;

	runs->n = 0;
	runs->all = false;

	span[0] = given->lo[0] <= given->hi[0] ? given->hi[0] - given->lo[0] : 0;
	span[1] = given->lo[1] <= given->hi[1] ? given->hi[1] - given->lo[1] : 0;
	if (span[0] + span[1] > 4 * n) {
		/* a few entries in a table's span: a pass to find the numbers' own is cheaper than
		 * going through the span's keys */
		tight.lo[0] = tight.lo[1] = UINT32_MAX;
		tight.hi[0] = tight.hi[1] = 0;
		for (size_t i = 0; i < n; i++) {
			int s = e[i].nr >= tight.split;
			tight.lo[s] = e[i].nr < tight.lo[s] ? e[i].nr : tight.lo[s];
			tight.hi[s] = e[i].nr > tight.hi[s] ? e[i].nr : tight.hi[s];
		}
	}
	for (int s = 0; s < 2; s++) {
		span[s] = 0;
		if (nrs->lo[s] <= nrs->hi[s] && nrs->hi[s] - nrs->lo[s] >= 2 * n + 1024)
			return sort_by_radix(e, n, out);
		if (nrs->lo[s] <= nrs->hi[s])
			span[s] = (size_t)(nrs->hi[s] - nrs->lo[s]) + 1;
	}
	if (span[0] + span[1] > 2 * n + 1024)
		return sort_by_radix(e, n, out);
	/* (n < 2^32: the lowering's entries are at most two a rule and arch) */
	if (span[0] + span[1] > sizeof(small) / sizeof(small[0]))
		count = calloc(span[0] + span[1], sizeof(*count));
	else
		memset(count, 0, (span[0] + span[1]) * sizeof(*count));
	if (!count)
		return -ENOMEM;
	/* (member by member: one base each, nrs->nfirst) */
	for (size_t m = 0, i = 0; m < 2; m++) {
		size_t end = m ? n : nrs->nfirst;
		uint32_t base = i < end ? key_base(e[i].nr, nrs, span[0]) : 0;
		for (; i < end; i++)
			count[(uint32_t)(e[i].nr - base)]++;
	}
	/* each key's count replaced by where its entries go (the sum in a local: @runs is written
	 * to as well, which the compiler cannot tell apart from @count) */
	nruns = 0;
	for (size_t k = 0, at = 0; k < span[0] + span[1]; k++) {
		uint32_t c = count[k];
		count[k] = (uint32_t)at;
		if (c > 1) {
			if (nruns < SCK_IR_RUNS_MAX) {
				runs->at[nruns].start = (uint32_t)at;
				runs->at[nruns].len = c;
			}
			nruns++;
		}
		at += c;
	}
	runs->n = nruns;
	runs->all = nruns <= SCK_IR_RUNS_MAX;
	for (size_t m = 0, i = 0; m < 2; m++) {
		size_t end = m ? n : nrs->nfirst;
		uint32_t base = i < end ? key_base(e[i].nr, nrs, span[0]) : 0;
		for (; i < end; i++)
			out[count[(uint32_t)(e[i].nr - base)]++] = e[i];
	}
	if (count != small)
		free(count);
	return 0;
}

/*
 * libseccomp's order among the conditional rules of one syscall (OCI mode). libseccomp merges
 * them into a tree whose levels it keeps ordered and takes the first matching branch; this
 * approximates it as first match over the rules sorted by their chains of comparison nodes. A
 * rule's chain takes its conditions by argument index, ascending; each condition is one node on
 * a 32-bit compare, or a high-word node then a low-word node on a 64-bit one. Nodes compare by
 * argument (higher first), then by kind (masked equality, equality (NE is an inverted EQ), GE
 * (LT inverted), GT (LE inverted; a 64-bit ordering compare's high node is a GT)), then by mask
 * and operand (larger first); a chain that is a prefix of another comes first. Inferred from
 * libseccomp 2.5's generated filters: it matches them on every case of docs/semantics.md, and
 * on random overlapping rule sets far more often than rule order does (not always).
 */
struct lsnode {
	unsigned int arg, op;
	uint64_t datum, mask;
};

enum { LS_MASKED = 0, LS_EQ = 1, LS_GE = 2, LS_GT = 3 };

static unsigned int ls_op(unsigned int op)
{
	switch (op) {
	case SCK_CMP_EQ:
	case SCK_CMP_NE:
		return LS_EQ;
	case SCK_CMP_LT:
	case SCK_CMP_GE:
		return LS_GE;
	case SCK_CMP_LE:
	case SCK_CMP_GT:
		return LS_GT;
	default:
		return LS_MASKED;
	}
}

static size_t ls_chain(const struct sck_ir_entry *e, struct lsnode *out)
{
	const struct sck_ir_cond *by_arg[6] = {0};
	size_t n = 0;

	for (size_t i = 0; i < e->ncond; i++)
		if (e->conds[i].arg < 6 && !by_arg[e->conds[i].arg])
			by_arg[e->conds[i].arg] = &e->conds[i];
	for (unsigned int a = 0; a < 6; a++) {
		const struct sck_ir_cond *c = by_arg[a];
		if (!c)
			continue;
		if (c->wide) {
			out[n++] = (struct lsnode){.arg = a,
						   .op = c->op == SCK_CMP_MASKED_EQ ? LS_MASKED
							 : ls_op(c->op) == LS_EQ    ? LS_EQ
										    : LS_GT,
						   .datum = c->value >> 32,
						   .mask = c->mask >> 32};
		}
		out[n++] = (struct lsnode){.arg = a,
					   .op = ls_op(c->op),
					   .datum = c->value & 0xffffffffU,
					   .mask = c->mask & 0xffffffffU};
	}
	return n;
}

static int ls_cmp(const struct sck_ir_entry *x, const struct sck_ir_entry *y)
{
	struct lsnode a[12], b[12];
	size_t na = ls_chain(x, a), nb = ls_chain(y, b);

	for (size_t i = 0; i < na && i < nb; i++) {
		if (a[i].arg != b[i].arg)
			return a[i].arg > b[i].arg ? -1 : 1;
		if (a[i].op != b[i].op)
			return a[i].op < b[i].op ? -1 : 1;
		if (a[i].mask != b[i].mask)
			return a[i].mask > b[i].mask ? -1 : 1;
		if (a[i].datum != b[i].datum)
			return a[i].datum > b[i].datum ? -1 : 1;
	}
	return na < nb ? -1 : na > nb ? 1 : 0;
}

/* (declared in filter_int.h) */
void sck_ir_libseccomp_order(struct sck_ir_entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct sck_ir_entry t = e[i];
		size_t j = i;
		while (j > 0 && ls_cmp(&e[j - 1], &t) > 0) {
			e[j] = e[j - 1];
			j--;
		}
		e[j] = t;
	}
}

/*
 * OCI (libseccomp), with every run of several entries in @runs: an unconditional rule replaces
 * every conditional one of its syscall, and the first unconditional rule stays. The entries
 * between the runs (numbers of one entry) move as blocks, and only once a run has shrunk.
 * @runs then holds the runs left, where they now start. Returns the number of entries left.
 */
static size_t oci_runs(struct sck_ir_entry *sorted, size_t n, struct sck_ir_runs *runs)
{
	size_t k = 0, i = 0, kept = 0;

	for (size_t r = 0; r < runs->n; r++) {
		size_t s = runs->at[r].start, len = runs->at[r].len, first = SIZE_MAX;
		if (k != i)
			memmove(&sorted[k], &sorted[i], (s - i) * sizeof(*sorted));
		k += s - i;
		for (size_t j = s; j < s + len; j++) {
			if (sorted[j].ncond == 0) {
				first = j;
				break;
			}
		}
		if (first != SIZE_MAX) {
			sorted[k++] = sorted[first];
		} else {
			if (k != s)
				memmove(&sorted[k], &sorted[s], len * sizeof(*sorted));
			/* (the run, where it now starts) */
			runs->at[kept].start = (uint32_t)k;
			runs->at[kept++].len = (uint32_t)len;
			k += len;
		}
		i = s + len;
	}
	runs->n = kept;
	if (k != i)
		memmove(&sorted[k], &sorted[i], (n - i) * sizeof(*sorted));
	return k + (n - i);
}

/* (declared in filter_int.h) */
int sck_ir_order_entries(const struct sck_filter *f, const struct sck_ir_entry *e, size_t n,
			 const struct sck_ir_nrs *nrs, struct sck_ir_entry *sorted, size_t *nsorted,
			 struct sck_ir_runs *runs)
{
	size_t k = 0;
	int rc;

	runs->n = 0;
	runs->all = false;
	rc = n ? sort_by_nr(e, n, nrs, sorted, runs) : 0;
	if (rc)
		return rc;
	if (!(f->flags & SCK_FILTER_OCI)) {
		*nsorted = n;
		return 0;
	}
	if (runs->all) {
		*nsorted = oci_runs(sorted, n, runs);
		return 0;
	}
	runs->all = false;
	/* OCI (libseccomp): an unconditional rule replaces every conditional one of its syscall,
	 * and the first unconditional rule stays; in place, @k never passes the run's start */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1, first;
		if (k == i) {
			/* nothing moved yet: numbers of one entry (the usual) stay where they are */
			while (j < n && sorted[j].nr != sorted[i].nr)
				i = j++;
			k = i;
			if (j == n) {
				k = n;
				break;
			}
		}
		first = sorted[i].ncond == 0 ? i : SIZE_MAX;
		while (j < n && sorted[j].nr == sorted[i].nr) {
			if (first == SIZE_MAX && sorted[j].ncond == 0)
				first = j;
			j++;
		}
		if (first != SIZE_MAX) {
			if (k != first)
				sorted[k] = sorted[first];
			k++;
		} else {
			/* (libseccomp's order of conditional rules is cmp_ir_lsc.c's) */
			if (k != i)
				memmove(&sorted[k], &sorted[i], (j - i) * sizeof(*sorted));
			k += j - i;
		}
		i = j;
	}
	*nsorted = k;
	return 0;
}
