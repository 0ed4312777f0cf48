// SPDX-License-Identifier: MIT
/*
 * The filter compiler against libseccomp, side by side in one run, on Docker's default profile
 * (read here minimally with json-c, as Docker on amd64 with its default capabilities would: the
 * real profile reader lives in src/profile/). Both compile the same rule list for x86_64 with x86
 * and x32; libseccomp at -O1 (SCMP_FLTATR_CTL_OPTIMIZE=1) and -O2 (=2, binary tree). Reports
 * instructions executed (sck's emulator, every number of each arch, args 0), program length,
 * kernel action-cache coverage and compile time (rule list in memory to BPF). Ratios, no asserts
 * on time; the exit status is 1 only when sck's verdicts differ from libseccomp's.
 */
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"
#include "docker_caps.h"

#define MAXR 1024
#define MAXC 6

struct brule {
	const char *name;
	uint32_t action;
	struct sck_cond conds[MAXC];
	size_t nconds;
};

static struct brule rules[MAXR];
static size_t nrules;
static uint32_t def_action;

static bool has_cap(const char *c)
{
	for (int i = 0; sck_test_docker_caps[i]; i++)
		if (strcmp(sck_test_docker_caps[i], c) == 0)
			return true;
	return false;
}

static bool str_in(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static int kver(const char *s)
{
	int a = 0, b = 0;
	sscanf(s, "%d.%d", &a, &b);
	return a * 1000 + b;
}

static uint32_t parse_action(const char *a, json_object *errno_ret, uint32_t dflt_errno)
{
	uint32_t e = errno_ret ? (uint32_t)json_object_get_int(errno_ret) : dflt_errno;
	if (!strcmp(a, "SCMP_ACT_ALLOW"))
		return SECCOMP_RET_ALLOW;
	if (!strcmp(a, "SCMP_ACT_ERRNO"))
		return SECCOMP_RET_ERRNO | (e & 0xffff);
	if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		return SECCOMP_RET_KILL_THREAD;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		return SECCOMP_RET_KILL_PROCESS;
	if (!strcmp(a, "SCMP_ACT_TRAP"))
		return SECCOMP_RET_TRAP;
	if (!strcmp(a, "SCMP_ACT_LOG"))
		return SECCOMP_RET_LOG;
	if (!strcmp(a, "SCMP_ACT_TRACE"))
		return SECCOMP_RET_TRACE | (e & 0xffff);
	return SECCOMP_RET_KILL_PROCESS;
}

static enum sck_cmp_op parse_op(const char *s)
{
	static const char *ops[] = {"SCMP_CMP_EQ",	 "SCMP_CMP_NE", "SCMP_CMP_LT",
				    "SCMP_CMP_LE",	 "SCMP_CMP_GT", "SCMP_CMP_GE",
				    "SCMP_CMP_MASKED_EQ"};
	static const enum sck_cmp_op map[] = {SCK_CMP_EQ, SCK_CMP_NE, SCK_CMP_LT,	SCK_CMP_LE,
					      SCK_CMP_GT, SCK_CMP_GE, SCK_CMP_MASKED_EQ};
	for (int i = 0; i < 7; i++)
		if (!strcmp(s, ops[i]))
			return map[i];
	return SCK_CMP_EQ;
}

static void push(const char *name, uint32_t act, const struct sck_cond *c, size_t n)
{
	if (nrules == MAXR)
		return;
	rules[nrules].name = name;
	rules[nrules].action = act;
	memcpy(rules[nrules].conds, c, n * sizeof(*c));
	rules[nrules].nconds = n;
	nrules++;
}

/* Docker's profile, as Docker on amd64 with the default capabilities reads it. */
static int load_profile(const char *path)
{
	json_object *root = json_object_from_file(path), *sys, *o;
	struct utsname u;
	uint32_t dflt_errno = 1;

	if (!root)
		return -1;
	uname(&u);
	if (json_object_object_get_ex(root, "defaultErrnoRet", &o))
		dflt_errno = (uint32_t)json_object_get_int(o);
	json_object_object_get_ex(root, "defaultAction", &o);
	def_action = parse_action(json_object_get_string(o), NULL, dflt_errno);
	json_object_object_get_ex(root, "syscalls", &sys);
	for (size_t i = 0; i < json_object_array_length(sys); i++) {
		json_object *e = json_object_array_get_idx(sys, i), *names, *act, *er, *args, *inc,
			    *exc, *x;
		struct sck_cond c[MAXC];
		size_t nc = 0;
		bool skip = false, repeat = false;
		uint32_t action;

		if (json_object_object_get_ex(e, "includes", &inc)) {
			if (json_object_object_get_ex(inc, "caps", &x))
				for (size_t k = 0; k < json_object_array_length(x); k++)
					skip |= !has_cap(json_object_get_string(
						json_object_array_get_idx(x, k)));
			if (json_object_object_get_ex(inc, "arches", &x))
				skip |= !str_in(x, "amd64");
			if (json_object_object_get_ex(inc, "minKernel", &x))
				skip |= kver(u.release) < kver(json_object_get_string(x));
		}
		if (json_object_object_get_ex(e, "excludes", &exc)) {
			if (json_object_object_get_ex(exc, "caps", &x))
				for (size_t k = 0; k < json_object_array_length(x); k++)
					skip |= has_cap(json_object_get_string(
						json_object_array_get_idx(x, k)));
			if (json_object_object_get_ex(exc, "arches", &x))
				skip |= str_in(x, "amd64");
		}
		if (skip)
			continue;
		json_object_object_get_ex(e, "names", &names);
		json_object_object_get_ex(e, "action", &act);
		er = NULL;
		json_object_object_get_ex(e, "errnoRet", &er);
		action = parse_action(json_object_get_string(act), er, 1);
		if (json_object_object_get_ex(e, "args", &args) && args) {
			unsigned seen = 0;
			for (size_t k = 0; k < json_object_array_length(args) && nc < MAXC; k++) {
				json_object *a = json_object_array_get_idx(args, k), *v;
				struct sck_cond cd = {0};
				uint64_t val = 0, two = 0;
				json_object_object_get_ex(a, "index", &v);
				cd.arg = (unsigned)json_object_get_int(v);
				if (json_object_object_get_ex(a, "value", &v))
					val = json_object_get_uint64(v);
				if (json_object_object_get_ex(a, "valueTwo", &v))
					two = json_object_get_uint64(v);
				json_object_object_get_ex(a, "op", &v);
				cd.op = parse_op(json_object_get_string(v));
				if (cd.op == SCK_CMP_MASKED_EQ) {
					cd.mask = val;
					cd.value = two;
				} else {
					cd.value = val;
				}
				repeat |= (seen >> cd.arg) & 1;
				seen |= 1u << cd.arg;
				c[nc++] = cd;
			}
		}
		for (size_t k = 0; k < json_object_array_length(names); k++) {
			const char *name =
				strdup(json_object_get_string(json_object_array_get_idx(names, k)));
			if (repeat) /* runc: each condition its own rule */
				for (size_t q = 0; q < nc; q++)
					push(name, action, &c[q], 1);
			else
				push(name, action, c, nc);
		}
	}
	json_object_put(root);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: fair on a busy machine */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *const arch_names[] = {"x86_64", "i386", "x32"};

static struct sck_filter_prog *sck_build(void)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = def_action,
		 .bad_arch_action = SECCOMP_RET_KILL_THREAD, .flags = SCK_FILTER_OCI);
	struct sck_filter *f;
	struct sck_filter_prog *p = NULL;

	if (sck_filter_new(&o, &f))
		return NULL;
	for (int i = 0; i < 3; i++)
		sck_filter_add_arch(f, sck_arch_from_name(arch_names[i]));
	for (size_t i = 0; i < nrules; i++) {
		struct sck_rule r = {.name = rules[i].name,
				     .action = rules[i].action,
				     .conds = rules[i].conds,
				     .nconds = rules[i].nconds};
		sck_filter_add_rule(f, &r); /* -ENOENT: unknown everywhere, as runc skips */
	}
	if (sck_filter_compile(f, NULL, &p))
		p = NULL;
	sck_filter_free(f);
	return p;
}

