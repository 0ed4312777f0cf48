// SPDX-License-Identifier: MIT
/*
 * `sck audit [-a ARCH]... [--json] [--fail-on LEVEL] [--pid PID] [--kernel VER] [FILE|--builtin]`:
 * the holes of a filter. FILE is an OCI/Docker profile, a runtime config.json (its
 * linux.seccomp) or raw BPF, told apart by content (JSON starts with '{'); --pid audits the
 * filter stack of a live process (read as `sck dump` reads it) as the kernel evaluates it. The program is evaluated with the
 * emulator on every arch token, every number and argument values from its own constants
 * (audit_eval.c), then checked (audit_checks.c, and audit_profile.c for profiles). Exit 0 when
 * no finding is at or above LEVEL (default high), 1 otherwise, 2 for bad input, naming the place.
 */
#include "arch_list.h"
#include "audit.h"
#include "dump_io.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char cmd[] = "audit";

struct input {
	const char *name;
	struct sck_cli_arches arch;
	const char *kernel;
	bool builtin;
};

static void on_warn(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* warnings are not findings; `sck compile` shows them */
}

/* Audit one program; findings go to @r. Returns 0 or -errno. */
static int audit_insns(const struct sock_filter *insns, size_t len, const struct input *in,
		       struct audit_report *r, const char *profile, size_t plen,
		       const struct sck_profile_opts *po)
{
	struct audit_prog p;
	int rc = audit_prog_eval(&p, insns, len);

	if (rc == 0) {
		for (size_t i = 0; i < in->arch.n; i++)
			p.only_ids |= 1ull << (unsigned int)in->arch.v[i]->id;
		audit_check_prog(&p, r);
		if (profile)
			rc = audit_check_profile(profile, plen, po, &p, r);
	}
	audit_prog_fini(&p);
	return r->oom ? -ENOMEM : rc;
}

/* A runtime config.json holds the profile at linux.seccomp: its text, or NULL for a profile. */
static int runtime_profile(const char *name, const char *text, size_t len, char **out)
{
	json_tokener *tok = json_tokener_new();
	json_object *root, *linux, *sec;
	int rc = 0;

	*out = NULL;
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	if (!root || !json_object_object_get_ex(root, "linux", &linux) ||
	    json_object_object_get_ex(root, "defaultAction", NULL))
		goto out; /* a profile, or malformed: the profile reader says where */
	if (!json_object_object_get_ex(linux, "seccomp", &sec) ||
	    !json_object_is_type(sec, json_type_object)) {
		sck_cli_err(cmd,
			    "%s: linux.seccomp: missing: a runtime config.json without a "
			    "seccomp profile",
			    name);
		rc = -EINVAL;
		goto out;
	}
	*out = strdup(json_object_to_json_string_ext(sec, JSON_C_TO_STRING_PLAIN));
	if (!*out)
		rc = -ENOMEM;
out:
	json_object_put(root);
	return rc;
}

static int audit_profile(const char *text, size_t len, const struct input *in,
			 struct audit_report *r)
{
	SCK_OPTS(sck_profile_opts, po, .arches = in->arch.n ? in->arch.v : NULL,
		 .narches = in->arch.n, .kernel = in->kernel, .warn = on_warn);
	struct sck_filter *f = NULL;
	struct sck_filter_prog *prog = NULL;
	struct sck_diag diag = {0};
	const struct sock_filter *insns;
	char *inner = NULL;
	size_t n = 0;
	int rc;

