// SPDX-License-Identifier: MIT
/*
 * The kernel's seccomp action cache (Linux 5.11+, kernel/seccomp.c): when a filter is attached,
 * the kernel runs a tiny abstract interpreter over it for every syscall number of the native (and
 * compat) arch, knowing only nr and arch. If every instruction on the way is one it can follow
 * with those two values alone and the path ends in RET exactly SECCOMP_RET_ALLOW, the number is
 * marked always-allowed and the filter is skipped for it from then on. This file reproduces that
 * predicate so that a compiled filter's cache coverage can be measured without a kernel.
 */
#include "sck/bpf.h"
#include "bpf_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/*
 * The kernel's rules: a load of nr or arch gives a known value, any other load does not; JA and
 * the four K compares are followed; AND with K is folded; RET K must be exactly ALLOW (ALLOW with
 * data does not count). Anything else (X, other ALU, scratch memory, RET A, LEN) gives up.
 */
static bool const_allow(const struct sock_filter *prog, size_t len, uint32_t nr, uint32_t arch)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		bool res;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k == offsetof(struct seccomp_data, nr))
				a = nr;
			else if (f->k == offsetof(struct seccomp_data, arch))
				a = arch;
			else
				return false;
			break;
		case BPF_RET | BPF_K:
			return f->k == SECCOMP_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				res = a == f->k;
				break;
			case BPF_JGE:
				res = a >= f->k;
				break;
			case BPF_JGT:
				res = a > f->k;
				break;
			default:
				res = (a & f->k) != 0;
				break;
			}
			pc += res ? f->jt : f->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		default:
			return false;
		}
	}
	return false; /* fell off the end: impossible for a validated program */
}

int sck_bpf_cache_bitmap(const struct sock_filter *prog, size_t len, const struct sck_arch *arch,
			 uint8_t *bitmap, size_t nbits)
{
	int count = 0;

	if (!prog || !arch || (!bitmap && nbits > 0) || nbits > (size_t)0x7fffffff)
		return -EINVAL;
	if (sck_bpf_check(prog, len, NULL) < 0)
		return -EINVAL;
	if (nbits == 0)
		return 0;
	memset(bitmap, 0, (nbits + 7) / 8);
	for (size_t nr = 0; nr < nbits; nr++) {
		if (const_allow(prog, len, (uint32_t)nr, arch->audit_arch)) {
			bitmap[nr / 8] |= (uint8_t)(1u << (nr % 8));
			count++;
		}
	}
	return count;
}