static uint32_t scmp_act(uint32_t a)
{
	return a; /* libseccomp's SCMP_ACT_* are the kernel's values */
}

/* libseccomp, as runc drives it; the program through a memfd. */
static struct sock_filter *ls_build(int level, size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(scmp_act(def_action));
	struct sock_filter *prog = NULL;
	int fd;
	off_t sz;

	seccomp_arch_add(ctx, SCMP_ARCH_X86);
	seccomp_arch_add(ctx, SCMP_ARCH_X32);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)level);
	for (size_t i = 0; i < nrules; i++) {
		struct scmp_arg_cmp c[MAXC];
		int nr = seccomp_syscall_resolve_name(rules[i].name);
		if (nr == __NR_SCMP_ERROR || rules[i].action == def_action)
			continue;
		for (size_t k = 0; k < rules[i].nconds; k++) {
			const struct sck_cond *s = &rules[i].conds[k];
			static const enum scmp_compare ops[] = {
				0,	     SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT,
				SCMP_CMP_LE, SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ};
			c[k] = (struct scmp_arg_cmp){.arg = s->arg, .op = ops[s->op]};
			if (s->op == SCK_CMP_MASKED_EQ) {
				c[k].datum_a = s->mask;
				c[k].datum_b = s->value;
			} else {
				c[k].datum_a = s->value;
			}
		}
		seccomp_rule_add_array(ctx, scmp_act(rules[i].action), nr,
				       (unsigned)rules[i].nconds, c);
	}
	fd = memfd_create("bpf", MFD_CLOEXEC);
	if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
		sz = lseek(fd, 0, SEEK_END);
		prog = malloc((size_t)sz);
		if (prog && pread(fd, prog, (size_t)sz, 0) == sz)
			*len = (size_t)sz / sizeof(*prog);
	}
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return prog;
}