	rc = runtime_profile(in->name, text, len, &inner);
	if (rc == -EINVAL)
		return SCK_EXIT_USAGE;
	if (rc < 0)
		goto fail;
	if (inner) {
		text = inner;
		len = strlen(inner);
	}
	rc = sck_profile_parse(text, len, &po, &f, NULL, &diag);
	if (rc < 0 && rc != -ENOMEM) {
		if (diag.line && !inner)
			sck_cli_err(cmd, "%s:%u:%u: %s", in->name, diag.line, diag.col, diag.msg);
		else
			sck_cli_err(cmd, "%s: %s%s", in->name, inner ? "linux.seccomp." : "",
				    diag.msg[0] ? diag.msg : strerror(-rc));
		free(inner);
		return SCK_EXIT_USAGE;
	}
	if (rc == 0)
		rc = sck_filter_compile(f, NULL, &prog);
	sck_filter_free(f);
	if (rc < 0) {
		free(inner);
		sck_cli_err(cmd, "%s: cannot compile: %s", in->name, strerror(-rc));
		return rc == -ENOMEM ? SCK_EXIT_FAILED : SCK_EXIT_NO;
	}
	insns = sck_filter_prog_insns(prog, &n);
	rc = audit_insns(insns, n, in, r, text, len, &po);
	sck_filter_prog_free(prog);
	free(inner);
	if (rc == 0)
		return SCK_EXIT_OK;
fail:
	sck_cli_err(cmd, "%s: %s", in->name, strerror(-rc));
	return SCK_EXIT_FAILED;
}

static int audit_bpf(const char *buf, size_t n, const struct input *in, struct audit_report *r)
{
	struct sck_bpf_verdict why;
	struct sock_filter *prog;
	size_t len = n / sizeof(*prog);
	int rc;

	if (n % sizeof(*prog)) {
		sck_cli_err(cmd,
			    "%s: byte %zu: truncated BPF: size %zu is not a multiple of 8 (raw BPF "
			    "is an array of struct sock_filter; JSON starts with '{')",
			    in->name, n - n % sizeof(*prog), n);
		return SCK_EXIT_USAGE;
	}
	if (len > SCK_BPF_MAXINSNS) {
		sck_cli_err(cmd, "%s: %zu instructions, more than the kernel's limit of %d",
			    in->name, len, SCK_BPF_MAXINSNS);
		return SCK_EXIT_USAGE;
	}
	prog = malloc(n);
	if (!prog) {
		sck_cli_err(cmd, "%s", strerror(ENOMEM));
		return SCK_EXIT_FAILED;
	}
	memcpy(prog, buf, n);
	if (sck_bpf_check(prog, len, &why) < 0) {
		sck_cli_err(cmd, "%s: instruction %zu: the kernel would refuse it: %s", in->name,
			    why.index, sck_bpf_fault_str(why.fault));
		free(prog);
		return SCK_EXIT_USAGE;
	}
	rc = audit_insns(prog, len, in, r, NULL, 0, NULL);
	free(prog);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", in->name, strerror(-rc));
		return SCK_EXIT_FAILED;
	}
	return SCK_EXIT_OK;
}

/*
 * The stack as the kernel runs it: the newest filter evaluated with the older ones on every
 * call. Findings about the stack carry no filter index (-1), dead code the index of its filter;
 * a stack of one is filter 0. Returns 0 or -errno.
 */
static int audit_stack(const struct sck_cli_filter *f, unsigned int n, const struct input *in,
		       struct audit_report *r)
{
	struct audit_prog *older = calloc(n, sizeof(*older));
	struct audit_prog p;
	unsigned int ready = 0;
	int rc = older ? 0 : -ENOMEM;

	for (; rc == 0 && ready + 1 < n; ready++)
		rc = audit_prog_init(&older[ready], f[ready].prog, f[ready].len);
	if (rc == 0) {
		rc = audit_prog_eval_stack(&p, f[n - 1].prog, f[n - 1].len, older, n - 1);
		if (rc == 0) {
			for (size_t i = 0; i < in->arch.n; i++)
				p.only_ids |= 1ull << (unsigned int)in->arch.v[i]->id;
			r->filter = n == 1 ? 0 : -1;
			audit_check_prog(&p, r);
		}
		audit_prog_fini(&p);
	}
	for (unsigned int i = 0; i < ready && older; i++)
		audit_prog_fini(&older[i]);
	free(older);
	return r->oom ? -ENOMEM : rc;
}

