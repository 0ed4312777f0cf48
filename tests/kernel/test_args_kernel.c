// SPDX-License-Identifier: MIT
/*
 * Compiled argument decisions in the kernel (issue 12): the conditional rules of each profile of
 * ../shared/profiles/args/ and Docker's (sck_profile_arg_rules_alloc) are rebuilt into a filter
 * whose every action is a distinct harmless ERRNO (so that no probed call ever runs), compiled,
 * and loaded in a forked child, which issues every argument probe (cli/probes.h) of x86_64 and
 * x32 (x32 numbers carry 0x40000000; seccomp sees them before any dispatch). The errno the kernel
 * returns must be the one sck's emulator computes for the same program and call. Results travel
 * through shared memory: after loading, the child makes no call but the probes and exit. Random
 * rule sets with several actions, and socket allowlists over three arguments, go the same way.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probes.h"
#include "sck.h"
#include "sck_test.h"

#define DEF_ERRNO 99
#define MAX_ACTS 64

struct kprobe {
	const struct sck_filter_prog *prog;
	const struct seccomp_data *d;
	size_t n;
	int *errs; /* shared with the parent: errno of each probe, -2 when the call succeeded */
};

static int body(void *arg, int fd)
{
	struct kprobe *k = arg;
	int rc;

	(void)fd;
	rc = sck_filter_prog_load(k->prog, 0);
	if (rc < 0)
		return 3;
	for (size_t i = 0; i < k->n; i++) {
		const struct seccomp_data *d = &k->d[i];
		long r;
		errno = 0;
		r = syscall((long)(uint32_t)d->nr, d->args[0], d->args[1], d->args[2], d->args[3],
			    d->args[4], d->args[5]);
		k->errs[i] = r < 0 ? errno : -2;
	}
	/* straight out: under SANITIZE=1 the sanitizer's _exit hook would check for leaks, which
	 * needs system calls this filter denies */
	syscall(SYS_exit_group, 0);
	return 0;
}

/*
 * Compile @f (every action a distinct ERRNO, exit_group allowed), load it in a child, issue the
 * argument probes of @rules on x86_64 and x32, and compare each errno with the emulator's.
 */
static void check_in_kernel(const char *rel, struct sck_filter *f,
			    const struct sck_profile_arg_rule *rules, size_t nrules, size_t nacts)
{
	const struct sck_arch *arches[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x32")};
	struct sck_filter_prog *p = NULL;
	struct sck_bpf_emu *emu;
	struct seccomp_data *all = NULL;
	size_t n = 0, len;
	const struct sock_filter *insns;
	struct sck_test_result res;
	struct kprobe k;
	int *errs;

	cr_assert_eq(sck_filter_compile(f, NULL, &p), 0, "%s", rel);
	for (size_t a = 0; a < 2; a++) {
		struct sck_probe_set ps;
		cr_assert_eq(sck_probes_build(rules, nrules, arches[a], &ps), 0);
		for (size_t s = 0; s < ps.nsys; s++) {
			struct seccomp_data *na =
				realloc(all, (n + ps.sys[s].nprobes) * sizeof(*all));
			cr_assert(na);
			all = na;
			memcpy(all + n, ps.sys[s].probes, ps.sys[s].nprobes * sizeof(*all));
			n += ps.sys[s].nprobes;
		}
		sck_probes_fini(&ps);
	}
	cr_assert_gt(n, 0);
	errs = mmap(NULL, n * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		    0);
	cr_assert(errs != MAP_FAILED);
	memset(errs, 0xff, n * sizeof(int));
	k = (struct kprobe){.prog = p, .d = all, .n = n, .errs = errs};
	cr_assert_eq(sck_test_run_child(body, &k, 60000, &res), 0);
	cr_assert(res.exited && res.exit_code == 0, "child: exited %d code %d signal %d",
		  res.exited, res.exit_code, res.signal);
	insns = sck_filter_prog_insns(p, &len);
	cr_assert_eq(sck_bpf_emu_new(insns, len, &emu), 0);
	{
		size_t bad = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t want = sck_bpf_emu_run(emu, &all[i], NULL);
			cr_assert_eq(want & SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO);
			if (errs[i] == (int)(want & SECCOMP_RET_DATA))
				continue;
			if (bad++ < 10)
				fprintf(stderr,
					"%s: nr %#x args %#llx %#llx %#llx: kernel errno %d, "
					"emulator ERRNO(%u)\n",
					rel, (uint32_t)all[i].nr,
					(unsigned long long)all[i].args[0],
					(unsigned long long)all[i].args[1],
					(unsigned long long)all[i].args[2], errs[i],
					want & SECCOMP_RET_DATA);
		}
		cr_log_info("%s: %zu probes in the kernel (x86_64 and x32), %zu actions, %zu "
			    "differ from the emulator",
			    rel, n, nacts, bad);
		cr_expect_eq(bad, 0, "%s: %zu of %zu probes", rel, bad, n);
	}
	sck_bpf_emu_free(emu);
	munmap(errs, n * sizeof(int));
	free(all);
	sck_filter_prog_free(p);
}

