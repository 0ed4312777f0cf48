// SPDX-License-Identifier: MIT
/*
 * `sck compile [-a ARCH]... [-f raw|c|text|dot] [--stats] [-o OUT] PROFILE`: an OCI / Docker
 * seccomp profile (a file, `-` for stdin, or --builtin for sck's default) compiled to one BPF
 * program for the profile's architectures (the native one plus the profile's own, as runc) or the
 * -a ones. The program goes to OUT or stdout (raw by default); --stats prints per arch the
 * length, the instructions executed (mean and max over every syscall number) and the kernel
 * action-cache coverage, then per syscall with argument rules the instructions executed over its
 * argument probes (probes.h), to stdout when the program goes to a file and to stderr when it
 * goes to stdout. Input errors exit 2 naming FILE:LINE:COL or the JSON path; nothing is written
 * then. Raw output is in the byte order of the filter's arches (big-endian for s390x, ppc64,
 * mips64 ...: the file their kernels load), or --byte-order host|target|big|little; arches of both
 * orders in one filter are refused (one program has one byte order).
 */
#include "arch_list.h"
#include "bpf_io.h"
#include "probes.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char cmd[] = "compile";

static void on_warn(void *arg, const char *msg)
{
	sck_cli_err(cmd, "%s: warning: %s", (const char *)arg, msg);
}

/* "CAP_A,CAP_B" -> a NULL-terminated array pointing into @s (modified); "" -> no caps. */
static const char **split_caps(char *s)
{
	size_t n = 1;
	const char **v;

	for (char *p = s; *p; p++)
		n += *p == ',';
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	n = 0;
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
		v[n++] = tok;
	return v;
}

static void print_stats(FILE *out, const struct sck_filter_prog *prog,
			const struct sck_arch *const *arches, size_t narch)
{
	size_t len = 0;

	sck_filter_prog_insns(prog, &len);
	fprintf(out, "length: %zu instructions\n", len);
	for (size_t i = 0; i < narch; i++) {
		struct sck_filter_stats st = {.sz = sizeof(st)};
		int rc = sck_filter_prog_stats(prog, arches[i], &st);
		if (rc < 0) {
			fprintf(out, "%s: no stats: %s\n", arches[i]->name, strerror(-rc));
			continue;
		}
		fprintf(out,
			"%s: executed mean %.2f max %u over %u numbers; cached %u of %u "
			"constant-ALLOW syscalls ",
			arches[i]->name, st.mean_executed, st.max_executed, st.numbers, st.cached,
			st.const_allow);
		/* the kernel's action cache is indexed by number below its table's size: x32's
		 * numbers carry SCK_X32_SYSCALL_BIT and no filter gets them cached */
		if (arches[i]->nr_base >= SCK_X32_SYSCALL_BIT)
			fprintf(out, "(the kernel caches no %s number)\n", arches[i]->name);
		else
			fprintf(out, "(%.1f%%)\n",
				st.const_allow ? 100.0 * st.cached / st.const_allow : 100.0);
	}
}

/*
 * Per syscall with argument rules and per arch: the instructions executed over its argument
 * probes (probes.h), so that a user sees which argument decision is slow.
 */
static void print_arg_stats(FILE *out, const struct sck_filter *f,
			    const struct sck_filter_prog *prog,
			    const struct sck_arch *const *arches, size_t narch)
{
	struct sck_profile_arg_rule *rules = NULL;
	struct sck_bpf_emu *emu = NULL;
	size_t nrules = 0, len = 0;
	const struct sock_filter *insns = sck_filter_prog_insns(prog, &len);
	int rc;

	rc = sck_profile_arg_rules_alloc(f, &rules, &nrules);
	if (rc == 0)
		rc = sck_bpf_emu_new(insns, len, &emu);
	for (size_t i = 0; rc == 0 && i < narch; i++) {
		struct sck_probe_set ps;
		rc = sck_probes_build(rules, nrules, arches[i], &ps);
		for (size_t k = 0; rc == 0 && k < ps.nsys; k++) {
			struct sck_probe_cost c;
			sck_probes_cost(emu, ps.sys[k].probes, ps.sys[k].nprobes, &c);
			if (ps.sys[k].name)
				fprintf(out, "  %s (%s)", ps.sys[k].name, arches[i]->name);
			else
				fprintf(out, "  %#x (%s)", ps.sys[k].nr, arches[i]->name);
			fprintf(out, ": argument probes %zu, executed mean %.2f max %u\n", c.n,
				c.mean, c.max);
		}
		if (rc == 0)
			sck_probes_fini(&ps);
	}
	if (rc < 0)
		fprintf(out, "argument probes: no stats: %s\n", strerror(-rc));
	sck_bpf_emu_free(emu);
	free(rules);
}

