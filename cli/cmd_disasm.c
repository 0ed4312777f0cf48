// SPDX-License-Identifier: MIT
/*
 * `sck disasm [-a ARCH] [--byte-order ORDER] [-f text|dot] [-o OUT] FILE`: a raw BPF file (in
 * either byte order, bpf_io.h) as text (syscall, field and action names; what `sck asm` reads
 * back) or as a Graphviz control-flow graph.
 */
#include "bpf_io.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sck_cmd_disasm(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"format", required_argument, NULL, 'f'},
						 {"output", required_argument, NULL, 'o'},
						 {"byte-order", required_argument, NULL, 'B'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = NULL;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	const char *format = "text", *outpath = NULL;
	struct sock_filter *prog;
	char *text = NULL;
	size_t len;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+a:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			arch = sck_cli_arch("disasm", optarg);
			if (!arch)
				return SCK_EXIT_USAGE;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'B':
			if (sck_cli_parse_order("disasm", optarg, &order))
				return SCK_EXIT_USAGE;
			break;
		case 'h':
			return sck_cli_help("disasm");
		default:
			return sck_cli_bad_option("disasm", "+a:f:o:h", argv);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "dot") != 0)
		return sck_cli_usage("disasm", "unknown format '%s' (text or dot)", format);
	if (argc - optind != 1)
		return sck_cli_usage("disasm", "expected one FILE");
	rc = sck_cli_read_bpf("disasm", argv[optind], arch, order, &prog, &len);
	if (rc)
		return rc;
	{
		SCK_OPTS(sck_bpf_disasm_opts, o, .arch = arch);
		rc = format[0] == 'd' ? sck_bpf_dot_alloc(prog, len, &o, &text)
				      : sck_bpf_disasm_alloc(prog, len, &o, &text);
	}
	free(prog);
	if (rc < 0) {
		sck_cli_err("disasm", "%s: %s", argv[optind], strerror(-rc));
		return SCK_EXIT_NO;
	}
	rc = sck_cli_write_file(outpath, text, strlen(text));
	free(text);
	if (rc < 0) {
		sck_cli_err("disasm", "%s: %s", outpath ? outpath : "stdout", strerror(-rc));
		return SCK_EXIT_NO;
	}
	return SCK_EXIT_OK;
}
