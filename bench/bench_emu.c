// SPDX-License-Identifier: MIT
/*
 * Emulator speed: evaluations and instructions per second on Docker's profile compiled by sck
 * (every x86_64 syscall number in turn, when ../shared is there), and on a 1000-instruction
 * program (an arch check, then a chain of syscall compares with argument checks, the shape a
 * compiled allow-list has), for calls that run the whole chain and for a mix of syscall numbers.
 * libseccomp has no emulator in its library API, so there is nothing of its to set beside these
 * figures; the numbers are reported, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sck.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ~1000 instructions: for each of 165 syscall numbers, "nr == n and (args[0] & 1) == 0". */
static int build(struct sock_filter **prog, size_t *len)
{
	struct sck_bpf_builder *b;
	int kill, allow, rc;

	if (sck_bpf_builder_new(&b) < 0)
		return -1;
	kill = sck_bpf_label(b, "kill");
	allow = sck_bpf_label(b, "allow");
	sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 4);
	sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, sck_arch_native()->audit_arch, SCK_BPF_NEXT,
		     kill);
	for (uint32_t n = 0; n < 165; n++) {
		int next = sck_bpf_label(b, NULL);

		sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 0);
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 2 * n + 1, SCK_BPF_NEXT, next);
		sck_bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, 16);
		sck_bpf_stmt(b, BPF_ALU | BPF_AND | BPF_K, 1);
		sck_bpf_jump(b, BPF_JMP | BPF_JEQ | BPF_K, 0, allow, SCK_BPF_NEXT);
		sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1);
		sck_bpf_bind(b, next);
	}
	sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 38);
	sck_bpf_bind(b, allow);
	sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	sck_bpf_bind(b, kill);
	sck_bpf_stmt(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	rc = sck_bpf_builder_finish_alloc(b, prog, len);
	sck_bpf_builder_free(b);
	return rc;
}

static void measure(const char *what, const struct sck_bpf_emu *emu, struct seccomp_data *d,
		    size_t nd)
{
	unsigned long long insns = 0, evals = 0;
	volatile uint32_t sink = 0;
	double t0 = now(), t;

	do {
		for (int rep = 0; rep < 1000; rep++) {
			uint32_t cnt;

			sink ^= sck_bpf_emu_run(emu, &d[evals % nd], &cnt);
			insns += cnt;
			evals++;
		}
		t = now() - t0;
	} while (t < 1.0);
	printf("%-34s %12.0f evaluations/s %8.1f instructions/evaluation %7.1f M instructions/s\n",
	       what, (double)evals / t, (double)insns / (double)evals, (double)insns / t / 1e6);
	(void)sink;
}

/* Docker's profile for x86_64 (with x86 and x32, as Docker's archMap has it), every number. */
static void measure_docker(void)
{
	static const char rel[] = "/profiles/docker-default.json";
	char path[4096];
	const struct sck_arch *const arches[] = {sck_arch_from_name("x86_64"),
						 sck_arch_from_name("x86"),
						 sck_arch_from_name("x32"), NULL};
	struct sck_filter *f = NULL;
	struct sck_filter_prog *p = NULL;
	struct sck_bpf_emu *emu = NULL;
	const struct sock_filter *insns;
	struct seccomp_data *d = NULL;
	size_t len, nd;

	snprintf(path, sizeof(path), "%s%s", SCK_TEST_SHARED_DIR, rel);
	SCK_OPTS(sck_profile_opts, o, .arches = arches, .narches = 3);
	if (sck_profile_parse_file(path, &o, &f, NULL, NULL) < 0) {
		printf("%-34s skipped (no %s)\n", "Docker's profile", path);
		return;
	}
	if (sck_filter_compile(f, NULL, &p) < 0)
		goto out;
	insns = sck_filter_prog_insns(p, &len);
	if (sck_bpf_emu_new(insns, len, &emu) < 0)
		goto out;
	nd = (size_t)sck_syscall_max(arches[0]) + 1;
	d = calloc(nd, sizeof(*d));
	if (!d)
		goto out;
	for (size_t i = 0; i < nd; i++) {
		d[i].arch = arches[0]->audit_arch;
		d[i].nr = (int)i;
	}
	printf("Docker's profile compiled by sck: %zu instructions\n", len);
	measure("Docker, x86_64 numbers 0..max", emu, d, nd);
out:
	free(d);
	sck_bpf_emu_free(emu);
	sck_filter_prog_free(p);
	sck_filter_free(f);
}

int main(void)
{
	struct sock_filter *prog;
	struct sck_bpf_emu *emu;
	struct seccomp_data d[512];
	size_t len;

	if (build(&prog, &len) < 0 || sck_bpf_emu_new(prog, len, &emu) < 0) {
		fprintf(stderr, "bench_emu: could not build the program\n");
		return 1;
	}
	measure_docker();
	printf("bench_emu: program of %zu instructions (libseccomp has no emulator to compare)\n",
	       len);
	memset(d, 0, sizeof(d));
	for (size_t i = 0; i < 512; i++) {
		d[i].arch = sck_arch_native()->audit_arch;
		d[i].nr = 1000; /* in no compare: the whole chain */
		d[i].args[0] = i;
	}
	measure("whole chain (nr not listed)", emu, d, 512);
	srand(1);
	for (size_t i = 0; i < 512; i++)
		d[i].nr = rand() % 340;
	measure("mixed syscall numbers 0..339", emu, d, 512);
	sck_bpf_emu_free(emu);
	free(prog);

	/* 1000 instructions, all executed: loads, ALU, scratch memory, not-taken compares. */
	struct sock_filter line[1000];

	for (size_t i = 0; i < 999; i++) {
		switch (i % 5) {
		case 0:
			line[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							       16 + 4 * (uint32_t)(i % 12));
			break;
		case 1:
			line[i] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 3);
			break;
		case 2:
			line[i] = (struct sock_filter)BPF_STMT(BPF_ST, (uint32_t)(i % 16));
			break;
		case 3:
			line[i] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0);
			break;
		default:
			line[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xfffffff,
							       0, 0);
			break;
		}
	}
	line[999] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	if (sck_bpf_emu_new(line, 1000, &emu) < 0) {
		fprintf(stderr, "bench_emu: could not prepare the straight-line program\n");
		return 1;
	}
	measure("straight line, 1000 executed", emu, d, 512);
	sck_bpf_emu_free(emu);
	return 0;
}
