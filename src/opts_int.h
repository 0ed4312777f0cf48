/* SPDX-License-Identifier: MIT */
/*
 * Reading extensible option structs (STYLE.md section 5): one check, and field access that
 * treats whatever lies past the caller's sz as zero.
 */
#ifndef SCK_OPTS_INT_H
#define SCK_OPTS_INT_H

#include <stddef.h>

/*
 * Check @opts (may be NULL) against the @known size of its struct in this build: -EINVAL when
 * its sz is smaller than a size_t, -E2BIG when a byte past @known (and inside sz) is non-zero,
 * else 0.
 */
int sck_opts_check(const void *opts, size_t known);

#define SCK_OPTS_HAS(o, field)                                                                     \
	((o) && (o)->sz >= offsetof(__typeof__(*(o)), field) + sizeof(__typeof__((o)->field)))
#define SCK_OPTS_GET(o, field, dflt) (SCK_OPTS_HAS(o, field) ? (o)->field : (dflt))

#endif
