// SPDX-License-Identifier: MIT
/*
 * Docker's profile, from JSON to BPF, side by side with libseccomp in one run. sck: the JSON text
 * in memory to a compiled program (sck_profile_parse + sck_filter_compile), for amd64 with x86
 * and x32 as Docker's archMap gives them. libseccomp: the profile already parsed (the rule list
 * runc would hand it, built once outside the timing) to BPF, at -O1 and -O2
 * (SCMP_FLTATR_CTL_OPTIMIZE). Reports the compile-time ratios, instructions executed per arch
 * (sck's emulator on every number of the arch, arguments 0, the same for both programs), the
 * program lengths and the kernel action-cache coverage of constant-ALLOW syscalls. No assertion
 * on time; exits 1 only when the verdicts of the two programs differ on some number.
 */
#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "sck.h"
#include "docker_caps.h"

struct lrule {
	int nr;
	uint32_t action;
	struct scmp_arg_cmp conds[8];
	unsigned int n;
};

static struct lrule lrules[2048];
static size_t nlrules;
static uint32_t ldef;

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static bool in(json_object *a, const char *s)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s))
			return true;
	return false;
}

static bool held(const char *c)
{
	for (int i = 0; sck_test_docker_caps[i]; i++)
		if (!strcmp(sck_test_docker_caps[i], c))
			return true;
	return false;
}

