/* SPDX-License-Identifier: MIT */
/*
 * The library's growth helper for arrays kept as (pointer, count, capacity): one place that
 * doubles a capacity, checks the size for overflow and leaves the array alone on failure,
 * instead of a hand-written realloc at every site.
 */
#ifndef SCK_GROW_INT_H
#define SCK_GROW_INT_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The capacity an empty array starts with. */
#define SCK_GROW_MIN 16

/*
 * sck_grow - make room for @need elements of @elem bytes in the array whose pointer is at @ptrp
 * (a `T **`, passed as void * so that any element type fits) and whose capacity, in elements,
 * is *@cap. The capacity at least doubles. Returns 0; -ENOMEM (allocation failed, or the size
 * overflows), with the array and *@cap untouched.
 */
static inline int sck_grow(void *ptrp, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap;
	void *p, *np;

	if (need <= ncap)
		return 0;
	ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : 2 * ncap;
	if (ncap < SCK_GROW_MIN)
		ncap = SCK_GROW_MIN;
	if (ncap < need)
		ncap = need;
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	/* (memcpy: the pointer's own type is the caller's, not void *) */
	memcpy(&p, ptrp, sizeof(p));
	np = realloc(p, ncap * elem);
	if (!np)
		return -ENOMEM;
	memcpy(ptrp, &np, sizeof(np));
	*cap = ncap;
	return 0;
}

#endif
