/* SPDX-License-Identifier: MIT */
/*
 * The repeated `-a ARCH` options of the commands that take several (audit, compile): one list of
 * distinct arches in the order given, with the usage errors in one place. A command that takes
 * one -a resolves it with sck_cli_arch (cli.h), which this uses too.
 */
#ifndef SCK_CLI_ARCH_LIST_H
#define SCK_CLI_ARCH_LIST_H

#include <stddef.h>

#include "cli.h"

/* The -a arches: @n of them in @v, each once, in the order given. */
struct sck_cli_arches {
	const struct sck_arch *v[SCK_FILTER_MAX_ARCH];
	size_t n;
};

/* Flags of sck_cli_arches_add. */
enum {
	/* refuse an arch whose byte order is not the first one's: one program has one order */
	SCK_CLI_ARCHES_ONE_ORDER = 1u << 0,
};

/*
 * Add the arch of one `-a NAME` to @l; an arch already in @l is not added again. Returns
 * SCK_EXIT_OK, or prints a usage error (`sck: CMD: why`) and returns SCK_EXIT_USAGE: NAME
 * unknown, more than SCK_FILTER_MAX_ARCH arches, or, with SCK_CLI_ARCHES_ONE_ORDER, an arch of
 * the other byte order than the first.
 */
int sck_cli_arches_add(const char *cmd, struct sck_cli_arches *l, const char *name,
		       unsigned int flags);

#endif
