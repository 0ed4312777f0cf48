// SPDX-License-Identifier: MIT
/*
 * The validator: accepts exactly the classic BPF programs that seccomp(SECCOMP_SET_MODE_FILTER)
 * accepts, and names the first fault in the order the kernel finds it. The kernel checks a
 * program in four passes, and so do we: the length; the classic checks instruction by
 * instruction (known opcode, constant divisors, shift counts, scratch indexes, jump ranges,
 * ancillary loads); the last instruction being a RET; the scratch-memory data flow; and last
 * seccomp's own opcode whitelist with the seccomp_data bounds of LD|W|ABS. The order matters only
 * for which index a multi-fault program is blamed on: the kernel itself answers EINVAL for all.
 */
#include "sck/bpf.h"
#include "bpf_int.h"

#include <errno.h>
#include <string.h>

/* What the validator needs to know of an opcode, one table lookup per instruction. */
enum {
	OP_CLASSIC = 1,	  /* classic BPF knows it at all (the socket filter's table) */
	OP_SECCOMP = 2,	  /* seccomp lets it through (kernel/seccomp.c's whitelist) */
	OP_COND = 4,	  /* a conditional jump: jt and jf must stay in the program */
	OP_CHECK_K = 8,	  /* the classic pass checks its k (check_classic's switch) */
	OP_MEM_LOAD = 16, /* reads scratch memory: the flow pass has something to check */
};

#define CS (OP_CLASSIC | OP_SECCOMP)

static const uint8_t op_info[256] = {
	[BPF_ALU | BPF_ADD | BPF_K] = CS,
	[BPF_ALU | BPF_ADD | BPF_X] = CS,
	[BPF_ALU | BPF_SUB | BPF_K] = CS,
	[BPF_ALU | BPF_SUB | BPF_X] = CS,
	[BPF_ALU | BPF_MUL | BPF_K] = CS,
	[BPF_ALU | BPF_MUL | BPF_X] = CS,
	[BPF_ALU | BPF_DIV | BPF_K] = CS | OP_CHECK_K,
	[BPF_ALU | BPF_DIV | BPF_X] = CS,
	[BPF_ALU | BPF_MOD | BPF_K] = OP_CLASSIC | OP_CHECK_K,
	[BPF_ALU | BPF_MOD | BPF_X] = OP_CLASSIC,
	[BPF_ALU | BPF_AND | BPF_K] = CS,
	[BPF_ALU | BPF_AND | BPF_X] = CS,
	[BPF_ALU | BPF_OR | BPF_K] = CS,
	[BPF_ALU | BPF_OR | BPF_X] = CS,
	[BPF_ALU | BPF_XOR | BPF_K] = CS,
	[BPF_ALU | BPF_XOR | BPF_X] = CS,
	[BPF_ALU | BPF_LSH | BPF_K] = CS | OP_CHECK_K,
	[BPF_ALU | BPF_LSH | BPF_X] = CS,
	[BPF_ALU | BPF_RSH | BPF_K] = CS | OP_CHECK_K,
	[BPF_ALU | BPF_RSH | BPF_X] = CS,
	[BPF_ALU | BPF_NEG] = CS,
	[BPF_LD | BPF_W | BPF_ABS] = CS | OP_CHECK_K,
	[BPF_LD | BPF_H | BPF_ABS] = OP_CLASSIC | OP_CHECK_K,
	[BPF_LD | BPF_B | BPF_ABS] = OP_CLASSIC | OP_CHECK_K,
	[BPF_LD | BPF_W | BPF_LEN] = CS,
	[BPF_LD | BPF_W | BPF_IND] = OP_CLASSIC,
	[BPF_LD | BPF_H | BPF_IND] = OP_CLASSIC,
	[BPF_LD | BPF_B | BPF_IND] = OP_CLASSIC,
	[BPF_LD | BPF_IMM] = CS,
	[BPF_LD | BPF_MEM] = CS | OP_CHECK_K | OP_MEM_LOAD,
	[BPF_LDX | BPF_W | BPF_LEN] = CS,
	[BPF_LDX | BPF_B | BPF_MSH] = OP_CLASSIC,
	[BPF_LDX | BPF_IMM] = CS,
	[BPF_LDX | BPF_MEM] = CS | OP_CHECK_K | OP_MEM_LOAD,
	[BPF_ST] = CS | OP_CHECK_K,
	[BPF_STX] = CS | OP_CHECK_K,
	[BPF_MISC | BPF_TAX] = CS,
	[BPF_MISC | BPF_TXA] = CS,
	[BPF_RET | BPF_K] = CS,
	[BPF_RET | BPF_A] = CS,
	[BPF_JMP | BPF_JA] = CS | OP_CHECK_K,
	[BPF_JMP | BPF_JEQ | BPF_K] = CS | OP_COND,
	[BPF_JMP | BPF_JEQ | BPF_X] = CS | OP_COND,
	[BPF_JMP | BPF_JGE | BPF_K] = CS | OP_COND,
	[BPF_JMP | BPF_JGE | BPF_X] = CS | OP_COND,
	[BPF_JMP | BPF_JGT | BPF_K] = CS | OP_COND,
	[BPF_JMP | BPF_JGT | BPF_X] = CS | OP_COND,
	[BPF_JMP | BPF_JSET | BPF_K] = CS | OP_COND,
	[BPF_JMP | BPF_JSET | BPF_X] = CS | OP_COND,
};

