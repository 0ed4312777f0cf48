// SPDX-License-Identifier: MIT
/*
 * Orders of the argument planner: the normal form of a residual (the first entry without atoms
 * decides, trailing entries of the final action go, and same-action neighbours, which may swap
 * without changing a verdict, sorted so that equal decisions are found equal), and the sort of
 * 32-bit values the range planner cuts a word's domain with.
 */
#include "filter/cmp_arg.h"

#include <string.h>

static int atom_cmp(const struct sck_atom *x, const struct sck_atom *y)
{
	const uint64_t kx[] = {(uint64_t)x->word << 24 | (uint64_t)x->kind << 16 |
				       (uint64_t)x->op << 8 | x->neg,
			       (uint64_t)x->a << 32 | x->b, x->v};
	const uint64_t ky[] = {(uint64_t)y->word << 24 | (uint64_t)y->kind << 16 |
				       (uint64_t)y->op << 8 | y->neg,
			       (uint64_t)y->a << 32 | y->b, y->v};

	for (int i = 0; i < 3; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

static int rent_cmp(const struct sck_rent *x, const struct sck_rent *y)
{
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	for (uint32_t j = 0; j < x->n; j++) {
		int c = atom_cmp(&x->at[j], &y->at[j]);
		if (c)
			return c;
	}
	return 0;
}

/*
 * Normal form: an entry without atoms decides (it becomes the final action and what follows it
 * goes); trailing entries that return the final action anyway go. Neighbours with one action
 * may swap without changing any verdict (whichever matches first, the action is the same): each
 * run of them is sorted, and repeats dropped, so that residuals which differ only there (an
 * allowlist's value met at different places among the rules on another argument) are one node.
 */
void sck_res_normalize(struct sck_rent *e, size_t *n, uint32_t *final)
{
	size_t m = 0;

	for (size_t i = 0; i < *n; i++) {
		if (e[i].n == 0) {
			*final = e[i].action;
			*n = i;
			break;
		}
	}
	while (*n > 0 && e[*n - 1].action == *final)
		(*n)--;
	for (size_t i = 0; i < *n;) {
		size_t j = i + 1, start = m;
		while (j < *n && e[j].action == e[i].action)
			j++;
		/* insertion into the run being built: runs are short but for allowlists, whose
		 * entries mostly come sorted already (the sweep meets them in value order) */
		for (size_t k = i; k < j; k++) {
			struct sck_rent x = e[k];
			size_t q = m;
			int c = 1;
			while (q > start && (c = rent_cmp(&e[q - 1], &x)) > 0)
				q--;
			if (q > start && c == 0 && rent_cmp(&e[q - 1], &x) == 0)
				continue; /* the same entry again */
			memmove(&e[q + 1], &e[q], (m - q) * sizeof(*e));
			e[q] = x;
			m++;
		}
		i = j;
	}
	*n = m;
}

void sck_sort_u32(uint32_t *a, size_t n, uint32_t *tmp)
{
	if (n < 32) {
		for (size_t i = 1; i < n; i++) {
			uint32_t v = a[i];
			size_t j = i;
			for (; j > 0 && a[j - 1] > v; j--)
				a[j] = a[j - 1];
			a[j] = v;
		}
		return;
	}
	/*
	 * LSD radix, a byte a pass, the four histograms counted in one read; a byte that every
	 * value shares (the high bytes of small requests, flags) costs no pass.
	 */
	size_t count[4][257] = {{0}};
	uint32_t *src = a, *dst = tmp;

	for (size_t i = 0; i < n; i++)
		for (unsigned int b = 0; b < 4; b++)
			count[b][((a[i] >> (8 * b)) & 0xff) + 1]++;
	for (unsigned int b = 0; b < 4; b++) {
		size_t *c = count[b];
		unsigned int shift = 8 * b;
		if (c[((a[0] >> shift) & 0xff) + 1] == n)
			continue;
		for (size_t k = 0; k < 256; k++)
			c[k + 1] += c[k];
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i] >> shift) & 0xff]++] = src[i];
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}
