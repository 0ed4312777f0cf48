// SPDX-License-Identifier: MIT
/*
 * Argument decisions, sck against libseccomp -O2 (SCMP_FLTATR_CTL_OPTIMIZE 2) in one run, on the
 * argument-heavy profiles of ../shared/profiles/args/ and Docker's: program length; instructions
 * executed by sck's emulator over the argument probes (cli/probes.h) of every syscall with
 * argument rules, per arch, for both programs, and the verdict differences at those probes;
 * compile time from the filter object to BPF (sck_filter_compile on a built sck_filter against
 * the first seccomp_export_bpf of a built libseccomp context), and from JSON text for sck against
 * libseccomp's whole way from rules to BPF (init, every rule added, export: its rule database is
 * built as rules are added, part of its compile), in 3 rounds (medians of times and ratios);
 * compile time against rule count (ioctl allowlists of 10 .. 16000 random requests);
 * nanoseconds per system call under each program, in a forked child that loads it. Prints
 * figures and ratios, asserts no timing; exits 1 only when a verdict differs.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probes.h"
#include "sck.h"
#include "sck_test_lsc.h"
#include "bench_stats.h"

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Section 1: lengths, instructions executed over the argument probes, verdict differences. */
static long probe_table(struct sck_test_lsc_pair *pr)
{
	struct sck_bpf_emu *se = NULL, *le = NULL;
	const struct sock_filter *sp = NULL;
	size_t slen = 0;
	long diffs = 0;

	if (pr->p)
		sp = sck_filter_prog_insns(pr->p, &slen);
	if (sp)
		sck_bpf_emu_new(sp, slen, &se);
	if (pr->l)
		sck_bpf_emu_new(pr->l, pr->llen, &le);
	for (size_t i = 0; i < pr->narch; i++) {
		const struct sck_arch *a = pr->arches[i];
		struct sck_probe_set ps;
		double ssum = 0, lsum = 0;
		uint32_t smax = 0, lmax = 0;
		long d = 0;
		char slen_s[32], llen_s[32];

		if (sck_probes_build(pr->rules, pr->nrules, a, &ps) != 0)
			continue;
		for (size_t k = 0; k < ps.nsys; k++) {
			struct sck_probe_sys *y = &ps.sys[k];
			struct sck_probe_cost sc = {0}, lc = {0};
			if (se)
				sck_probes_cost(se, y->probes, y->nprobes, &sc);
			if (le)
				sck_probes_cost(le, y->probes, y->nprobes, &lc);
			ssum += sc.mean * (double)sc.n;
			lsum += lc.mean * (double)lc.n;
			smax = sc.max > smax ? sc.max : smax;
			lmax = lc.max > lmax ? lc.max : lmax;
			for (size_t q = 0; se && le && q < y->nprobes; q++) {
				uint32_t x = sck_bpf_emu_run(se, &y->probes[q], NULL),
					 z = sck_bpf_emu_run(le, &y->probes[q], NULL);
				if (sck_action_effective(x) == sck_action_effective(z) ||
				    !sck_test_lsc_knows(a, y->name))
					continue;
				if (d < 5)
					printf("  DIFFERS %s %s %s args %#llx %#llx %#llx: sck %#x "
					       "libseccomp %#x\n",
					       pr->name, a->name, y->name ? y->name : "?",
					       (unsigned long long)y->probes[q].args[0],
					       (unsigned long long)y->probes[q].args[1],
					       (unsigned long long)y->probes[q].args[2], x, z);
				d++;
			}
		}
		snprintf(slen_s, sizeof(slen_s), "%zu", slen);
		snprintf(llen_s, sizeof(llen_s), "%zu", pr->llen);
		if (!sp)
			snprintf(slen_s, sizeof(slen_s), "refused(%d)", pr->sck_rc);
		if (!pr->l)
			snprintf(llen_s, sizeof(llen_s), "refused(%d)", pr->lsc_rc);
		else if (pr->llen > 4096)
			snprintf(llen_s, sizeof(llen_s), "%zu>4096", pr->llen);
		printf("%-20s %-7s %11s %11s %5zu/%-3zu %8.2f/%-5u %8.2f/%-5u %6s %5ld\n",
		       i ? "" : pr->name, a->name, i ? "" : slen_s, i ? "" : llen_s, ps.total,
		       ps.nsys, ps.total && se ? ssum / (double)ps.total : 0, smax,
		       ps.total && le ? lsum / (double)ps.total : 0, lmax,
		       se && le && lsum > 0 ? "" : "-", d);
		diffs += d;
		sck_probes_fini(&ps);
	}
	sck_bpf_emu_free(se);
	sck_bpf_emu_free(le);
	return diffs;
}

