// SPDX-License-Identifier: MIT
/* The list of repeated -a ARCH options of `sck audit` and `sck compile`; see arch_list.h. */
#include "arch_list.h"

int sck_cli_arches_add(const char *cmd, struct sck_cli_arches *l, const char *name,
		       unsigned int flags)
{
	const struct sck_arch *a = sck_cli_arch(cmd, name);

	if (!a)
		return SCK_EXIT_USAGE;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == a)
			return SCK_EXIT_OK;
	if ((flags & SCK_CLI_ARCHES_ONE_ORDER) && l->n &&
	    l->v[0]->little_endian != a->little_endian)
		return sck_cli_usage(cmd,
				     "-a %s is %s-endian, -a %s is not: one program has one byte "
				     "order (libseccomp refuses this set too); compile each order "
				     "apart",
				     a->name, a->little_endian ? "little" : "big", l->v[0]->name);
	if (l->n == sizeof(l->v) / sizeof(l->v[0]))
		return sck_cli_usage(cmd, "too many -a");
	l->v[l->n++] = a;
	return SCK_EXIT_OK;
}
