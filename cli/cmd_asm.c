// SPDX-License-Identifier: MIT
/*
 * `sck asm [-a ARCH] [-o OUT] FILE`: assemble the text `sck disasm` prints (or a hand-written
 * program with labels and syscall names) into raw BPF, on stdout or atomically into OUT.
 * Syntax errors: `sck: asm: FILE:LINE:COL: message`, exit 2.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sck_cmd_asm(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"output", required_argument, NULL, 'o'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = NULL;
	const char *outpath = NULL, *path;
	struct sock_filter *prog = NULL;
	struct sck_diag diag;
	char *text;
	size_t len, n;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+a:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			arch = sck_cli_arch("asm", optarg);
			if (!arch)
				return SCK_EXIT_USAGE;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			return sck_cli_help("asm");
		default:
			return sck_cli_bad_option("asm", "+a:o:h", argv);
		}
	}
	if (argc - optind != 1)
		return sck_cli_usage("asm", "expected one FILE");
	path = argv[optind];
	rc = sck_cli_read_file(path, &text, &n);
	if (rc < 0) {
		sck_cli_err("asm", "%s: %s", path, strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	if (strlen(text) != n) {
		free(text);
		sck_cli_err("asm", "%s: binary data (a NUL byte), not assembler text", path);
		return SCK_EXIT_USAGE;
	}
	memset(&diag, 0, sizeof(diag));
	{
		SCK_OPTS(sck_bpf_asm_opts, o, .arch = arch);
		rc = sck_bpf_asm_alloc(text, &o, &prog, &len, &diag);
	}
	free(text);
	if (rc == -ENOMEM) {
		sck_cli_err("asm", "%s", strerror(ENOMEM));
		return SCK_EXIT_NO;
	}
	if (rc < 0) {
		if (diag.line)
			sck_cli_err("asm", "%s:%u:%u: %s", path, diag.line, diag.col, diag.msg);
		else
			sck_cli_err("asm", "%s: %s", path, diag.msg[0] ? diag.msg : strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	if (!outpath && isatty(STDOUT_FILENO)) {
		free(prog);
		sck_cli_err("asm", "refusing to write raw BPF to a terminal; use -o OUT or a pipe");
		return SCK_EXIT_USAGE;
	}
	rc = sck_cli_write_file(outpath, prog, len * sizeof(*prog));
	free(prog);
	if (rc < 0) {
		sck_cli_err("asm", "%s: %s", outpath ? outpath : "stdout", strerror(-rc));
		return SCK_EXIT_NO;
	}
	return SCK_EXIT_OK;
}