/* Median time of @reps runs (at least 3, more while under @budget s) of sck_filter_compile. */
static double time_sck(const struct sck_filter *f, double budget, int *rc)
{
	double t[201], start = cpu_now();
	size_t n = 0;

	*rc = 0;
	while (n < 201 && (n < 3 || cpu_now() - start < budget)) {
		struct sck_filter_prog *p = NULL;
		double t0 = cpu_now();
		*rc = sck_filter_compile(f, NULL, &p);
		t[n++] = cpu_now() - t0;
		sck_filter_prog_free(p);
		if (*rc)
			break;
	}
	return median(t, n);
}

/*
 * libseccomp from 2.6 keeps the program it generated in the context (seccomp_precompute) and a
 * second export only copies it: every export timed here is the first on a context built afresh
 * by @build (untimed), as a runtime exports once. Median of at least @min runs, more while under
 * @budget seconds of CPU.
 */
static double time_lsc(int (*build)(const void *arg, scmp_filter_ctx *ctx), const void *arg,
		       double budget, int min, size_t *len, int *rc, double *with_build)
{
	double t[201], tb[201], start = cpu_now();
	size_t n = 0;

	*rc = 0;
	while (n < 201 && (n < (size_t)min || cpu_now() - start < budget)) {
		struct sock_filter *p = NULL;
		scmp_filter_ctx ctx = NULL;
		double t0, tb0 = cpu_now();
		*rc = build(arg, &ctx);
		if (*rc)
			break;
		t0 = cpu_now();
		*rc = sck_test_lsc_export(ctx, &p, len);
		t[n] = cpu_now() - t0;
		tb[n] = t0 - tb0 + t[n];
		n++;
		free(p);
		seccomp_release(ctx);
		if (*rc)
			break;
	}
	if (with_build)
		*with_build = n ? median(tb, n) : 0;
	return n ? median(t, n) : 0;
}

static int build_profile_ctx(const void *arg, scmp_filter_ctx *ctx)
{
	return sck_test_lsc_ctx(arg, 2, ctx);
}

/* Median JSON text -> BPF time of sck (parse + compile), at least 3 runs, more within @budget s. */
static double time_json(const struct sck_test_lsc_pair *pr, double budget)
{
	double t[201], start = cpu_now();
	size_t n = 0;

	while (n < 201 && (n < 3 || cpu_now() - start < budget)) {
		struct sck_filter *f = NULL;
		struct sck_filter_prog *p = NULL;
		double t0 = cpu_now();
		if (sck_profile_parse(pr->json, pr->len, NULL, &f, NULL, NULL) == 0)
			sck_filter_compile(f, NULL, &p);
		t[n++] = cpu_now() - t0;
		sck_filter_prog_free(p);
		sck_filter_free(f);
	}
	return median(t, n);
}

/*
 * Rounds of the compile-time comparison: each round times sck, libseccomp and sck from JSON one
 * after the other, and the figures printed are the medians over the rounds of each time and of
 * each round's ratios. A machine whose speed drifts (a shared host) moves both libraries of a
 * round alike, where one long window per library would catch one in a slow spell.
 */
#define COMPILE_ROUNDS 3

