// SPDX-License-Identifier: MIT
/*
 * `sck dump PID [-a ARCH] [-i INDEX] [-f raw|text] [--byte-order ORDER] [-o OUT]`: the seccomp
 * filters installed in a live process (PTRACE_SECCOMP_GET_FILTER: needs CAP_SYS_ADMIN and ptrace
 * access). Raw files are in this host's byte order (the kernel's programs are; target is host
 * here), or big or little with --byte-order.
 *   text (default): every filter in the order it was installed, each under a header line
 *       `# filter I (oldest|newest), N instructions` (I is the kernel's index: 0 is the oldest),
 *       then its disassembly; filters separated by a blank line. To stdout, or atomically
 *       into OUT.
 *   raw: one filter (with -i INDEX, or when the stack holds one) as raw BPF into OUT or stdout;
 *       several with -o OUT: OUT.0, OUT.1 ... by the kernel's index, each written atomically.
 * Exit 1 when the process has gone, is not in filter mode, or cannot be inspected.
 */
#include "bpf_io.h"
#include "cli.h"
#include "dump_io.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct filter {
	struct sock_filter *prog;
	size_t len;
};

static int dump_err(const char *pid, int rc)
{
	return sck_cli_dump_err("dump", pid, rc);
}

/*
 * PTRACE_SECCOMP_GET_FILTER's index 0 is the oldest filter, the first installed (get_nth_filter()
 * counts back from the newest; ptrace(2) says the opposite, the kernel is the judge).
 */
static const char *age(unsigned int i, unsigned int n)
{
	if (n == 1)
		return " (oldest, newest)";
	if (i == 0)
		return " (oldest)";
	if (i == n - 1)
		return " (newest)";
	return "";
}

int sck_cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"index", required_argument, NULL, 'i'},
						 {"format", required_argument, NULL, 'f'},
						 {"output", required_argument, NULL, 'o'},
						 {"byte-order", required_argument, NULL, 'B'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	const struct sck_arch *arch = NULL;
	const char *format = "text", *outpath = NULL, *pidstr;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	bool le;
	struct filter *f = NULL;
	unsigned int n = 0;
	long index = -1;
	char *end;
	long pid;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "a:i:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			arch = sck_cli_arch("dump", optarg);
			if (!arch)
				return SCK_EXIT_USAGE;
			break;
		case 'i':
			errno = 0;
			index = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg || index < 0 || index > INT_MAX)
				return sck_cli_usage("dump", "bad index '%s'", optarg);
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'B':
			if (sck_cli_parse_order("dump", optarg, &order))
				return SCK_EXIT_USAGE;
			break;
		case 'h':
			return sck_cli_help("dump");
		default:
			return sck_cli_bad_option("dump", "a:i:f:o:h", argv);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "raw") != 0)
		return sck_cli_usage("dump", "unknown format '%s' (raw or text)", format);
	if (order != SCK_CLI_ORDER_AUTO && strcmp(format, "raw") != 0)
		return sck_cli_usage("dump", "--byte-order is for -f raw");
	le = sck_cli_order_le(order, sck_cli_host_le());
	if (argc - optind != 1)
		return sck_cli_usage("dump", "expected one PID");
	pidstr = argv[optind];
	errno = 0;
	pid = strtol(pidstr, &end, 10);
	if (errno || *end || !*pidstr || pid <= 0 || pid > INT_MAX)
		return sck_cli_usage("dump", "bad PID '%s'", pidstr);
	if (pid == getpid())
		return sck_cli_usage("dump", "cannot dump sck itself");

	/* Filters by the kernel's index until it says there is no more. */
	for (unsigned int i = 0;; i++) {
		struct filter *nf;
		struct sock_filter *prog;
		size_t len;

		if (index >= 0 && i != (unsigned long)index) {
			if (i > (unsigned long)index)
				break;
			continue;
		}
		rc = sck_dump_filter_alloc((int)pid, i, &prog, &len);
		if (rc == -ENOENT && index < 0 && i > 0)
			break;
		if (rc == -ENOENT) {
			sck_cli_err("dump", "%s: no filter %u", pidstr, i);
			rc = SCK_EXIT_NO;
			goto out;
		}
		if (rc < 0) {
			rc = dump_err(pidstr, rc);
			goto out;
		}
		nf = realloc(f, (n + 1) * sizeof(*f));
		if (!nf) {
			free(prog);
			rc = dump_err(pidstr, -ENOMEM);
			goto out;
		}
		f = nf;
		f[n].prog = prog;
		f[n].len = len;
		n++;
	}

	if (strcmp(format, "raw") == 0) {
		if (n == 1) {
			rc = sck_cli_write_bpf(outpath, f[0].prog, f[0].len, le);
			if (rc < 0) {
				sck_cli_err("dump", "%s: %s", outpath ? outpath : "stdout",
					    strerror(-rc));
				rc = SCK_EXIT_NO;
				goto out;
			}
		} else if (!outpath || strcmp(outpath, "-") == 0) {
			rc = sck_cli_usage("dump",
					   "%s has %u filters: choose one with -i INDEX, or "
					   "write OUT.0 .. with -o OUT",
					   pidstr, n);
			goto out;
		} else {
			for (unsigned int i = 0; i < n; i++) {
				char path[PATH_MAX];

				snprintf(path, sizeof(path), "%s.%u", outpath, i);
				rc = sck_cli_write_bpf(path, f[i].prog, f[i].len, le);
				if (rc < 0) {
					sck_cli_err("dump", "%s: %s", path, strerror(-rc));
					rc = SCK_EXIT_NO;
					goto out;
				}
			}
		}
	} else {
		char *all = NULL;
		size_t alen = 0;
		FILE *mem = open_memstream(&all, &alen);

		if (!mem) {
			rc = dump_err(pidstr, -ENOMEM);
			goto out;
		}
		for (unsigned int i = 0; i < n; i++) {
			unsigned int idx = index >= 0 ? (unsigned int)index : i;
			char *text = NULL;
			SCK_OPTS(sck_bpf_disasm_opts, o, .arch = arch);

			rc = sck_bpf_disasm_alloc(f[i].prog, f[i].len, &o, &text);
			if (rc < 0) {
				fclose(mem);
				free(all);
				rc = dump_err(pidstr, rc);
				goto out;
			}
			fprintf(mem, "%s# filter %u%s, %zu instructions\n%s", i ? "\n" : "", idx,
				index >= 0 ? "" : age(i, n), f[i].len, text);
			free(text);
		}
		fclose(mem);
		rc = sck_cli_write_file(outpath, all, alen);
		free(all);
		if (rc < 0) {
			sck_cli_err("dump", "%s: %s", outpath ? outpath : "stdout", strerror(-rc));
			rc = SCK_EXIT_NO;
			goto out;
		}
	}
	rc = SCK_EXIT_OK;
out:
	for (unsigned int i = 0; i < n; i++)
		free(f[i].prog);
	free(f);
	return rc;
}
