/* SPDX-License-Identifier: MIT */
/*
 * Reading raw BPF files for the BPF subcommands (check, disasm, emu, dump): one place that turns
 * a file into a program or a one-line reason why it is not one (exit status 2).
 */
#ifndef SCK_CLI_BPF_IO_H
#define SCK_CLI_BPF_IO_H

#include <stddef.h>

#include "cli.h"

/*
 * Read raw BPF (an array of struct sock_filter in host byte order) from @path ("-": stdin).
 * Returns SCK_EXIT_OK and a malloc'd *prog, *len; or prints `sck: CMD: PATH: why` and returns
 * SCK_EXIT_USAGE for a missing or unreadable file, an empty one, a size that is not a multiple
 * of 8, or more than SCK_BPF_MAXINSNS instructions.
 */
int sck_cli_read_bpf(const char *cmd, const char *path, struct sock_filter **prog, size_t *len);

#endif