#undef CS

static unsigned int op_of(uint16_t code)
{
	return code < 256 ? op_info[code] : 0;
}

bool sck_bpf_code_classic(uint16_t code)
{
	return op_of(code) & OP_CLASSIC;
}

bool sck_bpf_code_seccomp(uint16_t code)
{
	return op_of(code) & OP_SECCOMP;
}

static bool is_cond_jump(uint16_t code)
{
	return op_of(code) & OP_COND;
}

/*
 * The ancillary loads of socket filters (SKF_AD_OFF + SKF_AD_PROTOCOL ... SKF_AD_VLAN_TPID):
 * the classic pass lets an absolute load at or above SKF_AD_OFF through only for these. Seccomp
 * refuses them all later, but a program is blamed on the first index the kernel stops at.
 */
static bool is_ancillary(uint32_t k)
{
	const uint32_t off = (uint32_t)-0x1000; /* SKF_AD_OFF */

	/* SKF_AD_PROTOCOL (0) to SKF_AD_VLAN_TPID (60), every 4 bytes. */
	return k >= off && k - off <= 60 && ((k - off) & 3) == 0;
}

static int fail(struct sck_bpf_verdict *why, enum sck_bpf_fault fault, size_t index)
{
	if (why) {
		why->fault = fault;
		why->index = index;
	}
	return -EINVAL;
}

/* What the classic pass learnt for the later ones. */
struct scan {
	bool mem_load;		      /* some instruction reads scratch memory */
	size_t sec_at;		      /* the first instruction pass 5 refuses (len: none) */
	enum sck_bpf_fault sec_fault; /* and why */
};

/*
 * Pass 2 over instructions @from to @to of @prog: @near_end, whether they are in the last 256,
 * where a conditional jump may reach past the end (before, it reaches at most 256 ahead).
 * (Always inline: each call its own loop, without a test of @near_end an instruction.)
 */
static inline __attribute__((always_inline)) int
check_run(const struct sock_filter *prog, size_t len, size_t from, size_t to, bool near_end,
	  struct sck_bpf_verdict *why, struct scan *sc)
{
	for (size_t pc = from; pc < to; pc++) {
		const struct sock_filter *f = &prog[pc];
		unsigned int op = op_of(f->code);

		if (op & OP_COND) {
			/* (seccomp takes every conditional jump: nothing for pass 5) */
			if (near_end && (f->jt >= len - pc - 1 || f->jf >= len - pc - 1))
				return fail(why, SCK_BPF_FAULT_JUMP, pc);
			continue;
		}
		if (!(op & OP_CLASSIC))
			return fail(why, SCK_BPF_FAULT_OPCODE, pc);
		if (sc->sec_at == len) {
			if (!(op & OP_SECCOMP)) {
				sc->sec_at = pc;
				sc->sec_fault = SCK_BPF_FAULT_OPCODE;
			} else if (f->code == (BPF_LD | BPF_W | BPF_ABS) &&
				   (f->k >= sizeof(struct seccomp_data) || (f->k & 3))) {
				sc->sec_at = pc;
				sc->sec_fault = SCK_BPF_FAULT_LOAD;
			}
		}
		if (!(op & OP_CHECK_K))
			continue;
		sc->mem_load |= (op & OP_MEM_LOAD) != 0;
		switch (f->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (f->k == 0)
				return fail(why, SCK_BPF_FAULT_DIV_ZERO, pc);
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (f->k >= 32)
				return fail(why, SCK_BPF_FAULT_SHIFT, pc);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return fail(why, SCK_BPF_FAULT_MEM_INDEX, pc);
			break;
		case BPF_JMP | BPF_JA:
			/* k is 32 bits wide: compared unsigned against what is left. */
			if (f->k >= (uint32_t)(len - pc - 1))
				return fail(why, SCK_BPF_FAULT_JUMP, pc);
			break;
		default: /* the absolute loads */
			if (f->k >= (uint32_t)-0x1000 && !is_ancillary(f->k))
				return fail(why, SCK_BPF_FAULT_LOAD, pc);
			break;
		}
	}
	return 0;
}