static void compile_times(struct sck_test_lsc_pair *pr)
{
	double ts[COMPILE_ROUNDS], tl[COMPILE_ROUNDS], tb[COMPILE_ROUNDS], tj[COMPILE_ROUNDS];
	double r_ls[COMPILE_ROUNDS], r_bs[COMPILE_ROUNDS], r_bj[COMPILE_ROUNDS],
		r_lj[COMPILE_ROUNDS];
	size_t len = 0;
	int rc = 0, lrc = 0;

	if (!pr->f) {
		printf("%-20s (not built)\n", pr->name);
		return;
	}
	for (int k = 0; k < COMPILE_ROUNDS; k++) {
		ts[k] = time_sck(pr->f, 0.3, &rc);
		tl[k] = time_lsc(build_profile_ctx, &pr->lp, 1.0, 3, &len, &lrc, &tb[k]);
		tj[k] = time_json(pr, 0.3);
		r_ls[k] = tl[k] / ts[k];
		r_bs[k] = tb[k] / ts[k];
		r_bj[k] = tb[k] / tj[k];
		r_lj[k] = tl[k] / tj[k];
	}
	printf("%-20s sck %9.1f us%s  libseccomp -O2 %9.1f us%s  ratio %6.1fx"
	       "   (rules added + export / sck %.1fx)",
	       pr->name, median(ts, COMPILE_ROUNDS) * 1e6, rc ? " (refused)" : "",
	       median(tl, COMPILE_ROUNDS) * 1e6, lrc ? " (failed)" : "",
	       median(r_ls, COMPILE_ROUNDS), median(r_bs, COMPILE_ROUNDS));
	printf("\n%-20s JSON text -> BPF (sck) %9.1f us  rules added + export %9.1f us  ratio "
	       "%6.1fx"
	       "   (export alone / JSON -> BPF %.1fx)\n",
	       "", median(tj, COMPILE_ROUNDS) * 1e6, median(tb, COMPILE_ROUNDS) * 1e6,
	       median(r_bj, COMPILE_ROUNDS), median(r_lj, COMPILE_ROUNDS));
}

/* libseccomp's CPU seconds for one row; rows of ONE_BUILD rules or more build one context only */
#define LSC_CPU_LIMIT 90
#define ONE_BUILD 16000

struct lsc_rules {
	int nr;
	const uint32_t *vals;
	size_t n;
};

/* A context with @arg's ioctl allowlist, -O2, as the table's rows use. */
static int build_rules_ctx(const void *arg, scmp_filter_ctx *out)
{
	const struct lsc_rules *lr = arg;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(1));
	int rc = ctx ? seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < lr->n; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, lr->nr, 1,
				      SCMP_A1(SCMP_CMP_EQ, lr->vals[i]));
	if (rc) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/*
 * libseccomp's row of the table, in a child limited to LSC_CPU_LIMIT seconds of CPU: adding
 * rules to one syscall's chain costs it quadratic time (16000 rules: about 20 s here). The
 * largest rows export the context built once (its first export), the others a median of
 * contexts built afresh.
 * @ta: time to build the context (init and every rule); @tl: time of a first export (the
 * compile, filter object -> BPF).
 */
static void lsc_row(const struct lsc_rules *lr, double *tl, double *ta, size_t *llen, int *lrc)
{
	double *res = mmap(NULL, 4 * sizeof(double), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st = 0;

	*lrc = -ENOMEM;
	if (res == MAP_FAILED)
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {LSC_CPU_LIMIT, LSC_CPU_LIMIT + 1};
		scmp_filter_ctx ctx = NULL;
		double t0;
		size_t len = 0;
		int rc;
		setrlimit(RLIMIT_CPU, &rl);
		t0 = cpu_now();
		rc = build_rules_ctx(lr, &ctx);
		res[1] = cpu_now() - t0;
		if (rc == 0 && lr->n >= ONE_BUILD) {
			struct sock_filter *p = NULL;
			t0 = cpu_now();
			rc = sck_test_lsc_export(ctx, &p, &len);
			res[0] = cpu_now() - t0;
			free(p);
		}
		seccomp_release(ctx);
		if (rc == 0 && lr->n < ONE_BUILD)
			res[0] = time_lsc(build_rules_ctx, lr, lr->n >= 4000 ? 0.1 : 0.5,
					  lr->n >= 4000 ? 1 : 3, &len, &rc, NULL);
		res[2] = (double)len;
		res[3] = rc;
		_exit(0);
	}
	*lrc = -ETIME;
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		*tl = res[0];
		*ta = res[1];
		*llen = (size_t)res[2];
		*lrc = (int)res[3];
	}
	munmap(res, 4 * sizeof(double));
}