/* A filter for check_in_kernel on arches @a0 and @a1: default and bad-arch actions ERRNO. */
static struct sck_filter *probe_filter(unsigned int flags, const char *a0, const char *a1)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = SECCOMP_RET_ERRNO | DEF_ERRNO,
		 .bad_arch_action = SECCOMP_RET_ERRNO | (DEF_ERRNO + 1), .flags = flags);
	struct sck_filter *f = NULL;

	cr_assert_eq(sck_filter_new(&o, &f), 0);
	cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name(a0)), 0);
	cr_assert_eq(sck_filter_add_arch(f, sck_arch_from_name(a1)), 0);
	return f;
}

/* The child's way out (exit_group allowed), then check_in_kernel over @f's own rules; frees @f. */
static void probe_own_rules(const char *label, struct sck_filter *f, size_t nacts)
{
	struct sck_profile_arg_rule *rules = NULL;
	size_t nrules = 0;

	cr_assert_eq(sck_filter_add_rule(f, &(struct sck_rule){.name = "exit_group",
							       .action = SECCOMP_RET_ALLOW}),
		     0);
	cr_assert_eq(sck_profile_arg_rules_alloc(f, &rules, &nrules), 0);
	check_in_kernel(label, f, rules, nrules, nacts);
	free(rules);
	sck_filter_free(f);
}