/*
 * --hot NAME[=WEIGHT][,...] or @FILE holding that list: frequency hints (sck_filter_set_weight)
 * for every arch the name exists on; a bare name weighs 100. Returns 0, or an exit status.
 */
static int set_hot(struct sck_filter *f, const char *spec, const struct sck_arch *const *arches,
		   size_t narch)
{
	char *copy = NULL, *save = NULL;
	int ret = SCK_EXIT_OK;

	if (spec[0] == '@') {
		/* @FILE: the list in a file, as `sck learn --hot FILE` writes it */
		size_t len = 0;
		int rc = sck_cli_read_file(spec + 1, &copy, &len);
		if (rc < 0) {
			sck_cli_err(cmd, "--hot %s: %s", spec, strerror(-rc));
			return rc == -ENOMEM ? SCK_EXIT_FAILED : SCK_EXIT_USAGE;
		}
		if (memchr(copy, '\0', len)) {
			free(copy);
			return sck_cli_usage(cmd, "--hot %s: not a text list", spec);
		}
		while (len > 0 && strchr(" \t\r\n", copy[len - 1]))
			copy[--len] = '\0';
	} else {
		copy = strdup(spec);
	}
	if (!copy) {
		sck_cli_err(cmd, "%s", strerror(ENOMEM));
		return SCK_EXIT_FAILED;
	}
	for (char *tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end = NULL;
		unsigned long weight = 100;
		size_t hits = 0, n = narch ? narch : sck_arch_count();

		if (eq) {
			*eq = '\0';
			errno = 0;
			weight = strtoul(eq + 1, &end, 10);
			if (errno || end == eq + 1 || *end || eq[1] == '-' || weight < 1 ||
			    weight > 1000000) {
				ret = sck_cli_usage(cmd, "--hot %s: weight '%s' is not 1..1000000",
						    tok, eq + 1);
				break;
			}
		}
		for (size_t i = 0; i < n; i++) {
			const struct sck_arch *a = narch ? arches[i] : sck_arch_at(i);
			int nr = a ? sck_syscall_nr(a, tok) : -ENOENT;
			if (nr < 0)
				continue;
			if (sck_filter_set_weight(f, a, nr, (uint32_t)weight) < 0) {
				sck_cli_err(cmd, "%s", strerror(ENOMEM));
				ret = SCK_EXIT_FAILED;
				break;
			}
			hits++;
		}
		if (!ret && hits == 0)
			ret = sck_cli_usage(cmd, "--hot: unknown syscall '%s'", tok);
	}
	free(copy);
	return ret;
}