struct figures {
	double mean;
	uint32_t max;
};

static struct figures measure(const struct sock_filter *prog, size_t len, const struct sck_arch *a)
{
	struct sck_bpf_emu *emu;
	struct figures f = {0};
	double sum = 0;
	uint32_t n = 0;

	if (sck_bpf_emu_new(prog, len, &emu))
		return f;
	for (uint32_t nr = a->nr_base; nr <= (uint32_t)sck_syscall_max(a); nr++) {
		struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};
		uint32_t ex = 0;
		sck_bpf_emu_run(emu, &d, &ex);
		sum += ex;
		if (ex > f.max)
			f.max = ex;
		n++;
	}
	f.mean = sum / n;
	sck_bpf_emu_free(emu);
	return f;
}

/* Verdicts of sck and libseccomp on every number of each arch, args from a boundary set. */
static long differences(const struct sock_filter *a, size_t alen, const struct sock_filter *b,
			size_t blen)
{
	static const uint64_t vals[] = {0,
					1,
					7,
					8,
					38,
					39,
					40,
					41,
					0x20000,
					0x20008,
					0xffffffff,
					0x7e020000,
					0x100000000ULL,
					0xffffffffffffffffULL};
	struct sck_bpf_emu *ea, *eb;
	long diff = 0, unknown = 0;

	if (sck_bpf_emu_new(a, alen, &ea) || sck_bpf_emu_new(b, blen, &eb))
		return -1;
	for (int i = 0; i < 3; i++) {
		const struct sck_arch *ar = sck_arch_from_name(arch_names[i]);
		for (uint32_t nr = ar->nr_base; nr <= (uint32_t)sck_syscall_max(ar) + 1; nr++) {
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				struct seccomp_data d = {.nr = (int)nr, .arch = ar->audit_arch};
				for (int k = 0; k < 6; k++)
					d.args[k] = vals[(v + (size_t)k * 3) % (sizeof(vals) / 8)];
				uint32_t x = sck_bpf_emu_run(ea, &d, NULL),
					 y = sck_bpf_emu_run(eb, &d, NULL);
				const char *name = sck_syscall_name(ar, (int)nr);
				uint32_t tok = i == 0	? SCMP_ARCH_X86_64
					       : i == 1 ? SCMP_ARCH_X86
							: SCMP_ARCH_X32;
				if (x != y && name &&
				    seccomp_syscall_resolve_name_arch(tok, name) < 0) {
					/* a syscall libseccomp does not know: it cannot name it */
					if (v == 0)
						printf("  unknown to libseccomp %u.%u.%u: %s %s "
						       "(%u)\n",
						       seccomp_version()->major,
						       seccomp_version()->minor,
						       seccomp_version()->micro, ar->name, name,
						       nr);
					unknown++;
					continue;
				}
				if (x != y) {
					if (diff < 10)
						printf("  differs: %s nr %u (%s) args0 %#llx: sck "
						       "%#x "
						       "libseccomp %#x\n",
						       ar->name, nr, sck_syscall_name(ar, (int)nr),
						       (unsigned long long)d.args[0], x, y);
					diff++;
				}
			}
		}
	}
	sck_bpf_emu_free(ea);
	sck_bpf_emu_free(eb);
	printf("verdicts differing only on syscalls libseccomp does not know: %ld\n", unknown);
	return diff;
}