static uint32_t act_of(json_object *o, const char *ak, const char *ek)
{
	const char *a = json_object_get_string(get(o, ak));
	uint32_t e = get(o, ek) ? (uint32_t)json_object_get_int64(get(o, ek)) : 1;

	if (!strcmp(a, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(e);
	if (!strcmp(a, "SCMP_ACT_ALLOW"))
		return SCMP_ACT_ALLOW;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(a, "SCMP_ACT_TRAP"))
		return SCMP_ACT_TRAP;
	if (!strcmp(a, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	return SCMP_ACT_KILL_THREAD;
}

/* The rule list runc hands libseccomp for Docker's profile on amd64 (outside the timing). */
static void prepare(const char *json)
{
	json_object *root = json_tokener_parse(json), *calls = get(root, "syscalls");

	ldef = act_of(root, "defaultAction", "defaultErrnoRet");
	for (size_t i = 0; calls && i < json_object_array_length(calls); i++) {
		json_object *s = json_object_array_get_idx(calls, i), *inc = get(s, "includes"),
			    *exc = get(s, "excludes"), *v, *names = get(s, "names"),
			    *args = get(s, "args");
		uint32_t act = act_of(s, "action", "errnoRet");
		bool skip = false;
		if (exc) {
			skip |= (v = get(exc, "arches")) && in(v, "amd64");
			for (size_t k = 0;
			     (v = get(exc, "caps")) && k < json_object_array_length(v); k++)
				skip |= held(
					json_object_get_string(json_object_array_get_idx(v, k)));
		}
		if (inc) {
			skip |= (v = get(inc, "arches")) && !in(v, "amd64");
			for (size_t k = 0;
			     (v = get(inc, "caps")) && k < json_object_array_length(v); k++)
				skip |= !held(
					json_object_get_string(json_object_array_get_idx(v, k)));
		}
		if (skip || act == ldef)
			continue;
		for (size_t k = 0; names && k < json_object_array_length(names); k++) {
			struct lrule *r = &lrules[nlrules];
			r->nr = seccomp_syscall_resolve_name(
				json_object_get_string(json_object_array_get_idx(names, k)));
			if (r->nr == __NR_SCMP_ERROR)
				continue;
			r->action = act;
			r->n = 0;
			for (size_t a = 0; args && a < json_object_array_length(args); a++) {
				json_object *c = json_object_array_get_idx(args, a);
				const char *op = json_object_get_string(get(c, "op"));
				r->conds[r->n++] = (struct scmp_arg_cmp){
					.arg = (unsigned int)json_object_get_int64(get(c, "index")),
					.op = !strcmp(op, "SCMP_CMP_EQ")   ? SCMP_CMP_EQ
					      : !strcmp(op, "SCMP_CMP_LT") ? SCMP_CMP_LT
					      : !strcmp(op, "SCMP_CMP_GT") ? SCMP_CMP_GT
					      : !strcmp(op, "SCMP_CMP_MASKED_EQ")
						      ? SCMP_CMP_MASKED_EQ
						      : SCMP_CMP_NE,
					.datum_a = json_object_get_uint64(get(c, "value")),
					.datum_b = get(c, "valueTwo") ? json_object_get_uint64(
										get(c, "valueTwo"))
								      : 0};
			}
			nlrules++;
		}
	}
	json_object_put(root);
}

/* libseccomp from the rule list to BPF at @opt; returns the program (malloc'd). */
static struct sock_filter *lsc_compile(int opt, size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(ldef);
	struct sock_filter *p;
	int fd;
	off_t sz;

	seccomp_arch_add(ctx, SCMP_ARCH_X86);
	seccomp_arch_add(ctx, SCMP_ARCH_X32);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)opt);
	for (size_t i = 0; i < nlrules; i++)
		seccomp_rule_add_array(ctx, lrules[i].action, lrules[i].nr, lrules[i].n,
				       lrules[i].conds);
	fd = memfd_create("bpf", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0)
		exit(2);
	sz = lseek(fd, 0, SEEK_END);
	p = malloc((size_t)sz);
	if (!p || pread(fd, p, (size_t)sz, 0) != sz)
		exit(2);
	close(fd);
	seccomp_release(ctx);
	*len = (size_t)sz / sizeof(*p);
	return p;
}

static struct sck_filter_prog *sck_compile(const char *json, size_t len)
{
	const struct sck_arch *a[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x86"),
				      sck_arch_from_name("x32")};
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_diag d;
	SCK_OPTS(sck_profile_opts, o, .arches = a, .narches = 3, .kernel = "6.18");

	if (sck_profile_parse(json, len, &o, &f, NULL, &d) != 0 ||
	    sck_filter_compile(f, NULL, &p) != 0) {
		fprintf(stderr, "sck: %s\n", d.msg);
		exit(2);
	}
	sck_filter_free(f);
	return p;
}

struct cost {
	double mean;
	uint32_t max;
	size_t cached, const_allow;
};

/* instructions executed over every number of @a (args 0), and cache coverage */
static struct cost cost(const struct sock_filter *prog, size_t len, const struct sck_arch *a)
{
	struct sck_bpf_emu *emu;
	struct cost c = {0};
	uint32_t lo = a->nr_base, hi = (uint32_t)sck_syscall_max(a);
	uint8_t bitmap[1024] = {0};
	double sum = 0;

	if (sck_bpf_emu_new(prog, len, &emu))
		exit(2);
	for (uint32_t nr = lo; nr <= hi; nr++) {
		struct seccomp_data d = {.nr = (int)nr, .arch = a->audit_arch};
		uint32_t n = 0;
		sck_bpf_emu_run(emu, &d, &n);
		sum += n;
		if (n > c.max)
			c.max = n;
	}
	c.mean = sum / (double)(hi - lo + 1);
	sck_bpf_cache_bitmap(prog, len, a, bitmap, sizeof(bitmap) * 8);
	/* constant-ALLOW syscalls of the table: ALLOW for every tried argument set */
	for (size_t i = 0; i < sck_syscall_count(a); i++) {
		const struct sck_syscall *s = sck_syscall_at(a, i);
		static const uint64_t vals[] = {0, 1, 0xffffffff, UINT64_MAX, 0x7e020000};
		bool allow = true;
		for (size_t v = 0; v < 5 && allow; v++) {
			struct seccomp_data d = {.nr = s->nr, .arch = a->audit_arch};
			for (int k = 0; k < 6; k++)
				d.args[k] = vals[v];
			allow = sck_bpf_emu_run(emu, &d, NULL) == SECCOMP_RET_ALLOW;
		}
		if (!allow)
			continue;
		c.const_allow++;
		{
			uint32_t bit = (uint32_t)s->nr - a->nr_base;
			if (bit < sizeof(bitmap) * 8 && (bitmap[bit / 8] >> (bit % 8) & 1))
				c.cached++;
		}
	}
	sck_bpf_emu_free(emu);
	return c;
}

static int differ(const struct sock_filter *a, size_t la, const struct sock_filter *b, size_t lb)
{
	struct sck_bpf_emu *x, *y;
	const char *arches[] = {"x86_64", "x86", "x32"};
	int diffs = 0;

	if (sck_bpf_emu_new(a, la, &x) || sck_bpf_emu_new(b, lb, &y))
		exit(2);
	for (int i = 0; i < 3; i++) {
		const struct sck_arch *ar = sck_arch_from_name(arches[i]);
		for (uint32_t nr = ar->nr_base; nr <= (uint32_t)sck_syscall_max(ar); nr++) {
			struct seccomp_data d = {.nr = (int)nr, .arch = ar->audit_arch};
			const char *name = sck_syscall_name(ar, (int)nr);
			if (sck_action_effective(sck_bpf_emu_run(x, &d, NULL)) ==
			    sck_action_effective(sck_bpf_emu_run(y, &d, NULL)))
				continue;
			/* syscalls libseccomp 2.5.4 cannot name: runc skips them */
			if (name && seccomp_syscall_resolve_name_arch(
					    seccomp_arch_resolve_name(arches[i]), name) < 0)
				continue;
			diffs++;
		}
	}
	sck_bpf_emu_free(x);
	sck_bpf_emu_free(y);
	return diffs;
}

int main(void)
{
	const char *path = SCK_TEST_SHARED_DIR "/profiles/docker-default.json";
	FILE *fp = fopen(path, "r");
	static char json[1 << 20];
	size_t jlen;
	const int iters = 300, liters = 30;
	double t0, t_sck, t_parse, t_l1, t_l2;
	struct sck_filter_prog *p;
	const struct sock_filter *sp;
	struct sock_filter *l1, *l2;
	size_t slen, l1len, l2len;
	const char *arches[] = {"x86_64", "x86", "x32"};
	int diffs;

	if (!fp) {
		printf("bench_profile: %s absent, skipped\n", path);
		return 0;
	}
	jlen = fread(json, 1, sizeof(json) - 1, fp);
	fclose(fp);
	prepare(json);

	/* warm up, then time */
	sck_filter_prog_free(sck_compile(json, jlen));
	t0 = now_us();
	for (int i = 0; i < iters; i++)
		sck_filter_prog_free(sck_compile(json, jlen));
	t_sck = (now_us() - t0) / iters;
	t0 = now_us();
	for (int i = 0; i < iters; i++) {
		json_tokener *tok = json_tokener_new();
		json_object_put(json_tokener_parse_ex(tok, json, (int)jlen));
		json_tokener_free(tok);
	}
	t_parse = (now_us() - t0) / iters;
	free(lsc_compile(1, &l1len));
	t0 = now_us();
	for (int i = 0; i < liters; i++)
		free(lsc_compile(1, &l1len));
	t_l1 = (now_us() - t0) / liters;
	t0 = now_us();
	for (int i = 0; i < liters; i++)
		free(lsc_compile(2, &l2len));
	t_l2 = (now_us() - t0) / liters;

	p = sck_compile(json, jlen);
	sp = sck_filter_prog_insns(p, &slen);
	l1 = lsc_compile(1, &l1len);
	l2 = lsc_compile(2, &l2len);

	printf("Docker default profile, amd64 with x86 and x32 (%zu libseccomp rules)\n", nlrules);
	printf("compile time: sck JSON text -> BPF %.1f us (of which json-c parsing %.1f us);\n"
	       "  libseccomp parsed profile -> BPF: -O1 %.1f us, -O2 %.1f us\n"
	       "  ratio: %.1fx vs -O1, %.1fx vs -O2 (goal >= 100x vs -O2)\n",
	       t_sck, t_parse, t_l1, t_l2, t_l1 / t_sck, t_l2 / t_sck);
	printf("program length: sck %zu, libseccomp -O1 %zu, -O2 %zu; sck/-O2 = %.2f (goal <= "
	       "0.40)\n",
	       slen, l1len, l2len, (double)slen / (double)l2len);
	for (int i = 0; i < 3; i++) {
		const struct sck_arch *a = sck_arch_from_name(arches[i]);
		struct cost s = cost(sp, slen, a), c1 = cost(l1, l1len, a), c2 = cost(l2, l2len, a);
		struct sck_filter_stats st = {.sz = sizeof(st)};
		sck_filter_prog_stats(p, a, &st);
		printf("%-7s executed mean/max: sck %.2f/%u, libseccomp -O1 %.2f/%u, -O2 %.2f/%u\n",
		       arches[i], s.mean, s.max, c1.mean, c1.max, c2.mean, c2.max);
		if (a->nr_base >= 0x40000000u) /* x32: numbers above the kernel's cache bitmap */
			printf("        kernel action cache: none for %s numbers (they carry "
			       "0x40000000), for any filter\n",
			       arches[i]);
		else
			printf("        kernel action cache: sck caches %u of its %u "
			       "constant-ALLOW "
			       "syscalls (%.1f%%); cached numbers: sck %zu, libseccomp -O2 %zu\n",
			       st.cached, st.const_allow,
			       st.const_allow ? 100.0 * st.cached / st.const_allow : 100.0,
			       s.cached, c2.cached);
	}
	diffs = differ(sp, slen, l2, l2len);
	printf("verdict differences over every number (args 0), libseccomp-unknown syscalls aside: "
	       "%d\n",
	       diffs);
	free(l1);
	free(l2);
	sck_filter_prog_free(p);
	return diffs ? 1 : 0;
}
