// SPDX-License-Identifier: MIT
/*
 * `sck check FILE`: validate a raw BPF file as seccomp(SECCOMP_SET_MODE_FILTER) would, without
 * loading it. Prints `FILE: ok, N instructions` (exit 0) or the first fault with its instruction
 * index (exit 1).
 */
#include "bpf_io.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int sck_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	struct sck_bpf_verdict why;
	struct sock_filter *prog;
	size_t len;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return sck_cli_help("check");
		return sck_cli_bad_option("check", "+h", argv);
	}
	if (argc - optind != 1)
		return sck_cli_usage("check", "expected one FILE");
	rc = sck_cli_read_bpf("check", argv[optind], &prog, &len);
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
