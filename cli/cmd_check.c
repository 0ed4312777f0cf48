// SPDX-License-Identifier: MIT
/*
 * `sck check [-a ARCH] [--byte-order ORDER] FILE`: validate a raw BPF file as seccomp(SECCOMP_SET_MODE_FILTER)
 * would, without loading it. Prints `FILE: ok, N instructions` (exit 0) or the first fault with
 * its instruction index (exit 1). The file may be in either byte order (bpf_io.h); ARCH, the
 * arch it is for, says which where the file cannot.
 */
#include "bpf_io.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int sck_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"byte-order", required_argument, NULL, 'B'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = NULL;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	struct sck_bpf_verdict why;
	struct sock_filter *prog;
	size_t len;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+a:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			arch = sck_cli_arch("check", optarg);
			if (!arch)
				return SCK_EXIT_USAGE;
			break;
		case 'B':
			if (sck_cli_parse_order("check", optarg, &order))
				return SCK_EXIT_USAGE;
			break;
		case 'h':
			return sck_cli_help("check");
		default:
			return sck_cli_bad_option("check", "+a:h", argv);
		}
	}
	if (argc - optind != 1)
		return sck_cli_usage("check", "expected one FILE");
	rc = sck_cli_read_bpf("check", argv[optind], arch, order, &prog, &len);
	if (rc)
		return rc;
	if (sck_bpf_check(prog, len, &why) == 0) {
		printf("%s: ok, %zu instructions\n", argv[optind], len);
		rc = SCK_EXIT_OK;
	} else {
		sck_cli_err("check", "%s: instruction %zu: %s", argv[optind], why.index,
			    sck_bpf_fault_str(why.fault));
		rc = SCK_EXIT_NO;
	}
	free(prog);
	return rc;
}
