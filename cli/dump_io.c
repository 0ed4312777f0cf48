// SPDX-License-Identifier: MIT
/* A live process's filter stack for `sck dump` and `sck audit --pid`; see dump_io.h. */
#include "dump_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sck_cli_dump_err(const char *cmd, const char *pid, int rc)
{
	switch (rc) {
	case -ESRCH:
		sck_cli_err(cmd, "%s: no such process", pid);
		break;
	case -EPERM:
	case -EACCES:
		sck_cli_err(cmd,
			    "%s: permission denied (needs CAP_SYS_ADMIN, ptrace access, "
			    "and no seccomp filter on sck itself)",
			    pid);
		break;
	case -EMEDIUMTYPE:
		sck_cli_err(cmd, "%s: not in seccomp filter mode", pid);
		break;
	default:
		sck_cli_err(cmd, "%s: %s", pid, strerror(-rc));
	}
	return SCK_EXIT_NO;
}

int sck_cli_dump_stack(const char *cmd, const char *pidstr, int pid, struct sck_cli_filter **out,
		       unsigned int *n)
{
	struct sck_cli_filter *f = NULL;
	unsigned int cnt = 0;

	/* filters by the kernel's index until it says there is no more */
	for (unsigned int i = 0;; i++) {
		struct sck_cli_filter *nf;
		struct sock_filter *prog;
		size_t len;
		int rc = sck_dump_filter_alloc(pid, i, &prog, &len);

		if (rc == -ENOENT && i > 0)
			break;
		if (rc < 0) {
			sck_cli_filters_free(f, cnt);
			return sck_cli_dump_err(cmd, pidstr, rc == -ENOENT ? -EMEDIUMTYPE : rc);
		}
		nf = realloc(f, (cnt + 1) * sizeof(*f));
		if (!nf) {
			free(prog);
			sck_cli_filters_free(f, cnt);
			return sck_cli_dump_err(cmd, pidstr, -ENOMEM);
		}
		f = nf;
		f[cnt].prog = prog;
		f[cnt].len = len;
		cnt++;
	}
	*out = f;
	*n = cnt;
	return SCK_EXIT_OK;
}

void sck_cli_filters_free(struct sck_cli_filter *f, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(f[i].prog);
	free(f);
}