int main(void)
{
	const char *path = SCK_TEST_SHARED_DIR "/profiles/docker-default.json";
	struct sck_filter_prog *p;
	const struct sock_filter *sp;
	struct sock_filter *l1, *l2;
	size_t slen, l1len = 0, l2len = 0;
	double t0, t_sck, t_l1, t_l2;
	int iters = 200, liters = 20;
	long diff;

	if (load_profile(path)) {
		printf("bench_compile: %s missing, skipped\n", path);
		return 0;
	}
	printf("Docker default profile (amd64 + x86 + x32, default caps): %zu rules\n", nrules);
	t0 = now();
	for (int i = 0; i < iters; i++)
		sck_filter_prog_free(sck_build());
	t_sck = (now() - t0) / iters;
	t0 = now();
	for (int i = 0; i < liters; i++)
		free(ls_build(1, &l1len));
	t_l1 = (now() - t0) / liters;
	t0 = now();
	for (int i = 0; i < liters; i++)
		free(ls_build(2, &l2len));
	t_l2 = (now() - t0) / liters;

	p = sck_build();
	l1 = ls_build(1, &l1len);
	l2 = ls_build(2, &l2len);
	if (!p || !l1 || !l2) {
		printf("bench_compile: a build failed\n");
		return 1;
	}
	sp = sck_filter_prog_insns(p, &slen);
	printf("%-22s %12s %12s %12s\n", "", "sck", "libseccomp-O1", "libseccomp-O2");
	printf("%-22s %12zu %12zu %12zu   (sck/O2 %.2f)\n", "length", slen, l1len, l2len,
	       (double)slen / (double)l2len);
	printf("%-22s %10.1fus %10.1fus %10.1fus   (O2/sck %.0fx, O1/sck %.0fx)\n", "compile",
	       t_sck * 1e6, t_l1 * 1e6, t_l2 * 1e6, t_l2 / t_sck, t_l1 / t_sck);
	for (int i = 0; i < 3; i++) {
		const struct sck_arch *a = sck_arch_from_name(arch_names[i]);
		struct figures fs = measure(sp, slen, a), f1 = measure(l1, l1len, a),
			       f2 = measure(l2, l2len, a);
		struct sck_filter_stats st = {.sz = sizeof(st)};
		sck_filter_prog_stats(p, a, &st);
		printf("%-8s mean/max     %6.2f/%-5u %6.2f/%-5u %6.2f/%-5u\n", a->name, fs.mean,
		       fs.max, f1.mean, f1.max, f2.mean, f2.max);
		if (a->nr_base == 0) {
			uint8_t bm[128] = {0};
			int c1 = sck_bpf_cache_bitmap(l2, l2len, a, bm, 1024);
			printf("%-8s cache: sck %u of %u constant-ALLOW (%.0f%%); libseccomp-O2 "
			       "caches %d numbers\n",
			       a->name, st.cached, st.const_allow,
			       st.const_allow ? 100.0 * st.cached / st.const_allow : 100.0, c1);
		} else {
			printf("%-8s cache: none (x32 numbers carry 0x40000000, above the kernel's "
			       "bitmap)\n",
			       a->name);
		}
	}
	diff = differences(sp, slen, l2, l2len);
	printf("other verdict differences sck vs libseccomp-O2 (all numbers, 14 argument sets): "
	       "%ld\n",
	       diff);
	free(l1);
	free(l2);
	sck_filter_prog_free(p);
	return diff ? 1 : 0;
}
