// SPDX-License-Identifier: MIT
/*
 * Argument decisions against libseccomp (issue 12), on the argument-heavy profiles of
 * ../shared/profiles/args/ and Docker's: each is compiled by sck (sck_profile_parse +
 * sck_filter_compile) and, independently, by libseccomp -O2 as runc drives it
 * (tests/lib/sck_test_lsc.c); both programs run in sck's emulator at the argument probes
 * (cli/probes.h) of every syscall with argument rules, on every arch of the profile.
 * diff_args: the effective verdicts are equal. args_goals: the numbers, asserted on the
 * emulator's instruction counts (deterministic, unlike timings): every profile compiles; the max
 * over the probes stays under each profile's goal; the mean is never above libseccomp's; and
 * where libseccomp's max exceeds 100, sck's is at most a twentieth of it (or 32).
 * Skipped when ../shared is absent.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes.h"
#include "sck.h"
#include "sck_test.h"
#include "sck_test_lsc.h"

/* Returns false (and skips the test) when ../shared lacks @rel (tests/...: the source tree's). */
static bool build(const char *rel, struct sck_test_lsc_pair *b)
{
	const char *path = rel[0] == '/'		    ? rel
			   : strncmp(rel, "tests/", 6) == 0 ? sck_test_src(rel)
							    : sck_test_shared(rel);

	memset(b, 0, sizeof(*b));
	if (!path) {
		cr_skip_test("../shared/%s absent", rel);
		return false;
	}
	cr_assert_eq(sck_test_lsc_pair_load(path, b), 0, "%s unreadable", path);
	cr_assert_eq(b->parse_rc, 0, "%s", rel);
	cr_assert_eq(b->rules_rc, 0);
	cr_assert_eq(b->read_rc, 0);
	return true;
}

/* ---- diff_args: verdicts at the probes ---- */

static void diff_profile(const char *rel)
{
	struct sck_test_lsc_pair b;
	struct sck_bpf_emu *se, *le;
	const struct sock_filter *sp;
	size_t slen, probes = 0, diffs = 0;

	if (!build(rel, &b))
		return;
	cr_assert_eq(b.sck_rc, 0, "%s: sck refused it (%d)", rel, b.sck_rc);
	cr_assert_eq(b.lsc_rc, 0, "%s: libseccomp refused it (%d)", rel, b.lsc_rc);
	sp = sck_filter_prog_insns(b.p, &slen);
	cr_assert_eq(sck_bpf_emu_new(sp, slen, &se), 0);
	cr_assert_eq(sck_bpf_emu_new(b.l, b.llen, &le), 0);
	for (size_t i = 0; i < b.narch; i++) {
		struct sck_probe_set ps;
		cr_assert_eq(sck_probes_build(b.rules, b.nrules, b.arches[i], &ps), 0);
		for (size_t k = 0; k < ps.nsys; k++) {
			const struct sck_probe_sys *y = &ps.sys[k];
			for (size_t q = 0; q < y->nprobes; q++) {
				uint32_t x = sck_bpf_emu_run(se, &y->probes[q], NULL),
					 z = sck_bpf_emu_run(le, &y->probes[q], NULL);
				probes++;
				if (sck_action_effective(x) == sck_action_effective(z) ||
				    !sck_test_lsc_knows(b.arches[i], y->name))
					continue;
				if (diffs++ < 10)
					fprintf(stderr,
						"%s %s %s args %#llx %#llx %#llx %#llx: sck %#x "
						"libseccomp %#x\n",
						rel, b.arches[i]->name, y->name ? y->name : "?",
						(unsigned long long)y->probes[q].args[0],
						(unsigned long long)y->probes[q].args[1],
						(unsigned long long)y->probes[q].args[2],
						(unsigned long long)y->probes[q].args[3], x, z);
			}
		}
		sck_probes_fini(&ps);
	}
	cr_log_info("%s: %zu argument probes, %zu verdict differences", rel, probes, diffs);
	cr_expect_gt(probes, 0);
	cr_expect_eq(diffs, 0, "%s: %zu of %zu probes differ from libseccomp", rel, diffs, probes);
	sck_bpf_emu_free(se);
	sck_bpf_emu_free(le);
	sck_test_lsc_pair_free(&b);
}