/*
 * Pass 2: each instruction on its own, as the classic checker walks them. Pass 5 looks at each
 * instruction on its own too: its first fault is noted here and reported in its turn.
 */
static int check_classic(const struct sock_filter *prog, size_t len, struct sck_bpf_verdict *why,
			 struct scan *sc)
{
	size_t near = len > 256 ? len - 256 : 0;
	int rc;

	sc->mem_load = false;
	sc->sec_at = len;
	sc->sec_fault = SCK_BPF_FAULT_NONE;
	rc = check_run(prog, len, 0, near, false, why, sc);
	return rc ? rc : check_run(prog, len, near, len, true, why, sc);
}

/*
 * Pass 4: the kernel's scratch-memory flow check. It is one linear walk, not a path search: a
 * jump narrows the set of valid cells at its targets and leaves every cell valid for the
 * instruction after it (which only a jump can reach), while a RET does not reset the set for
 * the instruction after it. Reproduced as it is, quirks included, because it decides what loads.
 */
static int check_memory(const struct sock_filter *prog, size_t len, struct sck_bpf_verdict *why,
			uint16_t *masks)
{
	uint16_t valid = 0;

	memset(masks, 0xff, len * sizeof(*masks));
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];

		valid &= masks[pc];
		switch (f->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << f->k)))
				return fail(why, SCK_BPF_FAULT_MEM_UNINIT, pc);
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f->k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(f->code)) {
				masks[pc + 1 + f->jt] &= valid;
				masks[pc + 1 + f->jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

int sck_bpf_check(const struct sock_filter *prog, size_t len, struct sck_bpf_verdict *why)
{
	uint16_t masks[SCK_BPF_MAXINSNS];
	struct scan sc;
	int rc;

	if (len == 0)
		return fail(why, SCK_BPF_FAULT_EMPTY, 0);
	if (!prog)
		return -EINVAL;
	if (len > SCK_BPF_MAXINSNS)
		return fail(why, SCK_BPF_FAULT_TOO_LONG, len);
	rc = check_classic(prog, len, why, &sc);
	if (rc < 0)
		return rc;
	if (prog[len - 1].code != (BPF_RET | BPF_K) && prog[len - 1].code != (BPF_RET | BPF_A))
		return fail(why, SCK_BPF_FAULT_NO_RET, len - 1);
	/* only a load from scratch memory can fail the flow check */
	if (sc.mem_load) {
		rc = check_memory(prog, len, why, masks);
		if (rc < 0)
			return rc;
	}
	/* pass 5, seen by the classic pass */
	if (sc.sec_at < len)
		return fail(why, sc.sec_fault, sc.sec_at);
	if (why) {
		why->fault = SCK_BPF_FAULT_NONE;
		why->index = 0;
	}
	return 0;
}

const char *sck_bpf_fault_str(enum sck_bpf_fault fault)
{
	switch (fault) {
	case SCK_BPF_FAULT_NONE:
		return "no fault";
	case SCK_BPF_FAULT_EMPTY:
		return "empty program";
	case SCK_BPF_FAULT_TOO_LONG:
		return "program longer than 4096 instructions";
	case SCK_BPF_FAULT_OPCODE:
		return "opcode not allowed in seccomp filters";
	case SCK_BPF_FAULT_LOAD:
		return "load offset misaligned or outside seccomp_data";
	case SCK_BPF_FAULT_JUMP:
		return "jump target past the end of the program";
	case SCK_BPF_FAULT_NO_RET:
		return "last instruction is not a return";
	case SCK_BPF_FAULT_DIV_ZERO:
		return "division by constant zero";
	case SCK_BPF_FAULT_SHIFT:
		return "shift by a constant of 32 or more";
	case SCK_BPF_FAULT_MEM_INDEX:
		return "scratch memory index out of range";
	case SCK_BPF_FAULT_MEM_UNINIT:
		return "scratch memory read before written";
	}
	return "unknown fault";
}
