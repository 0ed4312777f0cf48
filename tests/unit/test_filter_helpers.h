/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the filter compiler's emulation tests (test_filter.c, test_filter_sweep.c):
 * the x32 bit, an errno verdict, and an arch looked up by name that must exist. Static inline:
 * each test file gets its own copy.
 */
#ifndef SCK_TEST_FILTER_HELPERS_H
#define SCK_TEST_FILTER_HELPERS_H

#include <criterion/criterion.h>

#include "sck.h"

#define X32_BIT 0x40000000U
#define ERRNO(n) (SECCOMP_RET_ERRNO | (n))

static inline const struct sck_arch *A(const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);
	cr_assert(a, "arch %s", name);
	return a;
}

#endif
