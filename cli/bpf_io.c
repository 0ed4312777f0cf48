// SPDX-License-Identifier: MIT
/* Raw BPF file input shared by the BPF subcommands; see bpf_io.h. */
#include "bpf_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sck_cli_read_bpf(const char *cmd, const char *path, struct sock_filter **prog, size_t *len)
{
	struct sock_filter *p;
	char *buf;
	size_t n;
	int rc;

	rc = sck_cli_read_file(path, &buf, &n);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", path, strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	if (n == 0) {
		sck_cli_err(cmd, "%s: empty file, not a BPF program", path);
		rc = SCK_EXIT_USAGE;
	} else if (n % sizeof(struct sock_filter)) {
		sck_cli_err(cmd,
			    "%s: size %zu is not a multiple of 8 (raw BPF is an array of "
			    "struct sock_filter)",
			    path, n);
		rc = SCK_EXIT_USAGE;
	} else if (n / sizeof(struct sock_filter) > SCK_BPF_MAXINSNS) {
		sck_cli_err(cmd, "%s: %zu instructions, more than the kernel's limit of %d", path,
			    n / sizeof(struct sock_filter), SCK_BPF_MAXINSNS);
		rc = SCK_EXIT_USAGE;
	}
	if (rc) {
		free(buf);
		return rc;
	}
	p = malloc(n);
	if (!p) {
		free(buf);
		sck_cli_err(cmd, "%s", strerror(ENOMEM));
		return SCK_EXIT_NO;
	}
	memcpy(p, buf, n);
	free(buf);
	*prog = p;
	*len = n / sizeof(struct sock_filter);
	return SCK_EXIT_OK;
}
