/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the `sck` program: error messages in the `sck: WHAT: WHY` form, exit
 * statuses, whole-file reads and atomic writes. The CLI reaches the library through <sck.h> only.
 */
#ifndef SCK_CLI_H
#define SCK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "sck.h"

/* Exit statuses (DESIGN.md, Contract 2). */
enum {
	SCK_EXIT_OK = 0,
	SCK_EXIT_NO = 1,    /* ran; the answer is no, or the operation failed */
	SCK_EXIT_USAGE = 2, /* the invocation or its input is wrong */
	SCK_EXIT_FAILED = 125,
	SCK_EXIT_NOEXEC = 126,
	SCK_EXIT_NOTFOUND = 127,
};

/* One subcommand: `sck NAME ...` calls fn(argc, argv) with argv[0] == NAME. */
struct sck_cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

/* Print "sck: WHAT: WHY" to stderr. */
void sck_cli_err(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "sck: CMD: WHY" and a one-line hint to see `sck CMD --help`; returns SCK_EXIT_USAGE. */
int sck_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * After getopt_long() returned '?' (main sets opterr = 0: getopt prints nothing itself): print
 * one line naming the unknown option or the option missing its argument, as sck_cli_usage does;
 * @optstring is the one given to getopt_long. Returns SCK_EXIT_USAGE.
 */
int sck_cli_bad_option(const char *cmd, const char *optstring, char **argv);

/* Print the usage line and summary of @cmd to stdout; returns SCK_EXIT_OK. */
int sck_cli_help(const char *cmd);

/*
 * Read all of @path ("-" is stdin) into a malloc'd buffer with a NUL after the last byte.
 * Returns 0 and sets *buf, *len; or -errno (-EFBIG above 64 MiB).
 */
int sck_cli_read_file(const char *path, char **buf, size_t *len);

/*
 * Write @len bytes to @path atomically: a temporary file in the same directory, fsync, rename.
 * NULL or "-" writes to stdout; an existing device or fifo (/dev/null) is written in place, never
 * replaced. Returns 0 or -errno; on failure no file is left behind.
 */
int sck_cli_write_file(const char *path, const void *data, size_t len);

/* Resolve an -a ARCH argument; prints the error itself and returns NULL when unknown. */
const struct sck_arch *sck_cli_arch(const char *cmd, const char *name);

/* The subcommands: int sck_cmd_NAME(int argc, char **argv), one per line of commands.def. */
#define CMD(name, usage, summary) int sck_cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CMD

#endif /* SCK_CLI_H */
