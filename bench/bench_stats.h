/* SPDX-License-Identifier: MIT */
/*
 * What the benchmarks share to summarise repeated timings: the comparison qsort orders doubles
 * with, and the median of a series (which it sorts in place).
 */
#ifndef SCK_BENCH_STATS_H
#define SCK_BENCH_STATS_H

#include <stddef.h>
#include <stdlib.h>

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[0 .. n) (n > 0); @v is left sorted. */
static inline double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