Test(diff_args, ioctl_sparse_10)
{
	diff_profile("profiles/args/ioctl-sparse-10.json");
}
Test(diff_args, ioctl_sparse_100)
{
	diff_profile("profiles/args/ioctl-sparse-100.json");
}
Test(diff_args, ioctl_sparse_1000, .timeout = 120)
{
	diff_profile("profiles/args/ioctl-sparse-1000.json");
}
Test(diff_args, ioctl_sparse_4000, .timeout = 300)
{
	diff_profile("profiles/args/ioctl-sparse-4000.json");
}
Test(diff_args, ioctl_clustered_300)
{
	diff_profile("profiles/args/ioctl-clustered-300.json");
}
Test(diff_args, systemd_like)
{
	diff_profile("profiles/args/systemd-like.json");
}
Test(diff_args, docker_default)
{
	diff_profile("profiles/docker-default.json");
}

/* ---- args_goals: instructions executed over the probes ---- */

/*
 * @rel compiles; on every arch the max over the argument probes is at most @goal (0: no goal
 * of its own); the mean is
 * at most libseccomp's; where libseccomp's max exceeds 100, sck's is at most max(its / 20, 32).
 * Every failed goal is reported (expect), with the figures.
 */
static void goals(const char *rel, uint32_t goal)
{
	struct sck_test_lsc_pair b;
	struct sck_bpf_emu *se = NULL, *le = NULL;
	const struct sock_filter *sp;
	size_t slen;

	if (!build(rel, &b))
		return;
	cr_assert_eq(b.lsc_rc, 0, "%s: libseccomp refused it (%d)", rel, b.lsc_rc);
	cr_assert_eq(sck_bpf_emu_new(b.l, b.llen, &le), 0);
	cr_assert_eq(b.sck_rc, 0, "%s: sck refused it (%d; libseccomp -O2: %zu instructions)", rel,
		     b.sck_rc, b.llen);
	sp = sck_filter_prog_insns(b.p, &slen);
	cr_assert_eq(sck_bpf_emu_new(sp, slen, &se), 0);
	for (size_t i = 0; i < b.narch; i++) {
		const char *an = b.arches[i]->name;
		struct sck_probe_set ps;
		double ssum = 0, lsum = 0, smean, lmean;
		uint32_t smax = 0, lmax = 0;

		cr_assert_eq(sck_probes_build(b.rules, b.nrules, b.arches[i], &ps), 0);
		cr_assert_gt(ps.total, 0, "%s %s: no probes", rel, an);
		for (size_t k = 0; k < ps.nsys; k++) {
			struct sck_probe_cost sc, lc;
			sck_probes_cost(se, ps.sys[k].probes, ps.sys[k].nprobes, &sc);
			sck_probes_cost(le, ps.sys[k].probes, ps.sys[k].nprobes, &lc);
			ssum += sc.mean * (double)sc.n;
			lsum += lc.mean * (double)lc.n;
			smax = sc.max > smax ? sc.max : smax;
			lmax = lc.max > lmax ? lc.max : lmax;
		}
		smean = ssum / (double)ps.total;
		lmean = lsum / (double)ps.total;
		cr_log_info("%s %s: %zu probes; sck mean %.2f max %u (length %zu), libseccomp -O2 "
			    "mean %.2f max %u (length %zu)",
			    rel, an, ps.total, smean, smax, slen, lmean, lmax, b.llen);
		if (goal)
			cr_expect_leq(
				smax, goal,
				"%s %s: max %u instructions over the argument probes, goal %u", rel,
				an, smax, goal);
		cr_expect_leq(smean, lmean, "%s %s: mean %.2f above libseccomp's %.2f", rel, an,
			      smean, lmean);
		cr_expect_leq(smax, lmax, "%s %s: max %u above libseccomp's %u", rel, an, smax,
			      lmax);
		if (lmax > 100) {
			uint32_t cap = lmax / 20 > 32 ? lmax / 20 : 32;
			cr_expect_leq(smax, cap,
				      "%s %s: max %u, over max(libseccomp's %u / 20, 32)", rel, an,
				      smax, lmax);
		}
		sck_probes_fini(&ps);
	}
	sck_bpf_emu_free(se);
	sck_bpf_emu_free(le);
	sck_test_lsc_pair_free(&b);
}

/*
 * A small profile (12 syscalls allowed, madvise and prctl with bound checks, x86): counted by
 * numbers alone, prctl sat among the single-number exceptions one compare deeper than
 * libseccomp's search over the filter's syscalls puts it (x86 mean 13.10 against 12.81).
 */
