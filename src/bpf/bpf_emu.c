// SPDX-License-Identifier: MIT
/*
 * The emulator: runs a validated seccomp program on a struct seccomp_data exactly as the kernel
 * runs it once it has converted the classic program to eBPF, and evaluates stacks of programs
 * with the kernel's precedence. A program is decoded once (sck_bpf_emu_new) into a dense opcode
 * form so that each run is one tight switch loop; nothing is checked at run time, because the
 * validator has already proved every jump, index and load in range.
 */
#include "sck/bpf.h"
#include "bpf_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Dense opcodes, so that the run loop's switch is a jump table. */
enum op {
	OP_LD_ABS,
	OP_LD_IMM,
	OP_LDX_IMM,
	OP_LD_MEM,
	OP_LDX_MEM,
	OP_ST,
	OP_STX,
	OP_TAX,
	OP_TXA,
	OP_ADD_K,
	OP_ADD_X,
	OP_SUB_K,
	OP_SUB_X,
	OP_MUL_K,
	OP_MUL_X,
	OP_DIV_K,
	OP_DIV_X,
	OP_AND_K,
	OP_AND_X,
	OP_OR_K,
	OP_OR_X,
	OP_XOR_K,
	OP_XOR_X,
	OP_LSH_K,
	OP_LSH_X,
	OP_RSH_K,
	OP_RSH_X,
	OP_NEG,
	OP_JA,
	OP_JEQ_K,
	OP_JEQ_X,
	OP_JGE_K,
	OP_JGE_X,
	OP_JGT_K,
	OP_JGT_X,
	OP_JSET_K,
	OP_JSET_X,
	OP_RET_K,
	OP_RET_A,
};

struct op_insn {
	uint8_t op;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

struct sck_bpf_emu {
	size_t len;
	struct op_insn insn[];
};

static int decode(const struct sock_filter *f, struct op_insn *o)
{
	o->jt = f->jt;
	o->jf = f->jf;
	o->k = f->k;
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		o->op = OP_LD_ABS;
		break;
	/* seccomp rewrites the length loads into constants: the "packet" is a seccomp_data. */
	case BPF_LD | BPF_W | BPF_LEN:
		o->op = OP_LD_IMM;
		o->k = sizeof(struct seccomp_data);
		break;
	case BPF_LDX | BPF_W | BPF_LEN:
		o->op = OP_LDX_IMM;
		o->k = sizeof(struct seccomp_data);
		break;
	case BPF_LD | BPF_IMM:
		o->op = OP_LD_IMM;
		break;
	case BPF_LDX | BPF_IMM:
		o->op = OP_LDX_IMM;
		break;
	case BPF_LD | BPF_MEM:
		o->op = OP_LD_MEM;
		break;
	case BPF_LDX | BPF_MEM:
		o->op = OP_LDX_MEM;
		break;
	case BPF_ST:
		o->op = OP_ST;
		break;
	case BPF_STX:
		o->op = OP_STX;
		break;
	case BPF_MISC | BPF_TAX:
		o->op = OP_TAX;
		break;
	case BPF_MISC | BPF_TXA:
		o->op = OP_TXA;
		break;
	case BPF_ALU | BPF_ADD | BPF_K:
		o->op = OP_ADD_K;
		break;
	case BPF_ALU | BPF_ADD | BPF_X:
		o->op = OP_ADD_X;
		break;
	case BPF_ALU | BPF_SUB | BPF_K:
		o->op = OP_SUB_K;
		break;
	case BPF_ALU | BPF_SUB | BPF_X:
		o->op = OP_SUB_X;
		break;
	case BPF_ALU | BPF_MUL | BPF_K:
		o->op = OP_MUL_K;
		break;
	case BPF_ALU | BPF_MUL | BPF_X:
		o->op = OP_MUL_X;
		break;
	case BPF_ALU | BPF_DIV | BPF_K:
		o->op = OP_DIV_K;
		break;
	case BPF_ALU | BPF_DIV | BPF_X:
		o->op = OP_DIV_X;
		break;
	case BPF_ALU | BPF_AND | BPF_K:
		o->op = OP_AND_K;
		break;
	case BPF_ALU | BPF_AND | BPF_X:
		o->op = OP_AND_X;
		break;
	case BPF_ALU | BPF_OR | BPF_K:
		o->op = OP_OR_K;
		break;
	case BPF_ALU | BPF_OR | BPF_X:
		o->op = OP_OR_X;
		break;
	case BPF_ALU | BPF_XOR | BPF_K:
		o->op = OP_XOR_K;
		break;
	case BPF_ALU | BPF_XOR | BPF_X:
		o->op = OP_XOR_X;
		break;
	case BPF_ALU | BPF_LSH | BPF_K:
		o->op = OP_LSH_K;
		break;
	case BPF_ALU | BPF_LSH | BPF_X:
		o->op = OP_LSH_X;
		break;
	case BPF_ALU | BPF_RSH | BPF_K:
		o->op = OP_RSH_K;
		break;
	case BPF_ALU | BPF_RSH | BPF_X:
		o->op = OP_RSH_X;
		break;
	case BPF_ALU | BPF_NEG:
		o->op = OP_NEG;
		break;
	case BPF_JMP | BPF_JA:
		o->op = OP_JA;
		break;
	case BPF_JMP | BPF_JEQ | BPF_K:
		o->op = OP_JEQ_K;
		break;
	case BPF_JMP | BPF_JEQ | BPF_X:
		o->op = OP_JEQ_X;
		break;
	case BPF_JMP | BPF_JGE | BPF_K:
		o->op = OP_JGE_K;
		break;
	case BPF_JMP | BPF_JGE | BPF_X:
		o->op = OP_JGE_X;
		break;
	case BPF_JMP | BPF_JGT | BPF_K:
		o->op = OP_JGT_K;
		break;
	case BPF_JMP | BPF_JGT | BPF_X:
		o->op = OP_JGT_X;
		break;
	case BPF_JMP | BPF_JSET | BPF_K:
		o->op = OP_JSET_K;
		break;
	case BPF_JMP | BPF_JSET | BPF_X:
		o->op = OP_JSET_X;
		break;
	case BPF_RET | BPF_K:
		o->op = OP_RET_K;
		break;
	case BPF_RET | BPF_A:
		o->op = OP_RET_A;
		break;
	default:
		return -EINVAL; /* unreachable after sck_bpf_check */
	}
	return 0;
}

