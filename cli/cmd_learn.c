// SPDX-License-Identifier: MIT
/*
 * `sck learn -o PROFILE -- CMD [ARG...]`: run CMD (and its descendants) under a filter that
 * routes every system call to sck through user notification, record each (ABI, syscall) pair,
 * continue every call unchanged, and write the smallest OCI seccomp profile that allows what was
 * used: default action SCMP_ACT_ERRNO (EPERM), the ABIs seen, and one allow rule per ABI with the
 * names used on it; with --args, clone, personality and socket get one rule per argument value
 * seen instead. Exits with CMD's status, as `sck trace` does.
 */
#include "learn_rec.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int on_call(struct sck_notify *n, const struct seccomp_notif *req, void *arg)
{
	struct sck_cli_learn *l = arg;
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	int rc;

	if (!arch) /* an ABI sck has no table for cannot be written by name */
		l->unknown++;
	else if ((rc = sck_cli_learn_record(l, arch, &req->data)) < 0 && !l->err)
		l->err = rc;
	return sck_cli_respond(n, req->id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

/*
 * --hot FILE: the native ABI's most frequent calls as `sck compile --hot` reads them, one line
 * "name=count,..." by count (at most HOT_MAX, counts capped at compile's 1000000).
 */
#define HOT_MAX 32
static int write_hot(const struct sck_cli_learn *l, struct sck_cli_buf *b)
{
	const struct sck_cli_seen_arch *a = &l->archs[0];
	int top[HOT_MAX];
	size_t n = 0;

	for (int rel = 0; rel < SCK_CLI_FAST_NRS; rel++) {
		size_t p;
		if (a->count[rel] == 0 || !sck_syscall_name(a->arch, rel + (int)a->arch->nr_base))
			continue;
		if (n == HOT_MAX && a->count[rel] <= a->count[top[n - 1]])
			continue;
		p = n < HOT_MAX ? n++ : n - 1;
		while (p > 0 && a->count[top[p - 1]] < a->count[rel]) {
			top[p] = top[p - 1];
			p--;
		}
		top[p] = rel;
	}
	for (size_t i = 0; i < n; i++)
		sck_cli_buf_printf(b, "%s%s=%u", i ? "," : "",
				   sck_syscall_name(a->arch, top[i] + (int)a->arch->nr_base),
				   a->count[top[i]] < 1000000 ? a->count[top[i]] : 1000000);
	sck_cli_buf_printf(b, "\n");
	return b->oom ? -ENOMEM : 0;
}

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'}, {"hot", required_argument, NULL, 256},
	{"args", no_argument, NULL, 'a'},	  {"oci", required_argument, NULL, 257},
	{"socket", required_argument, NULL, 258}, {"metadata", required_argument, NULL, 259},
	{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
};

int sck_cmd_learn(int argc, char **argv)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sck_cli_spawn sp = {-1, -1, -1, 0};
	struct sck_cli_learn l = {NULL, 0, false, 0, 0};
	struct sck_cli_buf b = {NULL, 0, 0, false}, hb = {NULL, 0, 0, false};
	const char *outpath = NULL, *hotpath = NULL, *bundle = NULL, *metadata = NULL;
	const char *sock = "/run/sck/agent.sock";
	int ret, rc, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			outpath = optarg;
			break;
		case 'a':
			l.args = true;
			break;
		case 256: /* --hot */
			hotpath = optarg;
			break;
		case 257: /* --oci BUNDLE: prepare a bundle for `sck agent --learn` */
			bundle = optarg;
			break;
		case 258:
			sock = optarg;
			break;
		case 259:
			metadata = optarg;
			break;
		case 'h':
			return sck_cli_help("learn");
		default:
			sck_cli_bad_option("learn", "+o:h", argv);
			return SCK_EXIT_FAILED;
		}
	}
	if (bundle) {
		if (optind < argc || outpath || hotpath || l.args)
			return sck_cli_usage("learn", "--oci BUNDLE takes only --socket and "
						      "--metadata");
		return sck_cli_learn_oci(bundle, sock, metadata);
	}
	if (!outpath) {
		sck_cli_usage("learn", "missing -o PROFILE");
		return SCK_EXIT_FAILED;
	}
	if (optind >= argc) {
		sck_cli_usage("learn", "missing CMD");
		return SCK_EXIT_FAILED;
	}
	/* The native ABI comes first in the profile even if CMD never used it. */
	if (!sck_cli_learn_arch(&l, sck_arch_native())) {
		sck_cli_err("learn", "%s", strerror(ENOMEM));
		return SCK_EXIT_FAILED;
	}
	ret = sck_cli_spawn("learn", prog, 1, 0, argv + optind, &sp);
	if (ret)
		goto out;
	ret = sck_cli_spawn_supervise("learn", &sp, on_call, &l);
	if (ret)
		goto out;
	ret = SCK_EXIT_FAILED;
	if (l.unknown)
		sck_cli_err("learn", "%lu calls of an unknown ABI left out of the profile",
			    l.unknown);
	rc = l.err ? l.err : sck_cli_learn_profile(&l, &b);
	if (rc == 0)
		rc = sck_cli_write_file(outpath, b.p, b.len);
	if (rc < 0) {
		sck_cli_err(outpath, "%s", strerror(-rc));
		goto out;
	}
	if (hotpath) {
		rc = write_hot(&l, &hb);
		if (rc == 0)
			rc = sck_cli_write_file(hotpath, hb.p, hb.len);
		if (rc < 0) {
			sck_cli_err(hotpath, "%s", strerror(-rc));
			goto out;
		}
	}
	ret = sck_cli_spawn_status(&sp, argv[optind]);
out:
	sck_cli_spawn_fini(&sp);
	sck_cli_learn_fini(&l);
	free(b.p);
	free(hb.p);
	return ret;
}
