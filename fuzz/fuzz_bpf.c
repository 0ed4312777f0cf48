// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: raw bytes as a BPF program (8 bytes an instruction, as `sck check` reads a
 * file). The validator must not crash; a program it accepts must load into the emulator and run
 * to a RET on seccomp_data derived from the input (alone and stacked on itself), its action
 * cache must be computable, and the builder, fed the same instructions with labels, must give
 * the program back unchanged. Every valid program, and a quarter of the refused ones, is
 * disassembled and assembled back and must come back unchanged. A broken property is __builtin_trap().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The builder must reproduce a valid program exactly: its jumps are all within 255. */
static void rebuild(const struct sock_filter *p, size_t len)
{
	struct sck_bpf_builder *b = NULL;
	struct sock_filter *out = NULL;
	int *labels;
	size_t olen = 0;
	int rc;

	labels = calloc(len + 1, sizeof(*labels));
	if (!labels || sck_bpf_builder_new(&b) < 0)
		goto out;
	for (size_t i = 0; i <= len; i++) {
		labels[i] = sck_bpf_label(b, NULL);
		if (labels[i] < 0)
			goto out;
	}
	for (size_t i = 0; i < len; i++) {
		const struct sock_filter *f = &p[i];

		if (sck_bpf_bind(b, labels[i]) < 0)
			__builtin_trap();
		if (BPF_CLASS(f->code) != BPF_JMP) {
			rc = sck_bpf_stmt(b, f->code, f->k);
		} else if (BPF_OP(f->code) == BPF_JA) {
			/* the validator bounds the target: i + 1 + k < len */
			rc = sck_bpf_jump(b, f->code, 0, labels[i + 1 + f->k], SCK_BPF_NEXT);
		} else {
			rc = sck_bpf_jump(b, f->code, f->k, labels[i + 1 + f->jt],
					  labels[i + 1 + f->jf]);
		}
		if (rc == -ENOMEM)
			goto out;
		if (rc < 0)
			__builtin_trap();
	}
	rc = sck_bpf_builder_finish_alloc(b, &out, &olen);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0 || olen != len)
		__builtin_trap();
	for (size_t i = 0; i < len; i++) {
		/* jt/jf of BPF_JA and k of the other jumps are not the builder's to keep */
		if (out[i].code != p[i].code)
			__builtin_trap();
		if (BPF_CLASS(p[i].code) == BPF_JMP && BPF_OP(p[i].code) == BPF_JA) {
			if (out[i].k != p[i].k)
				__builtin_trap();
		} else if (BPF_CLASS(p[i].code) == BPF_JMP) {
			if (out[i].k != p[i].k || out[i].jt != p[i].jt || out[i].jf != p[i].jf)
				__builtin_trap();
		} else if (out[i].k != p[i].k) {
			__builtin_trap();
		}
	}
out:
	free(out);
	sck_bpf_builder_free(b);
	free(labels);
}

static void roundtrip(const struct sock_filter *p, size_t len)
{
	struct sock_filter *q = NULL;
	struct sck_diag diag;
	char *text = NULL;
	size_t qlen = 0;
	int rc;

	rc = sck_bpf_disasm_alloc(p, len, NULL, &text);
	if (rc == -ENOMEM)
		return;
	if (rc < 0)
		__builtin_trap();
	rc = sck_bpf_asm_alloc(text, NULL, &q, &qlen, &diag);
	if (rc != -ENOMEM && (rc < 0 || qlen != len || memcmp(p, q, len * sizeof(*p)) != 0))
		__builtin_trap();
	free(q);
	free(text);
	text = NULL;
	if (sck_bpf_dot_alloc(p, len, NULL, &text) < 0 && text)
		__builtin_trap();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sck_arch *arches[] = {sck_arch_from_name("x86_64"), sck_arch_from_name("x32"),
					   sck_arch_from_name("i386"),
					   sck_arch_from_name("aarch64")};
	struct sck_bpf_verdict why;
	struct sck_bpf_emu *emu = NULL;
	struct sock_filter *p;
	size_t len = size / sizeof(struct sock_filter);
	uint64_t seed = 0x5eed;
	uint8_t bitmap[16];
	int rc;

	if (len > SCK_BPF_MAXINSNS + 2)
		return 0;
	p = malloc(len ? len * sizeof(*p) : 1);
	if (!p)
		return 0;
	memcpy(p, data, len * sizeof(*p));
	for (size_t i = 0; i < size; i++)
		seed = seed * 31 + data[i];

	rc = sck_bpf_check(p, len, &why);
	if (rc < 0) {
		if (rc != -EINVAL || why.fault == SCK_BPF_FAULT_NONE)
			__builtin_trap();
		if (sck_bpf_emu_new(p, len, &emu) != -EINVAL || emu)
			__builtin_trap();
		/* a quarter of the refused programs, picked by the input's hash: the text round
		 * trip costs three quarters of a run, and most random inputs are refused */
		if (len > 0 && len <= SCK_BPF_MAXINSNS && seed % 4 == 0)
			roundtrip(p, len);
		free(p);
		return 0;
	}
	if (len == 0 || len > SCK_BPF_MAXINSNS)
		__builtin_trap();
	rc = sck_bpf_emu_new(p, len, &emu);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0)
		__builtin_trap();
	for (int i = 0; i < 8; i++) {
		const struct sck_bpf_emu *stack[2] = {emu, emu};
		const struct sck_arch *a = arches[mix(&seed) % 4];
		struct seccomp_data d;
		uint32_t n1 = 0, n2 = 0, r1, r2;

		memset(&d, 0, sizeof(d));
		d.nr = (int)(i < 4 ? mix(&seed) % 512 : mix(&seed));
		d.arch = i == 7 ? (uint32_t)mix(&seed) : (a ? a->audit_arch : 0);
		d.instruction_pointer = mix(&seed);
		for (int j = 0; j < 6; j++)
			d.args[j] = mix(&seed) >> (mix(&seed) % 64);
		r1 = sck_bpf_emu_run(emu, &d, &n1);
		if (n1 == 0 || n1 > len)
			__builtin_trap();
		/* the same filter twice: the same action (a stack drops ALLOW's data) */
		r2 = sck_bpf_emu_run_stack(stack, 2, &d, &n2);
		if (n2 != 2 * n1)
			__builtin_trap();
		if ((r1 & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW
			    ? r2 != SECCOMP_RET_ALLOW
			    : sck_action_effective(r2) != sck_action_effective(r1))
			__builtin_trap();
	}
	if (arches[seed % 4] && sck_bpf_cache_bitmap(p, len, arches[seed % 4], bitmap, 128) < 0)
		__builtin_trap();
	rebuild(p, len);
	roundtrip(p, len);
out:
	sck_bpf_emu_free(emu);
	free(p);
	return 0;
}