int sck_bpf_emu_new(const struct sock_filter *prog, size_t len, struct sck_bpf_emu **out)
{
	struct sck_bpf_emu *emu;
	int rc;

	if (!out)
		return -EINVAL;
	rc = sck_bpf_check(prog, len, NULL);
	if (rc < 0)
		return rc;
	emu = malloc(sizeof(*emu) + len * sizeof(emu->insn[0]));
	if (!emu)
		return -ENOMEM;
	emu->len = len;
	for (size_t i = 0; i < len; i++) {
		rc = decode(&prog[i], &emu->insn[i]);
		if (rc < 0) {
			free(emu);
			return rc;
		}
	}
	*out = emu;
	return 0;
}

void sck_bpf_emu_free(struct sck_bpf_emu *emu)
{
	free(emu);
}

static inline uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)d + off, sizeof(v));
	return v;
}

/*
 * The run loop, shared by sck_bpf_emu_run (@path NULL: inlined away) and sck_bpf_emu_run_path,
 * which records the index of every instruction executed.
 */
static inline __attribute__((always_inline)) uint32_t run(const struct sck_bpf_emu *emu,
							  const struct seccomp_data *data,
							  uint32_t *executed, uint16_t *path,
							  size_t cap)
{
	const struct op_insn *insn = emu->insn;
	uint32_t mem[BPF_MEMWORDS];
	uint32_t a = 0, x = 0, n = 0, ret;
	size_t pc = 0;

	for (;;) {
		const struct op_insn *i = &insn[pc];

		if (path && n < cap)
			path[n] = (uint16_t)pc;
		pc++;
		n++;
		switch (i->op) {
		case OP_LD_ABS:
			a = load_word(data, i->k);
			break;
		case OP_LD_IMM:
			a = i->k;
			break;
		case OP_LDX_IMM:
			x = i->k;
			break;
		case OP_LD_MEM:
			a = mem[i->k];
			break;
		case OP_LDX_MEM:
			x = mem[i->k];
			break;
		case OP_ST:
			mem[i->k] = a;
			break;
		case OP_STX:
			mem[i->k] = x;
			break;
		case OP_TAX:
			x = a;
			break;
		case OP_TXA:
			a = x;
			break;
		case OP_ADD_K:
			a += i->k;
			break;
		case OP_ADD_X:
			a += x;
			break;
		case OP_SUB_K:
			a -= i->k;
			break;
		case OP_SUB_X:
			a -= x;
			break;
		case OP_MUL_K:
			a *= i->k;
			break;
		case OP_MUL_X:
			a *= x;
			break;
		case OP_DIV_K:
			a /= i->k;
			break;
		case OP_DIV_X:
			/* The kernel's cBPF-to-eBPF conversion ends the program with 0 here. */
			if (x == 0) {
				ret = 0;
				goto out;
			}
			a /= x;
			break;
		case OP_AND_K:
			a &= i->k;
			break;
		case OP_AND_X:
			a &= x;
			break;
		case OP_OR_K:
			a |= i->k;
			break;
		case OP_OR_X:
			a |= x;
			break;
		case OP_XOR_K:
			a ^= i->k;
			break;
		case OP_XOR_X:
			a ^= x;
			break;
		case OP_LSH_K:
			a <<= i->k;
			break;
		case OP_LSH_X:
			/* eBPF masks a 32-bit shift count to 5 bits (interpreter and JITs). */
			a <<= x & 31;
			break;
		case OP_RSH_K:
			a >>= i->k;
			break;
		case OP_RSH_X:
			a >>= x & 31;
			break;
		case OP_NEG:
			a = 0u - a;
			break;
		case OP_JA:
			pc += i->k;
			break;
		case OP_JEQ_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case OP_JEQ_X:
			pc += a == x ? i->jt : i->jf;
			break;
		case OP_JGE_K:
			pc += a >= i->k ? i->jt : i->jf;
			break;
		case OP_JGE_X:
			pc += a >= x ? i->jt : i->jf;
			break;
		case OP_JGT_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case OP_JGT_X:
			pc += a > x ? i->jt : i->jf;
			break;
		case OP_JSET_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case OP_JSET_X:
			pc += (a & x) ? i->jt : i->jf;
			break;
		case OP_RET_K:
			ret = i->k;
			goto out;
		case OP_RET_A:
			ret = a;
			goto out;
		default:
			ret = SECCOMP_RET_KILL_PROCESS; /* unreachable: decode() made every op */
			goto out;
		}
	}
out:
	if (executed)
		*executed = n;
	return ret;
}

