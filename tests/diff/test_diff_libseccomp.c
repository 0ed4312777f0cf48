// SPDX-License-Identifier: MIT
/*
 * Profiles: sck == runc + libseccomp. The same OCI / Docker profile is built twice: by sck's
 * reader and compiler, and, independently, the way Docker and runc hand it to libseccomp
 * (includes/excludes, seccomp_init(default), seccomp_arch_add, runc's rule skipping and
 * splitting of repeated argument indexes, seccomp_rule_add_array, seccomp_export_bpf). Both
 * programs run in sck's emulator on every syscall number of each arch (plus numbers past the
 * tables and nr -1), all arguments 0, and on the numbers that carry conditions with boundary
 * argument values (0, 1, v-1, v, v+1, max, high-word variations, sign-extended negatives) on
 * each argument; the effective verdicts must be equal. The only allowed differences are the
 * syscalls libseccomp 2.5.4 does not know (it cannot name them; runc skips them): they are listed
 * on stderr. Docker's profile (../shared) and a few hundred generated profiles (seed printed,
 * SCK_TEST_SEED replays).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_lsc.h"
#include "../compat/pfc_eval.h"

/*
 * libseccomp 2.5.4 leaks the rule it refuses (-EEXIST) inside seccomp_rule_add; under
 * `make SANITIZE=1` LeakSanitizer reads this (weak) hook: leaks allocated inside libseccomp are
 * not ours to fix.
 */
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void);
__attribute__((visibility("default"))) const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

/* ---- the libseccomp side, as Docker + runc do it ---- */

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

/* set when libseccomp refused a rule: runc fails such a profile, nothing to compare */
static int refused;
/* libseccomp's pseudo filter code of the last profile built (its rule database, which its
 * program sometimes contradicts: the oracle for libseccomp's code-generation bugs) */
static char *lsc_pfc;

static int direct_add(void *ctx, uint32_t action, int nr, unsigned int n,
		      const struct scmp_arg_cmp *conds)
{
	return seccomp_rule_add_array(ctx, action, nr, n, conds);
}

/*
 * Build @json through libseccomp for @arches (libseccomp names; the first is native), with
 * runc's rules (sck_test_lsc_rules).
 */
static struct sock_filter *libseccomp_build_direct(const char *json, const char *const *arches,
						   size_t narch, bool alone, int pfc_fd,
						   size_t *len)
{
	json_object *root = json_tokener_parse(json);
	uint32_t def = sck_test_lsc_action(root, "defaultAction", "defaultErrnoRet", 1);
	scmp_filter_ctx ctx = seccomp_init(def);
	struct sck_test_lsc_walk w = {
		.def = def,
		.errnum = 1,
		.docker = true,
		.kernel = SCK_TEST_LSC_KERNEL_RECENT,
		.resolve = seccomp_syscall_resolve_name,
		.add = direct_add,
		.arg = ctx,
	};
	struct sock_filter *prog = NULL;
	int rc;

	cr_assert(root && ctx);
	if (alone) {
		/* @arches[0] only: the oracle for libseccomp's own multi-arch programs */
		uint32_t a = seccomp_arch_resolve_name(arches[0]);
		if (a != seccomp_arch_native()) {
			cr_assert_eq(seccomp_arch_add(ctx, a), 0);
			cr_assert_eq(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0);
		}
	}
	for (size_t i = 1; i < narch && !alone; i++)
		cr_assert_eq(seccomp_arch_add(ctx, seccomp_arch_resolve_name(arches[i])), 0);
	rc = sck_test_lsc_rules(root, &w);
	if (rc) {
		refused = rc;
		seccomp_release(ctx);
		json_object_put(root);
		return NULL;
	}
	cr_assert_eq(sck_test_lsc_export(ctx, &prog, len), 0);
	if (pfc_fd >= 0)
		cr_assert_eq(seccomp_export_pfc(ctx, pfc_fd), 0);
	seccomp_release(ctx);
	json_object_put(root);
	return prog;
}