/* Section 3: compile time against rule count, ioctl allowlists of random distinct requests. */
static void scaling(void)
{
	static const size_t counts[] = {10, 100, 1000, 4000, 16000};
	uint64_t rng = 0x5eed12;
	uint32_t *vals = calloc(16000, sizeof(*vals));
	size_t have = 0;
	int ioctl_nr = seccomp_syscall_resolve_name("ioctl");

	printf("\ncompile time against rule count (ioctl arg1 EQ, random distinct 32-bit "
	       "requests, seed 0x5eed12; x86_64; median):\n");
	printf("%7s %22s %28s %8s\n", "rules", "sck", "libseccomp -O2", "ratio");
	while (vals && have < 16000) {
		uint32_t v;
		bool dup = false;
		rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
		v = (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
		for (size_t i = 0; i < have && !dup; i++)
			dup = vals[i] == v;
		if (!dup)
			vals[have++] = v;
	}
	for (size_t c = 0; vals && c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t n = counts[c], llen = 0, slen = 0;
		SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ERRNO | 1,
			 .flags = SCK_FILTER_OCI);
		struct sck_filter *f = NULL;
		struct lsc_rules lr = {ioctl_nr, vals, n};
		double ts = 0, tl = 0, ta = 0;
		int src = -1, lrc = -1;
		char sb[48], lb[48];

		if (sck_filter_new(&o, &f) == 0 && sck_filter_add_arch(f, sck_arch_native()) == 0) {
			for (size_t i = 0; i < n; i++) {
				struct sck_cond cd = {.arg = 1, .op = SCK_CMP_EQ, .value = vals[i]};
				struct sck_rule r = {.name = "ioctl",
						     .action = SECCOMP_RET_ALLOW,
						     .conds = &cd,
						     .nconds = 1};
				sck_filter_add_rule(f, &r);
			}
			ts = time_sck(f, n >= 4000 ? 0.5 : 0.2, &src);
			if (src == 0) {
				struct sck_filter_prog *p = NULL;
				sck_filter_compile(f, NULL, &p);
				sck_filter_prog_insns(p, &slen);
				sck_filter_prog_free(p);
			}
		}
		lsc_row(&lr, &tl, &ta, &llen, &lrc);
		if (src == 0)
			snprintf(sb, sizeof(sb), "%.1f us (%zu insns)", ts * 1e6, slen);
		else
			snprintf(sb, sizeof(sb), "refused (%d) %.1f us", src, ts * 1e6);
		if (lrc == 0 && llen <= 4096)
			snprintf(lb, sizeof(lb), "%.1f us (%zu insns)", tl * 1e6, llen);
		else if (lrc == 0)
			snprintf(lb, sizeof(lb), "refused: %zu > 4096, %.0f us", llen, tl * 1e6);
		else if (lrc == -ETIME)
			snprintf(lb, sizeof(lb), "not done in %d s CPU", LSC_CPU_LIMIT);
		else
			snprintf(lb, sizeof(lb), "refused (%d)", lrc);
		printf("%7zu %22s %28s", n, sb, lb);
		if (src == 0 && lrc == 0)
			printf(" %7.1fx", tl / ts);
		if (lrc != -ETIME)
			printf("   (libseccomp adding the rules: %.1f ms)", ta * 1e3);
		else
			printf("   (adding the rules alone did not finish)");
		printf("\n");
		sck_filter_free(f);
	}
	free(vals);
}

/* Section 4: ns per system call in a child that loads one program. */
struct runspec {
	const struct sock_filter *prog; /* NULL: no filter */
	size_t len;
	long nr;
	unsigned long a0, a1;
};

