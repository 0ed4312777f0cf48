/* SPDX-License-Identifier: MIT */
/*
 * Raw BPF files for the BPF subcommands (check, disasm, emu, asm, dump, compile): one place that
 * turns a file into a program or a one-line reason why it is not one (exit status 2), and that
 * knows byte orders. A raw file holds struct sock_filter in the byte order of the machine that
 * loads it: a file for s390x is big-endian even when written on x86_64. `--byte-order
 * host|target|big|little` chooses it; without it readers tell it from the file (a BPF opcode
 * fits in 8 bits, so the wrong order shows in every instruction with a non-zero code), and
 * writers use the order of the program's arches (target).
 */
#ifndef SCK_CLI_BPF_IO_H
#define SCK_CLI_BPF_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* --byte-order's values; AUTO when the option is not given. */
enum sck_cli_order {
	SCK_CLI_ORDER_AUTO = 0,
	SCK_CLI_ORDER_HOST,
	SCK_CLI_ORDER_TARGET,
	SCK_CLI_ORDER_BIG,
	SCK_CLI_ORDER_LITTLE,
};

/*
 * Parse a --byte-order argument into *out. Returns SCK_EXIT_OK, or prints a usage error naming
 * the four values and returns SCK_EXIT_USAGE.
 */
int sck_cli_parse_order(const char *cmd, const char *s, enum sck_cli_order *out);

/*
 * Whether order @o is little-endian, TARGET (and AUTO) being @target_le; HOST is this machine's.
 */
bool sck_cli_order_le(enum sck_cli_order o, bool target_le);

/* Whether this machine is little-endian. */
bool sck_cli_host_le(void);

/*
 * Read raw BPF from @path ("-": stdin) and return it in host byte order: SCK_EXIT_OK and a
 * malloc'd *prog, *len. @order says the file's order (TARGET: @arch's, or the native arch's
 * when @arch is NULL); AUTO tells it from the file, and where the file cannot tell (every code
 * zero, or some code above 0xff in both orders) takes @arch's order, or without @arch prints
 * that the order cannot be told. Errors (printed as `sck: CMD: PATH: why`): SCK_EXIT_USAGE for a
 * missing or unreadable file, an empty one, a size that is not a multiple of 8, more than
 * SCK_BPF_MAXINSNS instructions, an order that cannot be told; SCK_EXIT_NO when out of memory.
 */
int sck_cli_read_bpf(const char *cmd, const char *path, const struct sck_arch *arch,
		     enum sck_cli_order order, struct sock_filter **prog, size_t *len);

/*
 * Write @prog (host byte order, @len instructions) to @path (NULL or "-": stdout) atomically, in
 * little-endian order when @le, else big-endian. Returns 0 or -errno; @prog is left as it was.
 */
int sck_cli_write_bpf(const char *path, const struct sock_filter *prog, size_t len, bool le);

#endif