Test(args_goals, small_profile_argument_syscalls_not_deeper)
{
	goals("tests/data/args-small-x86.json", 0);
}

Test(args_goals, ioctl_sparse_10)
{
	goals("profiles/args/ioctl-sparse-10.json", 25);
}
Test(args_goals, ioctl_sparse_100)
{
	goals("profiles/args/ioctl-sparse-100.json", 24);
}
Test(args_goals, ioctl_sparse_1000, .timeout = 120)
{
	goals("profiles/args/ioctl-sparse-1000.json", 28);
}
Test(args_goals, ioctl_sparse_4000, .timeout = 300)
{
	goals("profiles/args/ioctl-sparse-4000.json", 200);
}
Test(args_goals, ioctl_clustered_300)
{
	goals("profiles/args/ioctl-clustered-300.json", 24);
}
Test(args_goals, systemd_like)
{
	goals("profiles/args/systemd-like.json", 40);
}
/* Docker's: no goal of its own at the probes (its figures over every syscall number are
 * tests/unit/test_profile.c's), but never worse than libseccomp */
Test(args_goals, docker_default)
{
	goals("profiles/docker-default.json", 0);
}

/*
 * socket(family, type, protocol) allowlists: every rule tests the three arguments, as a
 * sandbox's list of the sockets it opens does. Under libseccomp's chains of three compares per
 * rule the longest paths run past 100 instructions; sck's must stay within 32. Before its
 * leaf sat near the tree's root and before later arguments lost their zero-first test, 22 of
 * 80 such profiles ran 33 to 35. A fixed set of profiles (SCK_TEST_SEED replaces its seed).
 */
static uint64_t pick_value(uint64_t *st)
{
	uint64_t r = sck_test_rand(st);

	switch (r % 3) {
	case 0:
		return (r >> 8) & 0xffffffffu;
	case 1:
		return (r >> 8) % 64;
	default:
		return (r >> 8) & 0xffffu;
	}
}

static void write_triples(const char *path, uint64_t *st)
{
	uint64_t vals[3][60], rules[400][3];
	size_t nv[3], n = 0, want;
	FILE *f = fopen(path, "w");

	cr_assert(f, "%s", path);
	nv[0] = 2 + sck_test_rand(st) % 58;
	nv[1] = 1 + sck_test_rand(st) % 29;
	nv[2] = 1 + sck_test_rand(st) % 29;
	for (size_t a = 0; a < 3; a++)
		for (size_t k = 0; k < nv[a]; k++)
			vals[a][k] = pick_value(st);
	want = 30 + sck_test_rand(st) % 370;
	for (size_t tries = 0; n < want && tries < 20000; tries++) {
		uint64_t c[3];
		bool dup = false;
		for (size_t a = 0; a < 3; a++)
			c[a] = vals[a][sck_test_rand(st) % nv[a]];
		for (size_t q = 0; q < n && !dup; q++)
			dup = !memcmp(rules[q], c, sizeof(c));
		if (!dup)
			memcpy(rules[n++], c, sizeof(c));
	}
	fprintf(f, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
		   "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"read\", \"write\", "
		   "\"close\", \"exit_group\", \"futex\", \"mmap\", \"munmap\", \"brk\", "
		   "\"rt_sigreturn\", \"openat\", \"fstat\", \"getpid\"], \"action\": "
		   "\"SCMP_ACT_ALLOW\"}");
	for (size_t q = 0; q < n; q++) {
		fprintf(f,
			", {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [");
		for (size_t a = 0; a < 3; a++)
			fprintf(f, "%s{\"index\": %zu, \"value\": %llu, \"op\": \"SCMP_CMP_EQ\"}",
				a ? ", " : "", a, (unsigned long long)rules[q][a]);
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
	cr_assert_eq(fclose(f), 0);
}

Test(args_goals, socket_triples_within_32, .timeout = 120)
{
	const char *env = getenv("SCK_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x50c3e7, st = seed;
	char path[512];

	fprintf(stderr, "args_goals/socket_triples_within_32: SCK_TEST_SEED=%llu\n",
		(unsigned long long)seed);
	snprintf(path, sizeof(path), "%s/triples.json", sck_test_tmpdir());
	for (int i = 0; i < 24; i++) {
		write_triples(path, &st);
		goals(path, 0);
	}
	unlink(path);
}