/*
 * libseccomp 2.5.4 can loop for ever inside seccomp_rule_add_array on some random rule sets:
 * build in a forked child with a time limit. A build that does not finish counts as refused
 * (-ETIMEDOUT): nothing to compare, and the count is printed with the refusals.
 */
static struct sock_filter *libseccomp_build(const char *json, const char *const *arches,
					    size_t narch, bool alone, size_t *len)
{
	struct sock_filter *prog = NULL;
	int fd = memfd_create("libseccomp-bpf", MFD_CLOEXEC), status = 0, hdr[2] = {0, 0};
	int pfd = alone ? -1 : memfd_create("libseccomp-pfc", MFD_CLOEXEC);
	long waited_ms = 0;
	pid_t pid;

	cr_assert(fd >= 0);
	if (!alone) {
		cr_assert(pfd >= 0);
		free(lsc_pfc);
		lsc_pfc = NULL;
	}
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		size_t n = 0;
		struct sock_filter *p =
			libseccomp_build_direct(json, arches, narch, alone, pfd, &n);

		hdr[0] = p ? 0 : (refused ? refused : -EINVAL);
		hdr[1] = (int)n;
		if (pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
		    (p && pwrite(fd, p, n * sizeof(*p), sizeof(hdr)) != (ssize_t)(n * sizeof(*p))))
			_exit(3);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (waited_ms >= 20000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fd);
			if (pfd >= 0)
				close(pfd);
			refused = -ETIMEDOUT;
			return NULL;
		}
		usleep(1000);
		waited_ms++;
	}
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "libseccomp build child failed");
	cr_assert_eq(pread(fd, hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	if (pfd >= 0) {
		off_t plen = lseek(pfd, 0, SEEK_END);
		lsc_pfc = plen >= 0 ? calloc(1, (size_t)plen + 1) : NULL;
		cr_assert(lsc_pfc && pread(pfd, lsc_pfc, (size_t)plen, 0) == (ssize_t)plen);
		close(pfd);
	}
	if (hdr[0]) {
		refused = hdr[0];
		close(fd);
		return NULL;
	}
	prog = malloc((size_t)hdr[1] * sizeof(*prog));
	cr_assert(prog && pread(fd, prog, (size_t)hdr[1] * sizeof(*prog), sizeof(hdr)) ==
				  (ssize_t)((size_t)hdr[1] * sizeof(*prog)));
	close(fd);
	*len = (size_t)hdr[1];
	return prog;
}

/*
 * Whether a program compares a syscall number while the accumulator still holds the arch: a
 * libseccomp 2.5.4 code-generation bug (it omits the nr load after an arch test when only a few
 * rules land on that arch, so the arch's section never matches its syscalls). Every path is
 * followed with the accumulator's content (0 other, 1 arch, 2 nr); arch tests compare audit
 * values (bit 30 or 31 set), so a smaller constant tested against the arch is the bug.
 */
static bool stale_nr(const struct sock_filter *p, size_t len, size_t pc, int acc, uint8_t *seen)
{
	for (; pc < len; pc++) {
		uint16_t cls = BPF_CLASS(p[pc].code);
		if (seen[pc] & (1u << acc))
			return false;
		seen[pc] |= (uint8_t)(1u << acc);
		if (cls == BPF_LD) {
			acc = p[pc].k == 4 ? 1 : p[pc].k == 0 ? 2 : 0;
		} else if (cls == BPF_ALU || cls == BPF_MISC) {
			acc = 0;
		} else if (cls == BPF_RET) {
			return false;
		} else if (cls == BPF_JMP) {
			if (BPF_OP(p[pc].code) == BPF_JA)
				return stale_nr(p, len, pc + 1 + p[pc].k, acc, seen);
			if (acc == 1 && p[pc].k < 0x40000000U)
				return true;
			if (stale_nr(p, len, pc + 1 + p[pc].jt, acc, seen))
				return true;
			pc += p[pc].jf;
		}
	}
	return false;
}

/* ---- sweeping ---- */

struct known_gap {
	char name[64];
	char arch[16];
};

struct sweep {
	const struct sck_arch *arches[8];
	const char *lnames[8];
	size_t narch;
	struct sck_bpf_emu *sck, *lsc;
	struct sck_bpf_emu *alone[8]; /* libseccomp with one arch, for its multi-arch bugs */
	size_t lsc_bugs;
	size_t lsc_db; /* cases where libseccomp's program contradicts its database (pfc) */
	bool lsc_stale;
	uint64_t values[512];
	size_t nvalues;
	size_t cases, diffs;
	struct known_gap gaps[256];
	size_t ngaps;
	bool quiet;
};

static void add_value(struct sweep *w, uint64_t v)
{
	if (w->nvalues < sizeof(w->values) / sizeof(w->values[0]))
		w->values[w->nvalues++] = v;
}

/* the boundary values around every operand of the profile */
static void collect_values(struct sweep *w, const char *json)
{
	json_object *root = json_tokener_parse(json), *calls = get(root, "syscalls");
	static const uint64_t fixed[] = {0,
					 1,
					 2,
					 0x7fffffff,
					 0x80000000,
					 0xfffffffe,
					 0xffffffff,
					 0x100000000,
					 0x100000001,
					 0xffffffff00000000,
					 0xffffffff80000000,
					 0xfffffffffffffffe,
					 UINT64_MAX};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_value(w, fixed[i]);
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		json_object *args = get(json_object_array_get_idx(calls, i), "args");
		for (size_t k = 0; args && k < json_object_array_length(args); k++) {
			json_object *a = json_object_array_get_idx(args, k);
			uint64_t vs[2] = {json_object_get_uint64(get(a, "value")),
					  get(a, "valueTwo")
						  ? json_object_get_uint64(get(a, "valueTwo"))
						  : 0};
			for (int j = 0; j < 2; j++) {
				uint64_t v = vs[j];
				add_value(w, v);
				add_value(w, v + 1);
				add_value(w, v - 1);
				add_value(w, v ^ 0x100000000ULL);
				add_value(w, v | 0xffffffff00000000ULL);
				add_value(w, (uint64_t)(int64_t)(int32_t)v); /* sign-extended */
				add_value(w, v & 0xffffffffULL);
				add_value(w, ~v);
			}
		}
	}
	json_object_put(root);
}