int sck_cmd_compile(int argc, char **argv)
{
	enum {
		OPT_STATS = 256,
		OPT_IGNORE,
		OPT_ENOSYS,
		OPT_CAPS,
		OPT_KERNEL,
		OPT_BUILTIN,
		OPT_HOT,
		OPT_ORDER
	};
	static const struct option longopts[] = {{"arch", required_argument, NULL, 'a'},
						 {"format", required_argument, NULL, 'f'},
						 {"output", required_argument, NULL, 'o'},
						 {"stats", no_argument, NULL, OPT_STATS},
						 {"ignore-unknown", no_argument, NULL, OPT_IGNORE},
						 {"enosys-newer", no_argument, NULL, OPT_ENOSYS},
						 {"caps", required_argument, NULL, OPT_CAPS},
						 {"kernel", required_argument, NULL, OPT_KERNEL},
						 {"builtin", no_argument, NULL, OPT_BUILTIN},
						 {"hot", required_argument, NULL, OPT_HOT},
						 {"byte-order", required_argument, NULL, OPT_ORDER},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	struct sck_cli_arches arches = {0};
	const struct sck_arch *parch[32];
	size_t pnarch = 0;
	const char *format = "raw", *outpath = NULL, *kernel = NULL, *file = NULL;
	const char *hot[32];
	size_t nhot = 0;
	const char **caps = NULL;
	char *capstr = NULL;
	bool stats = false, builtin = false;
	unsigned int flags = 0;
	enum sck_filter_format fmt;
	enum sck_cli_order order = SCK_CLI_ORDER_AUTO;
	struct sck_filter *f = NULL;
	struct sck_filter_prog *prog = NULL;
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_diag diag;
	char *text = NULL;
	size_t len = 0;
	int opt, rc, ret = SCK_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "a:f:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			ret = sck_cli_arches_add(cmd, &arches, optarg, SCK_CLI_ARCHES_ONE_ORDER);
			if (ret)
				return ret;
			break;
		case 'f':
			format = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case OPT_IGNORE:
			flags |= SCK_PROFILE_IGNORE_UNKNOWN;
			break;
		case OPT_ENOSYS:
			flags |= SCK_PROFILE_ENOSYS_NEWER;
			break;
		case OPT_CAPS:
			capstr = optarg;
			break;
		case OPT_KERNEL:
			kernel = optarg;
			break;
		case OPT_BUILTIN:
			builtin = true;
			break;
		case OPT_HOT:
			if (nhot == sizeof(hot) / sizeof(hot[0]))
				return sck_cli_usage(cmd, "too many --hot");
			hot[nhot++] = optarg;
			break;
		case OPT_ORDER:
			if (sck_cli_parse_order(cmd, optarg, &order))
				return SCK_EXIT_USAGE;
			break;
		case 'h':
			return sck_cli_help(cmd);
		default:
			return sck_cli_bad_option(cmd, "a:f:o:h", argv);
		}
	}
	if (strcmp(format, "raw") == 0)
		fmt = SCK_FORMAT_RAW;
	else if (strcmp(format, "c") == 0)
		fmt = SCK_FORMAT_C;
	else if (strcmp(format, "text") == 0)
		fmt = SCK_FORMAT_TEXT;
	else if (strcmp(format, "dot") == 0)
		fmt = SCK_FORMAT_DOT;
	else
		return sck_cli_usage(cmd, "unknown format '%s' (raw, c, text or dot)", format);
	if (order != SCK_CLI_ORDER_AUTO && fmt != SCK_FORMAT_RAW)
		return sck_cli_usage(cmd,
				     "--byte-order is for -f raw (the other formats are text)");
	/* raw: the target's order (the library knows the filter's arches), or the one asked */
	if (fmt == SCK_FORMAT_RAW && (order == SCK_CLI_ORDER_AUTO || order == SCK_CLI_ORDER_TARGET))
		fmt = SCK_FORMAT_RAW_TARGET;
	if (builtin ? argc - optind != 0 : argc - optind != 1)
		return sck_cli_usage(cmd, builtin ? "--builtin takes no PROFILE"
						  : "expected one PROFILE");
	file = builtin ? "(builtin)" : argv[optind];
	if (capstr) {
		caps = split_caps(capstr);
		if (!caps) {
			sck_cli_err(cmd, "%s", strerror(ENOMEM));
			return SCK_EXIT_FAILED;
		}
	}
	{
		SCK_OPTS(sck_profile_opts, po, .arches = arches.n ? arches.v : NULL,
			 .narches = arches.n, .caps = caps, .kernel = kernel, .flags = flags,
			 .warn = on_warn, .warn_arg = (void *)file);
		if (builtin) {
			size_t blen;
			const char *json = sck_profile_builtin(&blen);
			rc = sck_profile_parse(json, blen, &po, &f, &info, &diag);
		} else if (strcmp(file, "-") == 0) {
			char *buf = NULL;
			size_t blen = 0;
			rc = sck_cli_read_file("-", &buf, &blen);
			if (rc == 0)
				rc = sck_profile_parse(buf, blen, &po, &f, &info, &diag);
			else
				snprintf(diag.msg, sizeof(diag.msg), "%s", strerror(-rc)),
					diag.line = diag.col = 0;
			free(buf);
		} else {
			rc = sck_profile_parse_file(file, &po, &f, &info, &diag);
		}
	}
	free(caps);
	if (rc < 0) {
		if (rc == -ENOMEM) {
			sck_cli_err(cmd, "%s: %s", file, strerror(ENOMEM));
			return SCK_EXIT_FAILED;
		}
		if (diag.line)
			sck_cli_err(cmd, "%s:%u:%u: %s", file, diag.line, diag.col, diag.msg);
		else
			sck_cli_err(cmd, "%s: %s", file, diag.msg[0] ? diag.msg : strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	/* the arches the filter was built for, for the stats */
	if (arches.n) {
		memcpy(parch, arches.v, arches.n * sizeof(const struct sck_arch *));
		pnarch = arches.n;
	}
	for (size_t i = 0; i < nhot; i++) {
		ret = set_hot(f, hot[i], arches.v, arches.n);
		if (ret)
			goto out;
	}
	rc = sck_filter_compile(f, NULL, &prog);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: cannot compile: %s", file,
			    rc == -E2BIG ? "the program would exceed 4096 instructions"
					 : strerror(-rc));
		ret = rc == -ENOMEM ? SCK_EXIT_FAILED : SCK_EXIT_NO;
		goto out;
	}
	rc = sck_filter_prog_export_alloc(prog, fmt, &text, &len);
	if (rc == -EOPNOTSUPP && (fmt == SCK_FORMAT_TEXT || fmt == SCK_FORMAT_DOT)) {
		/* the disassembler of <sck/bpf.h> does it from the instructions */
		size_t n = 0;
		const struct sock_filter *insns = sck_filter_prog_insns(prog, &n);
		SCK_OPTS(sck_bpf_disasm_opts, dop, .arch = arches.n ? arches.v[0] : NULL);
		rc = fmt == SCK_FORMAT_TEXT ? sck_bpf_disasm_alloc(insns, n, &dop, &text)
					    : sck_bpf_dot_alloc(insns, n, &dop, &text);
		if (rc == 0)
			len = strlen(text);
	}
	if (rc < 0) {
		sck_cli_err(cmd, "%s: cannot export: %s", file, strerror(-rc));
		ret = SCK_EXIT_NO;
		goto out;
	}
	if (fmt == SCK_FORMAT_RAW && sck_cli_order_le(order, true) != sck_cli_host_le())
		sck_bpf_swap((struct sock_filter *)(void *)text, len / sizeof(struct sock_filter));
	rc = sck_cli_write_file(outpath, text, len);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", outpath ? outpath : "stdout", strerror(-rc));
		ret = SCK_EXIT_NO;
		goto out;
	}
	if (stats) {
		bool to_stdout = !outpath || strcmp(outpath, "-") == 0;
		if (!pnarch) {
			/* the profile's own arches: ask the filter through a stats call per arch */
			for (size_t i = 0; i < sck_arch_count() && pnarch < 32; i++) {
				struct sck_filter_stats st = {.sz = sizeof(st)};
				if (sck_filter_prog_stats(prog, sck_arch_at(i), &st) == 0)
					parch[pnarch++] = sck_arch_at(i);
			}
		}
		print_stats(to_stdout ? stderr : stdout, prog, parch, pnarch);
		print_arg_stats(to_stdout ? stderr : stdout, f, prog, parch, pnarch);
	}
out:
	free(text);
	sck_filter_prog_free(prog);
	sck_filter_free(f);
	return ret;
}
