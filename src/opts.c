// SPDX-License-Identifier: MIT
/* The one check of extensible option structs, shared by every entry point that takes one. */
#include "opts_int.h"

#include <errno.h>
#include <string.h>

int sck_opts_check(const void *opts, size_t known)
{
	const unsigned char *p = opts;
	size_t sz;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (size_t i = known; i < sz; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}