static bool gap_known(struct sweep *w, const struct sck_arch *a, int nr)
{
	const char *name = sck_syscall_name(a, nr);
	const char *ln = NULL;
	int lnr;

	for (size_t i = 0; i < w->narch; i++)
		if (w->arches[i] == a)
			ln = w->lnames[i];
	if (!name || !ln)
		return false;
	lnr = seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(ln), name);
	if (lnr != __NR_SCMP_ERROR && lnr >= 0)
		return false;
	for (size_t i = 0; i < w->ngaps; i++)
		if (!strcmp(w->gaps[i].name, name) && !strcmp(w->gaps[i].arch, a->name))
			return true;
	if (w->ngaps < sizeof(w->gaps) / sizeof(w->gaps[0])) {
		snprintf(w->gaps[w->ngaps].name, sizeof(w->gaps[0].name), "%s", name);
		snprintf(w->gaps[w->ngaps].arch, sizeof(w->gaps[0].arch), "%s", a->name);
		w->ngaps++;
	}
	return true;
}

static void one(struct sweep *w, const struct sck_arch *a, uint32_t nr, const uint64_t args[6])
{
	struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};
	uint32_t x, y;

	memcpy(d.args, args, sizeof(d.args));
	x = sck_action_effective(sck_bpf_emu_run(w->sck, &d, NULL));
	y = sck_action_effective(sck_bpf_emu_run(w->lsc, &d, NULL));
	w->cases++;
	if (x == y)
		return;
	if (gap_known(w, a, (int)nr))
		return;
	for (size_t i = 0; i < w->narch; i++) {
		/*
		 * libseccomp 2.5.4 sometimes emits a multi-arch program whose section for an arch
		 * disagrees with its own program for that arch alone (it skips reloading nr after
		 * the arch test, or shares an argument block across arches): the single-arch
		 * program is libseccomp's meaning; such cases are counted apart.
		 */
		if (w->arches[i] == a && w->alone[i] &&
		    sck_action_effective(sck_bpf_emu_run(w->alone[i], &d, NULL)) == x) {
			w->lsc_bugs++;
			return;
		}
	}
	{
		uint32_t pv = 0;
		int pr = lsc_pfc ? pfc_eval(lsc_pfc, &d, &pv) : -1;
		if (pr == 1 && sck_action_effective(pv) == x) {
			w->lsc_db++;
			return;
		}
	}
	if (w->diffs++ < 10 && !w->quiet)
		fprintf(stderr,
			"diff: %s nr %u (%s) args %#llx %#llx %#llx %#llx %#llx %#llx: sck %#x "
			"libseccomp %#x\n",
			a->name, nr,
			sck_syscall_name(a, (int)nr) ? sck_syscall_name(a, (int)nr) : "?",
			(unsigned long long)args[0], (unsigned long long)args[1],
			(unsigned long long)args[2], (unsigned long long)args[3],
			(unsigned long long)args[4], (unsigned long long)args[5], x, y);
}

