// SPDX-License-Identifier: MIT
/*
 * `sck syscalls [-a ARCH] [SYSCALL]`: the syscall table of one architecture (the native one by
 * default), one `NAME NUMBER` line per entry ordered by number, or the one line of SYSCALL,
 * given by name or by number (decimal, or hex with 0x; x32 numbers carry 0x40000000). A call that
 * the arch reaches only through socketcall(2) or ipc(2) is reported as unknown, with a hint.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char cmd[] = "syscalls";

/* Parse @s as a syscall number; false when it is not one. */
static bool parse_nr(const char *s, int *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || v < 0 || v > 0x7fffffffL)
		return false;
	*out = (int)v;
	return true;
}

static int one(const struct sck_arch *arch, const char *arg)
{
	struct sck_syscall_mux mux;
	const char *name;
	int nr;

	if (parse_nr(arg, &nr)) {
		name = sck_syscall_name(arch, nr);
		if (!name) {
			sck_cli_err(cmd, "no syscall number %s on %s", arg, arch->name);
			return SCK_EXIT_USAGE;
		}
		printf("%s %d\n", name, nr);
		return SCK_EXIT_OK;
	}
	nr = sck_syscall_nr(arch, arg);
	if (nr >= 0) {
		printf("%s %d\n", arg, nr);
		return SCK_EXIT_OK;
	}
	if (sck_syscall_mux(arch, arg, &mux) == 0)
		sck_cli_err(cmd, "%s has no syscall '%s' (only %s %d with call %u)", arch->name,
			    arg, mux.kind == SCK_SYSCALL_MUX_IPC ? "ipc" : "socketcall", mux.nr,
			    mux.call);
	else
		sck_cli_err(cmd, "unknown syscall '%s' on %s", arg, arch->name);
	return SCK_EXIT_USAGE;
}

int sck_cmd_syscalls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"arch", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const struct sck_arch *arch = NULL;
	const char *arch_name = "native";
	int c, rc = SCK_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:a:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			arch_name = optarg;
			break;
		case ':':
			return sck_cli_usage(cmd, "option '%s' needs an argument",
					     argv[optind - 1]);
		default:
			return sck_cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return sck_cli_usage(cmd, "too many arguments");
	arch = sck_cli_arch(cmd, arch_name);
	if (!arch)
		return SCK_EXIT_USAGE;
	if (optind < argc) {
		rc = one(arch, argv[optind]);
	} else {
		const struct sck_syscall *s;

		for (size_t i = 0; (s = sck_syscall_at(arch, i)); i++)
			printf("%s %d\n", s->name, s->nr);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		sck_cli_err(cmd, "writing the output: %s", strerror(errno));
		return SCK_EXIT_NO;
	}
	return rc;
}
