// SPDX-License-Identifier: MIT
/*
 * `sck asm [-a ARCH] [--byte-order ORDER] [-o OUT] FILE`: assemble the text `sck disasm` prints
 * (or a hand-written program with labels and syscall names) into raw BPF, on stdout or
 * atomically into OUT. The file is written in the target's byte order unless --byte-order says
 * otherwise: the text's `.arch`, else -a ARCH, else the arches the program checks
 * (sck_bpf_arch_order), else this host's. Syntax errors: `sck: asm: FILE:LINE:COL: message`,
 * exit 2.
 */
#include "bpf_io.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The arch of the text's `.arch NAME` directive (a line of its own), or NULL. */
static const struct sck_arch *directive_arch(const char *text)
{
	for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char name[64];
		size_t n = 0;

		while (*l == ' ' || *l == '\t')
			l++;
		if (strncmp(l, ".arch", 5) != 0 || (l[5] != ' ' && l[5] != '\t'))
			continue;
		for (l += 5; *l == ' ' || *l == '\t'; l++)
			;
		while (n + 1 < sizeof(name) && l[n] && !isspace((unsigned char)l[n]) && l[n] != ';')
			n++;
		memcpy(name, l, n);
		name[n] = '\0';
		return sck_arch_from_name(name);
	}
	return NULL;
}

/* Whether the program goes out little-endian: see the file's comment. */
static bool target_le(const struct sck_arch *arch, const char *text, const struct sock_filter *p,
		      size_t len)
{
	const struct sck_arch *d = directive_arch(text);
	int o;

	if (d || arch)
		return (d ? d : arch)->little_endian;
	o = sck_bpf_arch_order(p, len);
	if (o == SCK_BYTE_ORDER_LITTLE || o == SCK_BYTE_ORDER_BIG)
		return o == SCK_BYTE_ORDER_LITTLE;
	return sck_cli_host_le();
}

int sck_cmd_asm(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"output", required_argument, NULL, 'o'},
						 {"byte-order", required_argument, NULL, 'B'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = NULL;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	bool le;
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
		case 'B':
			if (sck_cli_parse_order("asm", optarg, &order))
				return SCK_EXIT_USAGE;
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
	le = rc == 0 ? sck_cli_order_le(order, target_le(arch, text, prog, len)) : true;
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
	rc = sck_cli_write_bpf(outpath, prog, len, le);
	free(prog);
	if (rc < 0) {
		sck_cli_err("asm", "%s: %s", outpath ? outpath : "stdout", strerror(-rc));
		return SCK_EXIT_NO;
	}
	return SCK_EXIT_OK;
}