/* Whether @nr's verdict depends on the arguments in either program; then sweep them. */
static void sweep_nr(struct sweep *w, const struct sck_arch *a, uint32_t nr)
{
	uint64_t zero[6] = {0};
	struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};
	uint32_t base[2], x[2];
	bool cond = false;

	one(w, a, nr, zero);
	base[0] = sck_bpf_emu_run(w->sck, &d, NULL);
	base[1] = sck_bpf_emu_run(w->lsc, &d, NULL);
	for (size_t v = 0; v < w->nvalues && !cond; v++) {
		for (int k = 0; k < 6 && !cond; k++) {
			memset(d.args, 0, sizeof(d.args));
			d.args[k] = w->values[v];
			x[0] = sck_bpf_emu_run(w->sck, &d, NULL);
			x[1] = sck_bpf_emu_run(w->lsc, &d, NULL);
			cond = x[0] != base[0] || x[1] != base[1];
		}
	}
	if (!cond)
		return;
	for (int k = 0; k < 6; k++) {
		for (size_t v = 0; v < w->nvalues; v++) {
			uint64_t args[6] = {0};
			args[k] = w->values[v];
			one(w, a, nr, args);
			/* the same value everywhere */
			for (int j = 0; j < 6; j++)
				args[j] = w->values[v];
			one(w, a, nr, args);
		}
	}
}

/*
 * Every number from the arch's first to past its last ordinary one, every number of its table
 * (arm's private calls at 0xf0000 included), and a few far ones (x32 bit, nr -1).
 */