uint32_t sck_bpf_emu_run(const struct sck_bpf_emu *emu, const struct seccomp_data *data,
			 uint32_t *executed)
{
	return run(emu, data, executed, NULL, 0);
}

uint32_t sck_bpf_emu_run_path(const struct sck_bpf_emu *emu, const struct seccomp_data *data,
			      uint16_t *path, size_t cap, uint32_t *executed)
{
	return run(emu, data, executed, path, cap);
}

/* The kernel's order of restrictiveness: the action bits compared as a signed 32-bit value. */
static inline int32_t action_rank(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

uint32_t sck_bpf_emu_run_stack(const struct sck_bpf_emu *const *stack, size_t n,
			       const struct seccomp_data *data, uint32_t *executed)
{
	uint32_t ret = SECCOMP_RET_ALLOW, total = 0;

	/* Newest first; a later (older) result replaces the kept one only when strictly more
	 * restrictive, so the newest filter wins among equals, and a plain ALLOW stays the
	 * starting value's ALLOW (its data is dropped), as in kernel/seccomp.c. */
	for (size_t i = n; i-- > 0;) {
		uint32_t cnt = 0, cur = sck_bpf_emu_run(stack[i], data, &cnt);

		total += cnt;
		if (action_rank(cur) < action_rank(ret))
			ret = cur;
	}
	if (executed)
		*executed = total;
	return ret;
}

uint32_t sck_action_effective(uint32_t ret)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
		/* MAX_ERRNO: the return value is -data, and only -4095..-1 read as errors. */
		return SECCOMP_RET_ERRNO | (data > SCK_ERRNO_MAX ? SCK_ERRNO_MAX : data);
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_USER_NOTIF:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return ret;
	default:
		/* An action the kernel does not define kills the process (coredump included). */
		return SECCOMP_RET_KILL_PROCESS;
	}
}