#define RUNS 9
#define ITERS 60000

/* One timed batch in a fresh child that loads @rs's program: ns per call, or -1. */
static double one_batch(const struct runspec *rs, double *res)
{
	pid_t pid;
	int st = 0;

	*res = -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct timespec t0, t1;
		/* the thread's CPU time: what other processes on a busy machine take is not
		 * counted; a filter runs in the task's system time, which is */
		clockid_t clk = CLOCK_THREAD_CPUTIME_ID;
		if (rs->prog &&
		    (sck_no_new_privs() != 0 || sck_set_mode_filter(rs->prog, rs->len, 0) != 0))
			_exit(3);
		for (int i = 0; i < ITERS / 10; i++) /* warm up */
			syscall(rs->nr, rs->a0, rs->a1);
		if (clock_gettime(clk, &t0) != 0) {
			clk = CLOCK_MONOTONIC; /* denied by the filter: wall time (vDSO) */
			clock_gettime(clk, &t0);
		}
		for (int i = 0; i < ITERS; i++)
			syscall(rs->nr, rs->a0, rs->a1);
		clock_gettime(clk, &t1);
		*res = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		       ITERS;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return *res;
}

/* The medians of RUNS batches of each of @n programs, interleaved so that drift hits all. */
static void ns_per_call(const struct runspec *rs, size_t n, double *out)
{
	double *res = mmap(NULL, sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
	double v[3][RUNS];

	for (size_t k = 0; k < n; k++)
		out[k] = -1;
	if (res == MAP_FAILED || n > 3)
		return;
	for (int r = 0; r < RUNS; r++)
		for (size_t k = 0; k < n; k++)
			v[k][r] = one_batch(&rs[k], res);
	for (size_t k = 0; k < n; k++)
		out[k] = median(v[k], RUNS);
	munmap(res, sizeof(double));
}

static void syscall_costs(struct sck_test_lsc_pair *pr)
{
	struct sck_bpf_emu *se = NULL, *le = NULL;
	const struct sock_filter *sp;
	size_t slen = 0;
	uint64_t req = 0;
	uint32_t worst = 0, sx = 0;
	int ioctl_nr = sck_syscall_nr(sck_arch_native(), "ioctl");

	if (!pr->p || !pr->l || pr->llen > 4096) {
		printf("%-20s (a program is missing: no kernel figures)\n", pr->name);
		return;
	}
	sp = sck_filter_prog_insns(pr->p, &slen);
	if (sck_bpf_emu_new(sp, slen, &se) || sck_bpf_emu_new(pr->l, pr->llen, &le))
		goto out;
	/* the request libseccomp checks last: the allowed value with its largest count */
	for (size_t i = 0; i < pr->nrules; i++) {
		const struct sck_profile_arg_rule *r = &pr->rules[i];
		struct seccomp_data d = {.nr = ioctl_nr, .arch = sck_arch_native()->audit_arch};
		uint32_t lx = 0;
		if ((r->arch && r->arch != sck_arch_native()) || !r->name ||
		    strcmp(r->name, "ioctl") || r->nconds != 1 || r->conds[0].arg != 1 ||
		    r->conds[0].op != SCK_CMP_EQ)
			continue;
		d.args[1] = r->conds[0].value;
		sck_bpf_emu_run(le, &d, &lx);
		if (lx > worst) {
			worst = lx;
			req = r->conds[0].value;
			sck_bpf_emu_run(se, &d, &sx);
		}
	}
	{
		const struct runspec cases[][3] = {
			{{NULL, 0, SYS_getppid, 0, 0},
			 {sp, slen, SYS_getppid, 0, 0},
			 {pr->l, pr->llen, SYS_getppid, 0, 0}},
			{{NULL, 0, SYS_ioctl, (unsigned long)-1, (unsigned long)req},
			 {sp, slen, SYS_ioctl, (unsigned long)-1, (unsigned long)req},
			 {pr->l, pr->llen, SYS_ioctl, (unsigned long)-1, (unsigned long)req}}};
		for (int c = 0; c < 2; c++) {
			double t[3], none, s, l;
			ns_per_call(cases[c], 3, t);
			none = t[0], s = t[1], l = t[2];
			char what[64];
			if (c == 0)
				snprintf(what, sizeof(what), "getppid");
			else
				snprintf(what, sizeof(what), "ioctl(-1, %#llx)",
					 (unsigned long long)req);
			printf("%-20s %-22s no filter %7.1f ns, sck %7.1f ns, libseccomp -O2 %7.1f "
			       "ns; filter cost sck %6.1f ns, libseccomp %6.1f ns; libseccomp/sck "
			       "%.2fx",
			       c ? "" : pr->name, what, none, s, l, s - none, l - none, l / s);
			if (c) {
				printf(" (emulated: sck %u, libseccomp %u instructions)", sx,
				       worst);
			} else {
				struct seccomp_data d = {.nr = SYS_getppid,
							 .arch = sck_arch_native()->audit_arch};
				uint32_t gs = 0, gl = 0;
				sck_bpf_emu_run(se, &d, &gs);
				sck_bpf_emu_run(le, &d, &gl);
				printf(" (emulated: sck %u, libseccomp %u instructions)", gs, gl);
			}
			printf("\n");
		}
	}
out:
	sck_bpf_emu_free(se);
	sck_bpf_emu_free(le);
}

int main(void)
{
	glob_t g;
	struct sck_test_lsc_pair profs[16];
	size_t np = 0;
	long diffs = 0;
	char docker[512];

	if (glob(SCK_TEST_SHARED_DIR "/profiles/args/*.json", 0, NULL, &g) != 0) {
		printf("bench_args: %s/profiles/args absent, skipped\n", SCK_TEST_SHARED_DIR);
		return 0;
	}
	snprintf(docker, sizeof(docker), "%s/profiles/docker-default.json", SCK_TEST_SHARED_DIR);
	for (size_t i = 0; i < g.gl_pathc && np < 15; i++)
		np += sck_test_lsc_pair_load(g.gl_pathv[i], &profs[np]) == 0;
	np += sck_test_lsc_pair_load(docker, &profs[np]) == 0;
	globfree(&g);

	printf("argument probes (cli/probes.h), syscalls with argument rules; libseccomp %u.%u.%u "
	       "-O2, as runc builds it\n",
	       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
	printf("%-20s %-7s %11s %11s %9s %14s %14s %6s %5s\n", "profile", "arch", "len sck",
	       "len lsc", "probes", "sck mean/max", "lsc mean/max", "", "diffs");
	for (size_t i = 0; i < np; i++)
		diffs += probe_table(&profs[i]);
	printf("verdict differences at the argument probes: %ld\n", diffs);

	printf("\ncompile time, filter object -> BPF (median; CPU time; libseccomp: the first "
	       "export of a context built afresh, which 2.6 and later keep and only copy out "
	       "again;\n"
	       "in brackets, libseccomp's rules added and exported, the work its filter object "
	       "does from rules to BPF):\n");
	for (size_t i = 0; i < np; i++)
		if (!strcmp(profs[i].name, "docker-default") ||
		    !strcmp(profs[i].name, "ioctl-sparse-1000") ||
		    !strcmp(profs[i].name, "ioctl-sparse-4000"))
			compile_times(&profs[i]);
	scaling();

	printf("\nnanoseconds per system call (thread CPU time) in a child that loads the program "
	       "(median of %d interleaved batches of %d calls):\n",
	       RUNS, ITERS);
	for (size_t i = 0; i < np; i++)
		if (!strcmp(profs[i].name, "ioctl-sparse-1000") ||
		    !strcmp(profs[i].name, "ioctl-clustered-300"))
			syscall_costs(&profs[i]);
	printf("(getppid is outside these allowlists: the filters return the default ERRNO and the "
	       "call itself never runs, hence a \"cost\" below zero; filter cost = with - "
	       "without)\n");
	for (size_t i = 0; i < np; i++)
		sck_test_lsc_pair_free(&profs[i]);
	return diffs ? 1 : 0;
}