static void sweep_arch(struct sweep *w, const struct sck_arch *a)
{
	static const uint32_t extra[] = {0x3fffffff, 0x40000000, 0x40000001,
					 0x7fffffff, 0xfffffffe, 0xffffffff};
	uint32_t lo = a->nr_base, hi = lo;

	for (size_t i = 0; i < sck_syscall_count(a); i++) {
		uint32_t nr = (uint32_t)sck_syscall_at(a, i)->nr;
		if (nr - lo < 0x1000 && nr > hi)
			hi = nr;
	}
	for (uint32_t nr = lo; nr <= hi + 16; nr++)
		sweep_nr(w, a, nr);
	for (size_t i = 0; i < sck_syscall_count(a); i++) {
		uint32_t nr = (uint32_t)sck_syscall_at(a, i)->nr;
		if (nr > hi + 16)
			sweep_nr(w, a, nr);
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		sweep_nr(w, a, extra[i]);
}

/* Compare @json built by both for @lnames (libseccomp names, native first). */
static size_t compare_profile(const char *json, const char *const *lnames, size_t narch, bool quiet,
			      struct sweep *out)
{
	struct sweep *w = calloc(1, sizeof(*w));
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag diag;
	struct sock_filter *lprog;
	const struct sock_filter *sprog;
	size_t llen, slen;
	int rc;

	cr_assert(w);
	w->quiet = quiet;
	w->narch = narch;
	for (size_t i = 0; i < narch; i++) {
		w->lnames[i] = lnames[i];
		w->arches[i] = sck_arch_from_name(lnames[i]);
		cr_assert(w->arches[i], "arch %s", lnames[i]);
	}
	{
		SCK_OPTS(sck_profile_opts, o, .arches = w->arches, .narches = narch,
			 .kernel = "6.18");
		rc = sck_profile_parse(json, strlen(json), &o, &f, NULL, &diag);
	}
	refused = 0;
	lprog = libseccomp_build(json, lnames, narch, false, &llen);
	/* a profile sck refuses as conflicting, libseccomp refuses too (-EEXIST) */
	if (rc == -EINVAL && strstr(diag.msg, "conflicting rules")) {
		cr_expect_eq(refused, -EEXIST, "sck: %s; libseccomp: %d; %s", diag.msg, refused,
			     json);
		free(lprog);
		memset(out, 0, sizeof(*out));
		free(w);
		return 0;
	}
	cr_assert_eq(rc, 0, "sck_profile_parse: %d %u:%u %s", rc, diag.line, diag.col, diag.msg);
	/* The other way round happens: libseccomp also clashes on its 32-bit halves of 64-bit
	 * conditions (a < and a > of one value share a node). sck has no such nodes and compiles
	 * those profiles; runc would fail on them. Counted, not asserted. */
	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0);
	sprog = sck_filter_prog_insns(p, &slen);
	if (!lprog) {
		sck_filter_prog_free(p);
		sck_filter_free(f);
		memset(out, 0, sizeof(*out));
		free(w);
		return 0;
	}
	{
		uint8_t *seen = calloc(llen + 1, 1);
		cr_assert(seen);
		w->lsc_stale = stale_nr(lprog, llen, 0, 0, seen);
		free(seen);
	}
	if (w->lsc_stale) {
		/* nothing to compare with: libseccomp's program is broken (see stale_nr) */
		free(lprog);
		sck_filter_prog_free(p);
		sck_filter_free(f);
		*out = *w;
		free(w);
		return 0;
	}
	cr_assert_eq(sck_bpf_emu_new(sprog, slen, &w->sck), 0);
	cr_assert_eq(sck_bpf_emu_new(lprog, llen, &w->lsc), 0);
	for (size_t i = 0; i < narch && narch > 1; i++) {
		size_t alen;
		struct sock_filter *ap = libseccomp_build(json, &lnames[i], 1, true, &alen);
		if (ap) {
			cr_assert_eq(sck_bpf_emu_new(ap, alen, &w->alone[i]), 0);
			free(ap);
		}
	}
	collect_values(w, json);
	for (size_t i = 0; i < narch; i++)
		sweep_arch(w, w->arches[i]);
	free(lprog);
	sck_bpf_emu_free(w->sck);
	sck_bpf_emu_free(w->lsc);
	for (size_t i = 0; i < narch; i++)
		sck_bpf_emu_free(w->alone[i]);
	sck_filter_prog_free(p);
	sck_filter_free(f);
	*out = *w;
	free(w);
	return out->diffs;
}

