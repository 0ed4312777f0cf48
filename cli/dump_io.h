/* SPDX-License-Identifier: MIT */
/*
 * Reading a live process's seccomp filter stack (PTRACE_SECCOMP_GET_FILTER through
 * sck_dump_filter_alloc), shared by `sck dump` and `sck audit --pid`: the errors in one place.
 */
#ifndef SCK_CLI_DUMP_IO_H
#define SCK_CLI_DUMP_IO_H

#include <stddef.h>

#include "cli.h"

struct sck_cli_filter {
	struct sock_filter *prog;
	size_t len;
};

/* Print why filters of @pid could not be read (`sck: CMD: PID: why`); returns SCK_EXIT_NO. */
int sck_cli_dump_err(const char *cmd, const char *pid, int rc);

/*
 * Every filter of @pid, oldest (the kernel's index 0) first, into a malloc'd *@out of *@n; free
 * with sck_cli_filters_free. Returns SCK_EXIT_OK, or prints the error and returns SCK_EXIT_NO.
 */
int sck_cli_dump_stack(const char *cmd, const char *pidstr, int pid, struct sck_cli_filter **out,
		       unsigned int *n);
void sck_cli_filters_free(struct sck_cli_filter *f, unsigned int n);

#endif