static int audit_pid(const char *pidstr, const struct input *in, struct audit_report *r)
{
	struct sck_cli_filter *f = NULL;
	unsigned int n = 0;
	char *end;
	long pid;
	int ret;

	errno = 0;
	pid = strtol(pidstr, &end, 10);
	if (errno || *end || !*pidstr || pid <= 0 || pid > INT_MAX)
		return sck_cli_usage(cmd, "bad PID '%s'", pidstr);
	if (pid == getpid())
		return sck_cli_usage(cmd, "cannot audit sck itself");
	ret = sck_cli_dump_stack(cmd, pidstr, (int)pid, &f, &n);
	if (ret)
		return ret;
	ret = audit_stack(f, n, in, r);
	if (ret < 0) {
		sck_cli_err(cmd, "%s: %s", pidstr, strerror(-ret));
		ret = SCK_EXIT_FAILED;
	}
	sck_cli_filters_free(f, n);
	return ret;
}

static bool is_json(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '{')
			return true;
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
			return false;
	}
	return false;
}

int sck_cmd_audit(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_FAIL, OPT_PID, OPT_KERNEL, OPT_BUILTIN };
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"fail-on", required_argument, NULL, OPT_FAIL},
						 {"pid", required_argument, NULL, OPT_PID},
						 {"kernel", required_argument, NULL, OPT_KERNEL},
						 {"builtin", no_argument, NULL, OPT_BUILTIN},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	struct input in = {0};
	struct audit_report r = {.filter = -1};
	const char *pid = NULL, *kind;
	enum audit_sev fail_on = AUDIT_HIGH;
	bool json = false;
	char *buf = NULL;
	size_t n = 0;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "a:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			ret = sck_cli_arches_add(cmd, &in.arch, optarg, 0);
			if (ret)
				return ret;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_FAIL: {
			int s = audit_sev_parse(optarg);

			if (s < 0)
				return sck_cli_usage(
					cmd, "--fail-on '%s': high, medium, low or info", optarg);
			fail_on = (enum audit_sev)s;
			break;
		}
		case OPT_PID:
			pid = optarg;
			break;
		case OPT_KERNEL:
			in.kernel = optarg;
			break;
		case OPT_BUILTIN:
			in.builtin = true;
			break;
		case 'h':
			return sck_cli_help(cmd);
		default:
			return sck_cli_bad_option(cmd, "a:h", argv);
		}
	}
	if ((pid != NULL) + in.builtin + (argc - optind) != 1)
		return sck_cli_usage(cmd, "expected one FILE, --builtin or --pid PID");
	if (pid) {
		in.name = pid;
		kind = "process";
		ret = audit_pid(pid, &in, &r);
	} else if (in.builtin) {
		const char *text = sck_profile_builtin(&n);

		in.name = "(builtin)";
		kind = "profile";
		ret = audit_profile(text, n, &in, &r);
	} else {
		in.name = argv[optind];
		ret = sck_cli_read_file(in.name, &buf, &n);
		if (ret < 0) {
			sck_cli_err(cmd, "%s: %s", in.name, strerror(-ret));
			return SCK_EXIT_USAGE;
		}
		if (n == 0) {
			free(buf);
			sck_cli_err(cmd, "%s: empty file: neither a profile nor a BPF program",
				    in.name);
			return SCK_EXIT_USAGE;
		}
		kind = is_json(buf, n) ? "profile" : "bpf";
		ret = is_json(buf, n) ? audit_profile(buf, n, &in, &r) : audit_bpf(buf, n, &in, &r);
		free(buf);
	}
	if (ret == SCK_EXIT_OK) {
		audit_report_sort(&r);
		audit_print(&r, in.name, kind, json, fail_on);
		for (size_t i = 0; i < r.n; i++)
			if (r.f[i].sev >= fail_on)
				ret = SCK_EXIT_NO;
	}
	audit_report_fini(&r);
	return ret;
}