Test(diff_libseccomp, docker_default, .timeout = 600)
{
	const char *path = sck_test_shared("profiles/docker-default.json");
	static const char *const arches[] = {"x86_64", "x86", "x32"};
	struct sweep w;
	char *json;

	if (!path)
		cr_skip("../shared/profiles/docker-default.json absent");
	json = sck_test_lsc_slurp(path, NULL);
	cr_assert(json);
	compare_profile(json, arches, 3, false, &w);
	cr_expect(!w.lsc_stale);
	fprintf(stderr,
		"docker-default: %zu cases, %zu differences, %zu libseccomp multi-arch bugs\n",
		w.cases, w.diffs, w.lsc_bugs);
	for (size_t i = 0; i < w.ngaps; i++)
		fprintf(stderr, "  libseccomp 2.5.4 does not know %s on %s (runc skips it)\n",
			w.gaps[i].name, w.gaps[i].arch);
	cr_expect_eq(w.diffs, 0);
	free(json);
}

Test(diff_libseccomp, builtin_default, .timeout = 600)
{
	static const char *const arches[] = {"x86_64", "x86", "x32"};
	struct sweep w;

	compare_profile(sck_profile_builtin(NULL), arches, 3, false, &w);
	fprintf(stderr, "builtin default: %zu cases, %zu differences\n", w.cases, w.diffs);
	cr_expect_eq(w.diffs, 0);
}

/* ---- generated profiles ---- */

static const char *const pool[] = {
	"read",	    "write", "openat", "close",	      "mmap",	 "ioctl",   "socket",	 "connect",
	"clone",    "kill",  "prctl",  "personality", "fcntl",	 "getpid",  "bind",	 "futex",
	"mprotect", "lseek", "dup3",   "setns",	      "unshare", "madvise", "getrandom", "pipe2",
};

static const char *const acts[] = {"SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP",
				   "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG",   "SCMP_ACT_TRACE"};

static const char *const opnames[] = {"SCMP_CMP_NE",	   "SCMP_CMP_LT", "SCMP_CMP_LE",
				      "SCMP_CMP_EQ",	   "SCMP_CMP_GE", "SCMP_CMP_GT",
				      "SCMP_CMP_MASKED_EQ"};

static uint64_t rand_value(uint64_t *rng)
{
	switch (sck_test_rand(rng) % 6) {
	case 0:
		return sck_test_rand(rng) % 8;
	case 1:
		return sck_test_rand(rng) % 0x10000;
	case 2:
		return 0xffffffffULL - sck_test_rand(rng) % 4;
	case 3:
		return (sck_test_rand(rng) % 4) << 32 | (sck_test_rand(rng) % 4);
	case 4:
		return UINT64_MAX - sck_test_rand(rng) % 4;
	default:
		return sck_test_rand(rng);
	}
}

/*
 * A random profile. Per syscall, the conditional rules share one action (as every real profile
 * does; libseccomp orders conflicting conditional actions by its own tree, docs/semantics.md);
 * unconditional rules, repeated indexes, duplicates and default-action rules are mixed in.
 */
static char *gen_profile(uint64_t *rng, bool overlap, bool mixed)
{
	bool used[sizeof(pool) / sizeof(pool[0])] = {0};
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	const char *def = acts[sck_test_rand(rng) % 3];
	int cond_act[sizeof(pool) / sizeof(pool[0])];
	int nrules = 1 + (int)(sck_test_rand(rng) % 14);

	for (size_t i = 0; i < sizeof(pool) / sizeof(pool[0]); i++)
		cond_act[i] = (int)(sck_test_rand(rng) % 6);
	n += (size_t)snprintf(s + n, cap - n, "{\"defaultAction\":\"%s\",\"syscalls\":[", def);
	for (int r = 0; r < nrules; r++) {
		size_t which = sck_test_rand(rng) % 8; /* a small pool: overlaps */
		int nargs = (int)(sck_test_rand(rng) % 4);
		int act;
		if (nargs && !overlap) {
			/* one conditional rule per syscall at most */
			if (used[which])
				nargs = 0;
			used[which] = true;
		}
		act = nargs && !mixed ? cond_act[which] : (int)(sck_test_rand(rng) % 6);
		n += (size_t)snprintf(s + n, cap - n, "%s{\"names\":[\"%s\"],\"action\":\"%s\"",
				      r ? "," : "", pool[which], acts[act]);
		if (act == 1 || act == 5)
			n += (size_t)snprintf(s + n, cap - n, ",\"errnoRet\":%d",
					      nargs ? 1 + (int)(which % 3)
						    : 1 + (int)(sck_test_rand(rng) % 3));
		if (nargs) {
			n += (size_t)snprintf(s + n, cap - n, ",\"args\":[");
			for (int a = 0; a < nargs; a++) {
				n += (size_t)snprintf(s + n, cap - n,
						      "%s{\"index\":%d,\"value\":%llu,\"valueTwo\":"
						      "%llu,\"op\":\"%s\"}",
						      a ? "," : "",
						      overlap ? (int)(sck_test_rand(rng) % 3) : a,
						      (unsigned long long)rand_value(rng),
						      (unsigned long long)rand_value(rng),
						      opnames[sck_test_rand(rng) % 7]);
			}
			n += (size_t)snprintf(s + n, cap - n, "]");
		}
		n += (size_t)snprintf(s + n, cap - n, "}");
	}
	snprintf(s + n, cap - n, "]}");
	return s;
}

