// SPDX-License-Identifier: MIT
/*
 * Validator == kernel: valid random programs, mutated one to three times (opcodes, offsets near
 * seccomp_data's end and the ancillary range, shift counts and divisors near the limits, scratch
 * indexes, jumps near the end, scratch reads before writes, the last instruction), and now and
 * then programs near the 4096 limit, are offered to seccomp(2) in a thread of a forked child.
 * The kernel's verdict (installed or EINVAL) must equal sck_bpf_check's. Seed printed; replay with
 * SCK_TEST_SEED; SCK_STRESS=1 runs 200,000 programs over the four parts.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"
#include "sck_test.h"
#include "sck_test_bpf.h"

#define CAP (SCK_BPF_MAXINSNS + 2)

static bool stress(void)
{
	const char *s = getenv("SCK_STRESS");

	return s && *s && strcmp(s, "0") != 0;
}

static void check_diff(const char *name, size_t total)
{
	const size_t chunk = 2048;
	uint64_t rng = sck_test_seed(name);
	struct sck_test_bpf_case *cases = calloc(chunk, sizeof(*cases));
	struct sck_test_outcome *got = calloc(chunk, sizeof(*got));
	bool *ok = calloc(chunk, sizeof(*ok));
	struct sck_bpf_verdict *why = calloc(chunk, sizeof(*why));
	struct sock_filter *tmp = malloc(CAP * sizeof(*tmp));
	size_t mismatches = 0, accepted = 0, faults[16] = {0};

	cr_assert(cases && got && ok && why && tmp);
	for (size_t done = 0; done < total;) {
		size_t n = total - done < chunk ? total - done : chunk;

		for (size_t i = 0; i < n; i++) {
			struct sck_test_bpf_case *c = &cases[i];
			uint64_t r = sck_test_rand(&rng) % 1000;
			size_t body = 2 + sck_test_rand(&rng) % 60, len;
			unsigned site = 1;
			struct sock_filter *p;

			memset(c, 0, sizeof(*c));
			sck_test_bpf_data(&rng, &c->data);
			if (r < 4) /* near the length limit: 4094 .. 4098 in all */
				body = SCK_BPF_MAXINSNS - SCK_TEST_GUARD_LEN - 8 +
				       sck_test_rand(&rng) % 6;
			len = sck_test_bpf_gen(&rng, &c->data, body, &site, tmp, CAP);
			if (r >= 150) /* 15% stay valid */
				len = sck_test_bpf_mutate(&rng, tmp, len, CAP);
			p = malloc(len * sizeof(*p));
			cr_assert(p);
			memcpy(p, tmp, len * sizeof(*p));
			c->prog[0] = p;
			c->len[0] = len;
			c->n = 1;
			ok[i] = sck_bpf_check(p, len, &why[i]) == 0;
		}
		cr_assert_eq(sck_test_bpf_kernel_run(cases, n, got), 0);
		for (size_t i = 0; i < n; i++) {
			bool kernel_ok = got[i].kind != SCK_TEST_INSTALL;

			if (got[i].kind == SCK_TEST_INSTALL && got[i].value != EINVAL)
				kernel_ok = true; /* flagged below: only EINVAL is a refusal */
			accepted += ok[i];
			faults[ok[i] ? 0 : why[i].fault & 15]++;
			if (kernel_ok == ok[i] &&
			    !(got[i].kind == SCK_TEST_INSTALL && got[i].value != EINVAL))
				continue;
			if (mismatches++ < 5) {
				fprintf(stderr, "%s: program %zu: sck_bpf_check says %s", name,
					done + i, ok[i] ? "ok" : sck_bpf_fault_str(why[i].fault));
				if (!ok[i])
					fprintf(stderr, " at %zu", why[i].index);
				fprintf(stderr, ", kernel: %s\n", sck_test_outcome_str(got[i]));
				sck_test_bpf_print("  program", cases[i].prog[0], cases[i].len[0]);
			}
		}
		for (size_t i = 0; i < n; i++)
			free((void *)cases[i].prog[0]);
		done += n;
	}
	fprintf(stderr,
		"%s: %zu programs, %zu accepted, %zu mismatches; refusals by reason: opcode %zu, "
		"load %zu, jump %zu, no ret %zu, div zero %zu, shift %zu, mem index %zu, mem "
		"uninit %zu, too long %zu\n",
		name, total, accepted, mismatches, faults[SCK_BPF_FAULT_OPCODE],
		faults[SCK_BPF_FAULT_LOAD], faults[SCK_BPF_FAULT_JUMP],
		faults[SCK_BPF_FAULT_NO_RET], faults[SCK_BPF_FAULT_DIV_ZERO],
		faults[SCK_BPF_FAULT_SHIFT], faults[SCK_BPF_FAULT_MEM_INDEX],
		faults[SCK_BPF_FAULT_MEM_UNINIT], faults[SCK_BPF_FAULT_TOO_LONG]);
	free(cases);
	free(got);
	free(ok);
	free(why);
	free(tmp);
	cr_assert_eq(mismatches, 0, "%zu of %zu verdicts differ from the kernel", mismatches,
		     total);
}

/* Cases per part in `make check`; fewer under ASan, where every fork and thread costs more. */
#ifdef __SANITIZE_ADDRESS__
#define QUICK 300
#else
#define QUICK 1000
#endif

#define PART(n)                                                                                    \
	Test(diff_check, part##n, .timeout = 3600)                                                 \
	{                                                                                          \
		check_diff("diff_check/part" #n, stress() ? 50000 : QUICK);                        \
	}
PART(1)
PART(2)
PART(3)
PART(4)
