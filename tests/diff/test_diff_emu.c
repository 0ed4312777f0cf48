// SPDX-License-Identifier: MIT
/*
 * Emulator == kernel: random programs using every instruction class seccomp allows, stacked one
 * to four deep, run on random seccomp_data by the emulator and, for real, by the kernel (each case
 * in its own thread of a forked child, the syscall issued with a number that does not exist and
 * the random arguments). RET sites return distinct ERRNO values, plus every other action, RET A
 * and division by a zero X, so the outcome names the path taken. Seed printed; replay with
 * SCK_TEST_SEED; SCK_STRESS=1 runs a million cases over the four parts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_bpf.h"

#define CAP 512

static bool stress(void)
{
	const char *s = getenv("SCK_STRESS");

	return s && *s && strcmp(s, "0") != 0;
}

static size_t body_len(uint64_t *rng)
{
	uint64_t r = sck_test_rand(rng) % 100;

	if (r < 70)
		return 3 + sck_test_rand(rng) % 40;
	if (r < 96)
		return 40 + sck_test_rand(rng) % 100;
	return 200 + sck_test_rand(rng) % 300;
}

static void print_case(const struct sck_test_bpf_case *c)
{
	fprintf(stderr, "  nr %d args %#llx %#llx %#llx %#llx %#llx %#llx\n", c->data.nr,
		(unsigned long long)c->data.args[0], (unsigned long long)c->data.args[1],
		(unsigned long long)c->data.args[2], (unsigned long long)c->data.args[3],
		(unsigned long long)c->data.args[4], (unsigned long long)c->data.args[5]);
	for (size_t f = 0; f < c->n; f++)
		sck_test_bpf_print("  filter (installed in this order)", c->prog[f], c->len[f]);
}

static void emu_diff(const char *name, size_t total)
{
	const size_t chunk = 2048;
	uint64_t rng = sck_test_seed(name);
	struct sck_test_bpf_case *cases = calloc(chunk, sizeof(*cases));
	struct sck_test_outcome *want = calloc(chunk, sizeof(*want));
	struct sck_test_outcome *got = calloc(chunk, sizeof(*got));
	size_t kinds[8] = {0}, mismatches = 0, filters = 0;
	unsigned long long insns = 0;
	struct sock_filter tmp[CAP];

	cr_assert(cases && want && got);
	for (size_t done = 0; done < total;) {
		size_t n = total - done < chunk ? total - done : chunk;

		for (size_t i = 0; i < n; i++) {
			struct sck_test_bpf_case *c = &cases[i];
			const struct sck_bpf_emu *stack[4];
			struct sck_bpf_emu *emu[4];
			uint64_t r = sck_test_rand(&rng) % 100;
			unsigned site = 1;
			uint32_t raw, cnt;

			memset(c, 0, sizeof(*c));
			sck_test_bpf_data(&rng, &c->data);
			c->n = r < 75 ? 1 : r < 92 ? 2 : r < 98 ? 3 : 4;
			for (size_t f = 0; f < c->n; f++) {
				struct sock_filter *p;
				int rc;

				c->len[f] = sck_test_bpf_gen(&rng, &c->data, body_len(&rng), &site,
							     tmp, CAP);
				p = malloc(c->len[f] * sizeof(*p));
				cr_assert(p);
				memcpy(p, tmp, c->len[f] * sizeof(*p));
				c->prog[f] = p;
				rc = sck_bpf_emu_new(p, c->len[f], &emu[f]);
				if (rc < 0)
					sck_test_bpf_print("generated program refused", p,
							   c->len[f]);
				cr_assert_eq(rc, 0,
					     "the generator made a program sck_bpf_check refuses");
				stack[f] = emu[f];
			}
			raw = sck_bpf_emu_run_stack(stack, c->n, &c->data, &cnt);
			insns += cnt;
			filters += c->n;
			want[i] = sck_test_bpf_expect(sck_action_effective(raw));
			for (size_t f = 0; f < c->n; f++)
				sck_bpf_emu_free(emu[f]);
		}
		cr_assert_eq(sck_test_bpf_kernel_run(cases, n, got), 0);
		for (size_t i = 0; i < n; i++) {
			kinds[got[i].kind & 7]++;
			if (got[i].kind == want[i].kind && got[i].value == want[i].value)
				continue;
			if (mismatches++ < 5) {
				fprintf(stderr, "%s: case %zu: emulator says %s", name, done + i,
					sck_test_outcome_str(want[i]));
				fprintf(stderr, ", kernel did %s\n", sck_test_outcome_str(got[i]));
				print_case(&cases[i]);
			}
		}
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < cases[i].n; f++)
				free((void *)cases[i].prog[f]);
		done += n;
	}
	fprintf(stderr,
		"%s: %zu cases (%zu filters, %llu instructions emulated), %zu mismatches; kernel "
		"outcomes: errno %zu, returned %zu, trap %zu, thread killed %zu, process killed "
		"%zu, other %zu\n",
		name, total, filters, insns, mismatches, kinds[SCK_TEST_ERRNO], kinds[SCK_TEST_RET],
		kinds[SCK_TEST_TRAP], kinds[SCK_TEST_THREAD_DEAD], kinds[SCK_TEST_PROC_DEAD],
		kinds[SCK_TEST_INSTALL] + kinds[SCK_TEST_LOST]);
	free(cases);
	free(want);
	free(got);
	cr_assert_eq(mismatches, 0, "%zu of %zu cases differ from the kernel", mismatches, total);
}

/* Four parts so that criterion's parallel jobs share the work. */
/* Cases per part in `make check`; fewer under ASan, where every fork and thread costs more. */
#ifdef __SANITIZE_ADDRESS__
#define QUICK 300
#else
#define QUICK 1000
#endif

#define PART(n)                                                                                    \
	Test(diff_emu, part##n, .timeout = 3600)                                                   \
	{                                                                                          \
		emu_diff("diff_emu/part" #n, stress() ? 262144 : QUICK);                           \
	}
PART(1)
PART(2)
PART(3)
PART(4)