/*
 * @overlap false: at most one conditional rule per syscall (with unconditional rules, repeated
 * indexes and duplicates around it). @overlap true: several conditional rules on one syscall,
 * which libseccomp merges into its rule database (sck too, in OCI mode); @mixed: with different
 * actions. Verdicts must be equal, except where libseccomp's program contradicts its own
 * database (its pseudo filter code) or its single-arch program: counted apart.
 */
static void generated(const char *name, bool overlap, bool mixed, int count)
{
	uint64_t rng = sck_test_seed(name);
	static const char *const sets[][3] = {
		{"x86_64", "x86", "x32"},	 {"x86_64", NULL, NULL},
		{"x86_64", "x86", NULL},	 {"x86_64", "aarch64", NULL},
		{"x86_64", "x32", NULL},	 {"x86_64", "mipsel64n32", "arm"},
		{"x86_64", "mipsel", "riscv64"}, {"x86_64", "mipsel64", "ppc64le"},
	};
	static const size_t nsets[] = {3, 1, 2, 2, 2, 3, 3, 3};
	size_t total = 0, bad = 0, cases = 0, nrefused = 0, lbugs = 0, ldb = 0, stale = 0;

	for (int i = 0; i < count; i++) {
		size_t k = (size_t)i % 8;
		char *json = gen_profile(&rng, overlap, mixed);
		struct sweep w;
		size_t d = compare_profile(json, sets[k], nsets[k], bad >= 3, &w);
		if (refused) {
			nrefused++;
			if (nrefused < 3)
				fprintf(stderr, "libseccomp refuses (%d): %s\n", refused, json);
		}
		cases += w.cases;
		lbugs += w.lsc_bugs;
		ldb += w.lsc_db;
		stale += w.lsc_stale;
		total++;
		if (d && bad++ < 3)
			fprintf(stderr, "profile %d (%zu differences): %s\n", i, d, json);
		free(json);
	}
	free(lsc_pfc);
	lsc_pfc = NULL;
	fprintf(stderr,
		"%s: %zu profiles (%zu refused by libseccomp, as runc would fail), %zu cases, %zu "
		"profiles with differences; %zu cases where libseccomp's program contradicts its "
		"database, %zu where its multi-arch program contradicts its single-arch one; %zu "
		"profiles where libseccomp compares nr without loading it\n",
		name, total, nrefused, cases, bad, ldb, lbugs, stale);
	cr_expect_eq(bad, 0);
}

Test(diff_libseccomp, generated, .timeout = 900)
{
	generated("diff_libseccomp/generated", false, false, 200);
}

Test(diff_libseccomp, generated_overlap, .timeout = 900)
{
	generated("diff_libseccomp/generated_overlap", true, false, 60);
}

Test(diff_libseccomp, generated_mixed, .timeout = 900)
{
	generated("diff_libseccomp/generated_mixed", true, true, 60);
}