static void kernel_profile(const char *rel)
{
	const char *path = sck_test_shared(rel);
	const struct sck_arch *arches[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x32")};
	struct sck_filter *pf = NULL, *f = NULL;
	struct sck_profile_arg_rule *rules = NULL;
	uint32_t acts[MAX_ACTS];
	size_t nrules = 0, nacts = 0;

	if (!path) {
		cr_skip_test("../shared/%s absent", rel);
		return;
	}
	if (sck_arch_native() != arches[0]) {
		cr_skip_test("not an x86_64 machine");
		return;
	}
	cr_assert_eq(sck_profile_parse_file(path, NULL, &pf, NULL, NULL), 0, "%s", rel);
	cr_assert_eq(sck_profile_arg_rules_alloc(pf, &rules, &nrules), 0);
	f = probe_filter(SCK_FILTER_OCI, "x86_64", "x32");
	for (size_t i = 0; i < nrules; i++) {
		const struct sck_profile_arg_rule *r = &rules[i];
		size_t a = 0;
		if (r->arch && r->arch != arches[0] && r->arch != arches[1])
			continue;
		while (a < nacts && acts[a] != r->action)
			a++;
		if (a == nacts) {
			cr_assert_lt(nacts, MAX_ACTS);
			acts[nacts++] = r->action;
		}
		struct sck_rule nr = {.name = r->name,
				      .nr = r->nr,
				      .arch = r->arch,
				      .action = SECCOMP_RET_ERRNO | (uint32_t)(DEF_ERRNO + 2 + a),
				      .conds = r->conds,
				      .nconds = r->nconds};
		cr_assert_eq(sck_filter_add_rule(f, &nr), 0);
	}
	/* the child's way out */
	cr_assert_eq(sck_filter_add_rule(f, &(struct sck_rule){.name = "exit_group",
							       .action = SECCOMP_RET_ALLOW}),
		     0);
	check_in_kernel(rel, f, rules, nrules, nacts);
	free(rules);
	sck_filter_free(f);
	sck_filter_free(pf);
}

Test(args_kernel, ioctl_sparse_10)
{
	kernel_profile("profiles/args/ioctl-sparse-10.json");
}
Test(args_kernel, ioctl_sparse_100)
{
	kernel_profile("profiles/args/ioctl-sparse-100.json");
}
Test(args_kernel, ioctl_sparse_1000, .timeout = 120)
{
	kernel_profile("profiles/args/ioctl-sparse-1000.json");
}
Test(args_kernel, ioctl_sparse_4000, .timeout = 300)
{
	kernel_profile("profiles/args/ioctl-sparse-4000.json");
}
Test(args_kernel, ioctl_clustered_300)
{
	kernel_profile("profiles/args/ioctl-clustered-300.json");
}
Test(args_kernel, systemd_like)
{
	kernel_profile("profiles/args/systemd-like.json");
}
Test(args_kernel, docker_default)
{
	kernel_profile("profiles/docker-default.json");
}

/*
 * Random argument decisions with several actions (ERRNO 101..105): EQ sets of 32- and 64-bit
 * values, a shared mask, single-bit masks, a bound split, two-argument rules, on ioctl, fcntl
 * and lseek, for x86_64 and x32. The seed is printed; SCK_TEST_SEED replays it.
 */
Test(args_kernel, random_multi_action_sets, .timeout = 120)
{
	uint64_t rng = sck_test_seed("args_kernel/random_multi_action_sets");
	static const char *const names[] = {"ioctl", "fcntl", "lseek"};

	if (sck_arch_native() != sck_arch_from_name("x86_64")) {
		cr_skip_test("not an x86_64 machine");
		return;
	}
	for (int set = 0; set < 12; set++) {
		struct sck_filter *f = probe_filter(set % 2 ? SCK_FILTER_OCI : 0, "x86_64", "x32");
		uint64_t mask = sck_test_rand(&rng) | 0x10;

		for (int i = 0; i < 120; i++) {
			uint64_t r = sck_test_rand(&rng);
			const char *name = names[r % 3];
			uint32_t act = SECCOMP_RET_ERRNO | (uint32_t)(101 + (r >> 8) % 5);
			struct sck_cond c[2] = {{.arg = 1, .op = SCK_CMP_EQ}};
			size_t nc = 1;
			switch ((r >> 16) % 5) {
			case 0: /* EQ set on arg 1, 32-bit values */
				c[0].value = (uint32_t)sck_test_rand(&rng) % 5000;
				break;
			case 1: /* 64-bit operands sharing a high word */
				c[0].value = 0x1234500000000ULL | (sck_test_rand(&rng) % 5000);
				break;
			case 2: /* a shared mask on arg 2 */
				c[0] = (struct sck_cond){.arg = 2,
							 .op = SCK_CMP_MASKED_EQ,
							 .mask = mask,
							 .value = sck_test_rand(&rng) & mask};
				break;
			case 3: /* single bits on arg 3, one verdict */
				c[0] = (struct sck_cond){.arg = 3,
							 .op = SCK_CMP_MASKED_EQ,
							 .mask = 1ULL << (r >> 24) % 40,
							 .value = 1ULL << (r >> 24) % 40};
				act = SECCOMP_RET_ERRNO | 105;
				break;
			default: /* two arguments: EQ on 0 and a bound on 4 */
				c[0] = (struct sck_cond){
					.arg = 0, .op = SCK_CMP_EQ, .value = r % 7};
				c[1] = (struct sck_cond){.arg = 4,
							 .op = (r >> 32) % 2 ? SCK_CMP_LT
									     : SCK_CMP_GE,
							 .value = (r >> 40) % 100};
				nc = 2;
				break;
			}
			struct sck_rule ru = {
				.name = name, .action = act, .conds = c, .nconds = nc};
			cr_assert_eq(sck_filter_add_rule(f, &ru), 0);
		}
		probe_own_rules("random set", f, 5);
	}
}

/*
 * socket(family, type, protocol) allowlists, every rule on all three arguments: their decisions
 * nest three deep, sit next to the tree's root, and search the later arguments without a zero
 * test first (docs/semantics.md). Two actions (ERRNO 101, 102) on x86_64 and x32. The seed is
 * printed; SCK_TEST_SEED replays it.
 */
Test(args_kernel, socket_triples, .timeout = 120)
{
	uint64_t rng = sck_test_seed("args_kernel/socket_triples");

	if (sck_arch_native() != sck_arch_from_name("x86_64")) {
		cr_skip_test("not an x86_64 machine");
		return;
	}
	for (int set = 0; set < 4; set++) {
		struct sck_filter *f = probe_filter(SCK_FILTER_OCI, "x86_64", "x32");
		uint64_t vals[3][40];
		size_t nv[3];

		for (size_t a = 0; a < 3; a++) {
			nv[a] = 1 + sck_test_rand(&rng) % 40;
			for (size_t k = 0; k < nv[a]; k++)
				vals[a][k] = sck_test_rand(&rng) % (a ? 70000 : 64);
		}
		for (int i = 0; i < 300; i++) {
			struct sck_cond c[3];
			for (unsigned int a = 0; a < 3; a++)
				c[a] = (struct sck_cond){
					.arg = a,
					.op = SCK_CMP_EQ,
					.value = vals[a][sck_test_rand(&rng) % nv[a]]};
			struct sck_rule ru = {.name = "socket",
					      .action = SECCOMP_RET_ERRNO |
							(uint32_t)(101 + (i % 7 == 0)),
					      .conds = c,
					      .nconds = 3};
			cr_assert_eq(sck_filter_add_rule(f, &ru), 0);
		}
		probe_own_rules("socket triples", f, 2);
	}
}

/*
 * A program that fits only with the copies of its sections merged: 4000 values on x86_64 and
 * x86, whose value searches are the same code; x86_64's paths then run through x86's copy. The
 * kernel must take the program and answer every probe as the emulator does.
 */
Test(args_kernel, merged_sections, .timeout = 300)
{
	uint64_t rng = sck_test_seed("args_kernel/merged_sections");
	struct sck_filter *f;

	if (sck_arch_native() != sck_arch_from_name("x86_64")) {
		cr_skip_test("not an x86_64 machine");
		return;
	}
	f = probe_filter(0, "x86_64", "x86");
	for (int i = 0; i < 4000; i++) {
		/* (the rare repeated value is the same rule again: harmless) */
		struct sck_cond c = {
			.arg = 1, .op = SCK_CMP_EQ, .value = (uint32_t)sck_test_rand(&rng)};
		struct sck_rule ru = {.name = "ioctl",
				      .action = SECCOMP_RET_ERRNO | (DEF_ERRNO + 2 + i % 2),
				      .conds = &c,
				      .nconds = 1};
		cr_assert_eq(sck_filter_add_rule(f, &ru), 0);
	}
	probe_own_rules("merged sections", f, 2);
}
