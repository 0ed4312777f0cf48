// SPDX-License-Identifier: MIT
/*
 * The disassembler: classic BPF for seccomp as text, one instruction a line with its index
 * (`0003: if (A == read) goto 0010 else goto 0004`), and as a Graphviz control-flow graph. The
 * text is exactly what bpf_asm.c reads back: every instruction whose fields fit a named form is
 * printed in that form, and any other (an opcode seccomp does not know, or a non-zero field the
 * kernel ignores) as `.insn CODE, JT, JF, K`, so that asm(disasm(p)) == p for any bytes.
 * Also the arch-tracking pass that both directions share (bpf_text_int.h).
 */
#include "bpf/bpf_text_int.h"
#include "opts_int.h"
#include "seccomp_data_int.h"
#include "sck/syscalls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Tracking pass ------------------------------------------------------------------------ */

void sck_bpf_track_init(struct sck_bpf_track *st, size_t len)
{
	memset(st, 0, len * sizeof(*st));
	if (len > 0)
		st[0].reached = true;
}

static void merge(struct sck_bpf_track *st, size_t len, uint64_t to, const struct sck_bpf_track *s)
{
	struct sck_bpf_track *d;

	if (to >= len)
		return;
	d = &st[to];
	if (!d->reached) {
		*d = *s;
		d->reached = true;
		return;
	}
	if (d->arch != s->arch)
		d->arch = NULL;
	d->a_nr = d->a_nr && s->a_nr;
	d->a_arch = d->a_arch && s->a_arch;
}

void sck_bpf_track_step(struct sck_bpf_track *st, size_t len, size_t i,
			const struct sock_filter *ins)
{
	struct sck_bpf_track s = st[i], t;
	uint16_t code = ins->code;

	if (!s.reached)
		return;
	switch (code & 0x07) {
	case BPF_LD:
	case BPF_ALU:
		s.a_nr = code == (BPF_LD | BPF_W | BPF_ABS) && ins->k == SCK_DATA_OFF_NR;
		s.a_arch = code == (BPF_LD | BPF_W | BPF_ABS) && ins->k == SCK_DATA_OFF_ARCH;
		break;
	case BPF_MISC:
		if ((code & 0xf8) == BPF_TXA)
			s.a_nr = s.a_arch = false;
		break;
	case BPF_RET:
		return;
	case BPF_JMP:
		if ((code & 0xf0) == BPF_JA) {
			merge(st, len, (uint64_t)i + 1 + ins->k, &s);
			return;
		}
		t = s;
		/* A taken `A == AUDIT_ARCH_*` on the arch word: that path runs for that arch. */
		if (code == (BPF_JMP | BPF_JEQ | BPF_K) && s.a_arch)
			t.arch = sck_arch_from_audit(ins->k);
		/* x32 shares x86_64's audit arch; its numbers carry SCK_X32_SYSCALL_BIT, so a
		 * taken `A >= 0x40000000` (or `A > 0x3fffffff`) on nr under x86_64 means x32: the
		 * ABI whose selector bit is set, where the path's ABI has it clear. */
		if (s.a_nr && s.arch && s.arch->nr_select &&
		    !(s.arch->nr_base & s.arch->nr_select) &&
		    ((code == (BPF_JMP | BPF_JGE | BPF_K) && ins->k == s.arch->nr_select) ||
		     (code == (BPF_JMP | BPF_JGT | BPF_K) && ins->k == s.arch->nr_select - 1)))
			t.arch = sck_arch_from_audit_nr(s.arch->audit_arch, s.arch->nr_select);
		merge(st, len, (uint64_t)i + 1 + ins->jt, &t);
		merge(st, len, (uint64_t)i + 1 + ins->jf, &s);
		return;
	default:
		break;
	}
	merge(st, len, (uint64_t)i + 1, &s);
}

const struct sck_arch *sck_bpf_track_arch(const struct sck_bpf_track *st, size_t i,
					  const struct sck_arch *forced)
{
	if (forced)
		return forced;
	if (st[i].arch)
		return st[i].arch;
	return sck_arch_native();
}

static bool little_endian(const struct sck_arch *arch)
{
	return arch ? arch->little_endian : true;
}

void sck_bpf_field_name(uint32_t k, const struct sck_arch *arch, char *buf, size_t cap)
{
	unsigned int base;
	bool high;

	if (k == SCK_DATA_OFF_NR) {
		snprintf(buf, cap, "nr");
		return;
	}
	if (k == SCK_DATA_OFF_ARCH) {
		snprintf(buf, cap, "arch");
		return;
	}
	if (k % SCK_DATA_WORD != 0 || k < SCK_DATA_OFF_IP || k >= sizeof(struct seccomp_data)) {
		snprintf(buf, cap, "data[%u]", (unsigned int)k);
		return;
	}
	/* A 64-bit field is stored in the ABI's byte order: low word first on little-endian. */
	base = (unsigned int)((k - SCK_DATA_OFF_IP) / sizeof(uint64_t));
	high = (((k - SCK_DATA_OFF_IP) % sizeof(uint64_t)) == SCK_DATA_WORD) == little_endian(arch);
	if (base == 0)
		snprintf(buf, cap, "instruction_pointer%s", high ? " >> 32" : "");
	else
		snprintf(buf, cap, "args[%u]%s", base - 1, high ? " >> 32" : "");
}

uint32_t sck_bpf_field_offset(unsigned int base, bool high, const struct sck_arch *arch)
{
	return (uint32_t)(SCK_DATA_OFF_IP + sizeof(uint64_t) * base +
			  (high == little_endian(arch) ? SCK_DATA_WORD : 0));
}

/* ---- Text buffer -------------------------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap ? b->cap : 1024;
		while (ncap <= b->len + (size_t)n)
			ncap *= 2;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

/* ---- One instruction ---------------------------------------------------------------------- */

static const char *alu_op(unsigned int op)
{
	switch (op) {
	case BPF_ADD:
		return "+=";
	case BPF_SUB:
		return "-=";
	case BPF_MUL:
		return "*=";
	case BPF_DIV:
		return "/=";
	case BPF_OR:
		return "|=";
	case BPF_AND:
		return "&=";
	case BPF_LSH:
		return "<<=";
	case BPF_RSH:
		return ">>=";
	case BPF_MOD:
		return "%=";
	case BPF_XOR:
		return "^=";
	default:
		return NULL;
	}
}

/* A constant operand: small ones in decimal, the rest (masks, arch tokens) in hex. */
static void fmt_k(char *buf, size_t cap, uint32_t k, bool hex)
{
	if (!hex && k < 4096)
		snprintf(buf, cap, "%u", (unsigned int)k);
	else
		snprintf(buf, cap, "0x%x", (unsigned int)k);
}

static void fmt_action(char *buf, size_t cap, char *comment, size_t ccap, uint32_t k)
{
	const char *name = sck_action_name(k);
	uint32_t act = k & SECCOMP_RET_ACTION_FULL, data = k & SECCOMP_RET_DATA;

	if (!name) {
		snprintf(buf, cap, "0x%08x", (unsigned int)k);
		snprintf(comment, ccap, "unknown action: the kernel kills the process");
		return;
	}
	if (data || act == SECCOMP_RET_ERRNO || act == SECCOMP_RET_TRAP || act == SECCOMP_RET_TRACE)
		snprintf(buf, cap, "%s(%u)", name, (unsigned int)data);
	else
		snprintf(buf, cap, "%s", name);
	if (act == SECCOMP_RET_ERRNO && data > SCK_ERRNO_MAX)
		snprintf(comment, ccap, "the kernel caps the errno at %u", SCK_ERRNO_MAX);
}

/*
 * A syscall name as the text shows it: `ARCH:name` when it is read on another arch than the
 * unqualified names of the text are (the `.arch` one, else native), so that x32's rmdir
 * (0x40000054) compared in the x32 branch of an x86_64 filter does not read as x86_64's (84).
 */
static void fmt_sys(char *buf, size_t cap, const struct sck_arch *arch, bool qualify,
		    const char *name)
{
	if (qualify && arch)
		snprintf(buf, cap, "%s:%s", arch->name, name);
	else
		snprintf(buf, cap, "%s", name);
}

/* The compare operand of a conditional jump with K, with a syscall name when A holds nr. */
static void fmt_cmp(char *buf, size_t cap, char *comment, size_t ccap, uint32_t k,
		    const struct sck_bpf_track *s, const struct sck_arch *arch, bool forced,
		    unsigned int op)
{
	(void)comment;
	(void)ccap;
	if (s->reached && s->a_nr && op != BPF_JSET && k <= 0x7fffffff) {
		const char *name = sck_syscall_name(arch, (int)k);
		const struct sck_arch *other;

		if (name && sck_syscall_nr(arch, name) == (int)k) {
			fmt_sys(buf, cap, arch, !forced && arch != sck_arch_native(), name);
			return;
		}
		/* a number of another ABI of the same audit arch (x32 under x86_64) outside its
		 * tracked branch: named as that ABI's, except its selector bit itself on a range
		 * compare (the split between the two ABIs) */
		other = arch ? sck_arch_from_audit_nr(arch->audit_arch, k) : NULL;
		if (other && other != arch && (other->nr_base & other->nr_select) &&
		    (op == BPF_JEQ || k != other->nr_base)) {
			name = sck_syscall_name(other, (int)k);
			if (name && sck_syscall_nr(other, name) == (int)k) {
				fmt_sys(buf, cap, other, true, name);
				return;
			}
		}
	}
	if (s->reached && s->a_arch && op == BPF_JEQ) {
		const struct sck_arch *a = sck_arch_from_audit(k);

		if (a)
			snprintf(comment, ccap, "%s", a->name);
		fmt_k(buf, cap, k, true);
		return;
	}
	fmt_k(buf, cap, k, op == BPF_JSET || k >= 0x10000);
}

/*
 * Write instruction @i (without index or newline) into @out; @comment receives an optional
 * remark. Returns false when no named form reproduces its bytes (the caller prints .insn).
 */
static bool insn_text(const struct sock_filter *ins, size_t i, const struct sck_bpf_track *s,
		      const struct sck_arch *arch, bool forced, char *out, size_t cap,
		      char *comment, size_t ccap)
{
	uint16_t code = ins->code;
	uint32_t k = ins->k;
	bool nojt = ins->jt == 0 && ins->jf == 0;
	char v[96];

	comment[0] = '\0';
	if (code > 0xff)
		return false;
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
		if (!nojt)
			return false;
		sck_bpf_field_name(k, arch, v, sizeof(v));
		snprintf(out, cap, "A = %s", v);
		return true;
	case BPF_LD | BPF_W | BPF_LEN:
		if (!nojt || k)
			return false;
		snprintf(out, cap, "A = len");
		return true;
	case BPF_LDX | BPF_W | BPF_LEN:
		if (!nojt || k)
			return false;
		snprintf(out, cap, "X = len");
		return true;
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
		if (!nojt)
			return false;
		fmt_k(v, sizeof(v), k, false);
		snprintf(out, cap, "%c = %s", code == (BPF_LD | BPF_IMM) ? 'A' : 'X', v);
		return true;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
		if (!nojt)
			return false;
		snprintf(out, cap, "%c = M[%u]", code == (BPF_LD | BPF_MEM) ? 'A' : 'X',
			 (unsigned int)k);
		return true;
	case BPF_ST:
	case BPF_STX:
		if (!nojt)
			return false;
		snprintf(out, cap, "M[%u] = %c", (unsigned int)k, code == BPF_ST ? 'A' : 'X');
		return true;
	case BPF_RET | BPF_K:
		if (!nojt)
			return false;
		fmt_action(v, sizeof(v), comment, ccap, k);
		snprintf(out, cap, "return %s", v);
		return true;
	case BPF_RET | BPF_A:
		if (!nojt || k)
			return false;
		snprintf(out, cap, "return A");
		return true;
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
		if (!nojt || k)
			return false;
		snprintf(out, cap, "%s", code == (BPF_MISC | BPF_TAX) ? "X = A" : "A = X");
		return true;
	case BPF_JMP | BPF_JA:
		if (!nojt)
			return false;
		snprintf(out, cap, "goto %04llu", (unsigned long long)i + 1 + k);
		return true;
	default:
		break;
	}
	if (BPF_CLASS(code) == BPF_ALU) {
		unsigned int op = BPF_OP(code);
		bool x = BPF_SRC(code) == BPF_X;

		if (!nojt)
			return false;
		if (op == BPF_NEG) {
			if (x || k)
				return false;
			snprintf(out, cap, "A = -A");
			return true;
		}
		if (!alu_op(op) || (x && k))
			return false;
		if (x)
			snprintf(v, sizeof(v), "X");
		else
			fmt_k(v, sizeof(v), k, op == BPF_AND || op == BPF_OR || op == BPF_XOR);
		snprintf(out, cap, "A %s %s", alu_op(op), v);
		return true;
	}
	if (BPF_CLASS(code) == BPF_JMP) {
		static const char *const ops[][2] = {
			[BPF_JEQ >> 4] = {"==", "!="},
			[BPF_JGT >> 4] = {">", "<="},
			[BPF_JGE >> 4] = {">=", "<"},
			[BPF_JSET >> 4] = {"&", NULL},
		};
		unsigned int op = BPF_OP(code);
		bool x = BPF_SRC(code) == BPF_X;
		unsigned long long tt = (unsigned long long)i + 1 + ins->jt;
		unsigned long long tf = (unsigned long long)i + 1 + ins->jf;

		if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
			return false;
		if (x && k)
			return false;
		if (x)
			snprintf(v, sizeof(v), "X");
		else
			fmt_cmp(v, sizeof(v), comment, ccap, k, s, arch, forced, op);
		if (ins->jf == 0)
			snprintf(out, cap, "if (A %s %s) goto %04llu", ops[op >> 4][0], v, tt);
		else if (ins->jt == 0 && op == BPF_JSET)
			snprintf(out, cap, "if (!(A & %s)) goto %04llu", v, tf);
		else if (ins->jt == 0)
			snprintf(out, cap, "if (A %s %s) goto %04llu", ops[op >> 4][1], v, tf);
		else
			snprintf(out, cap, "if (A %s %s) goto %04llu else goto %04llu",
				 ops[op >> 4][0], v, tt, tf);
		return true;
	}
	return false;
}

/* The full line body of instruction @i: named form, or .insn. */
static void line_text(const struct sock_filter *prog, size_t i, const struct sck_bpf_track *st,
		      const struct sck_arch *forced, char *out, size_t cap, char *comment,
		      size_t ccap)
{
	const struct sck_arch *arch = sck_bpf_track_arch(st, i, forced);

	if (!insn_text(&prog[i], i, &st[i], arch, forced != NULL, out, cap, comment, ccap)) {
		snprintf(out, cap, ".insn 0x%04x, %u, %u, 0x%08x", prog[i].code, prog[i].jt,
			 prog[i].jf, (unsigned int)prog[i].k);
		comment[0] = '\0';
	}
}

static int prepare(const struct sock_filter *prog, size_t len,
		   const struct sck_bpf_disasm_opts *opts, char **out,
		   const struct sck_arch **forced, struct sck_bpf_track **st)
{
	int rc;

	if (!prog || !out || len == 0 || len > SCK_BPF_MAXINSNS)
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc < 0)
		return rc;
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the field is a pointer, on purpose */
	*forced = SCK_OPTS_GET(opts, arch, NULL);
	*st = malloc(len * sizeof(**st));
	if (!*st)
		return -ENOMEM;
	sck_bpf_track_init(*st, len);
	for (size_t i = 0; i < len; i++)
		sck_bpf_track_step(*st, len, i, &prog[i]);
	return 0;
}

int sck_bpf_disasm_alloc(const struct sock_filter *prog, size_t len,
			 const struct sck_bpf_disasm_opts *opts, char **out)
{
	const struct sck_arch *forced;
	struct sck_bpf_track *st;
	struct sbuf b = {0};
	char text[160], comment[96];
	int rc;

	rc = prepare(prog, len, opts, out, &forced, &st);
	if (rc < 0)
		return rc;
	if (forced)
		sb_printf(&b, ".arch %s ; syscall names and argument words of this arch\n",
			  forced->name);
	for (size_t i = 0; i < len; i++) {
		line_text(prog, i, st, forced, text, sizeof(text), comment, sizeof(comment));
		if (comment[0])
			sb_printf(&b, "%04zu: %-44s ; %s\n", i, text, comment);
		else
			sb_printf(&b, "%04zu: %s\n", i, text);
	}
	free(st);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	return 0;
}

/* ---- Graphviz ----------------------------------------------------------------------------- */

static void dot_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(b, "\\%c", *s);
		else
			sb_printf(b, "%c", *s);
	}
}

/* Fill colour of a block ending in RET K with value @k. */
static const char *ret_color(uint32_t k)
{
	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
		return "palegreen";
	case SECCOMP_RET_LOG:
		return "darkseagreen1";
	case SECCOMP_RET_ERRNO:
		return "gold";
	case SECCOMP_RET_USER_NOTIF:
		return "lightblue";
	case SECCOMP_RET_TRACE:
		return "plum";
	case SECCOMP_RET_TRAP:
		return "orange";
	case SECCOMP_RET_KILL_THREAD:
		return "tomato";
	default: /* KILL_PROCESS and every undefined action */
		return "red";
	}
}

int sck_bpf_dot_alloc(const struct sock_filter *prog, size_t len,
		      const struct sck_bpf_disasm_opts *opts, char **out)
{
	const struct sck_arch *forced;
	struct sck_bpf_track *st;
	struct sbuf b = {0};
	char text[160], comment[96];
	bool *leader;
	int rc;

	rc = prepare(prog, len, opts, out, &forced, &st);
	if (rc < 0)
		return rc;
	leader = calloc(len + 1, sizeof(*leader));
	if (!leader) {
		free(st);
		return -ENOMEM;
	}
	/* Basic blocks start at 0, at every jump target and after every jump or return. */
	leader[0] = true;
	for (size_t i = 0; i < len; i++) {
		uint16_t c = prog[i].code;

		if (BPF_CLASS(c) == BPF_RET) {
			leader[i + 1] = true;
		} else if (BPF_CLASS(c) == BPF_JMP) {
			uint64_t t[3] = {i + 1, i + 1 + (uint64_t)prog[i].jt,
					 i + 1 + (uint64_t)prog[i].jf};

			if (BPF_OP(c) == BPF_JA)
				t[1] = t[2] = i + 1 + (uint64_t)prog[i].k;
			for (int j = 0; j < 3; j++)
				if (t[j] < len)
					leader[t[j]] = true;
			leader[i + 1] = true;
		}
	}
	sb_printf(&b, "digraph bpf {\n\tnode [shape=box, fontname=\"monospace\"];\n");
	if (forced)
		sb_printf(&b, "\tlabel=\"arch %s\";\n", forced->name);
	for (size_t start = 0; start < len;) {
		size_t end = start; /* last instruction of the block */
		const struct sock_filter *last;

		while (end + 1 < len && !leader[end + 1])
			end++;
		last = &prog[end];
		sb_printf(&b, "\tb%zu [label=\"", start);
		for (size_t i = start; i <= end; i++) {
			line_text(prog, i, st, forced, text, sizeof(text), comment,
				  sizeof(comment));
			sb_printf(&b, "%04zu: ", i);
			dot_escape(&b, text);
			if (comment[0]) {
				sb_printf(&b, "  ; ");
				dot_escape(&b, comment);
			}
			sb_printf(&b, "\\l");
		}
		sb_printf(&b, "\"");
		if (last->code == (BPF_RET | BPF_K))
			sb_printf(&b, ", style=filled, fillcolor=%s", ret_color(last->k));
		else if (BPF_CLASS(last->code) == BPF_RET)
			sb_printf(&b, ", style=filled, fillcolor=lightgrey");
		sb_printf(&b, "];\n");
		if (BPF_CLASS(last->code) == BPF_RET) {
			/* no successor */
		} else if (BPF_CLASS(last->code) == BPF_JMP && BPF_OP(last->code) == BPF_JA) {
			uint64_t t = end + 1 + (uint64_t)last->k;

			if (t < len)
				sb_printf(&b, "\tb%zu -> b%llu;\n", start, (unsigned long long)t);
			else
				sb_printf(&b,
					  "\tb%zu -> out%zu;\n\tout%zu [label=\"%llu: past the "
					  "end\", color=red];\n",
					  start, end, end, (unsigned long long)t);
		} else if (BPF_CLASS(last->code) == BPF_JMP) {
			uint64_t t[2] = {end + 1 + (uint64_t)last->jt,
					 end + 1 + (uint64_t)last->jf};
			/* Labels follow the condition as printed: `if (A != K) goto F` is JEQ
			 * with jt 0, its printed condition holds on the jf edge. */
			bool neg = last->jt == 0 && last->jf != 0;
			const char *lbl[2] = {neg ? "false" : "true", neg ? "true" : "false"};

			for (int j = 0; j < 2; j++) {
				if (t[j] < len)
					sb_printf(&b, "\tb%zu -> b%llu [label=\"%s\"];\n", start,
						  (unsigned long long)t[j], lbl[j]);
				else
					sb_printf(
						&b,
						"\tb%zu -> out%zu_%d [label=\"%s\"];\n\tout%zu_%d "
						"[label=\"%llu: past the end\", color=red];\n",
						start, end, j, lbl[j], end, j,
						(unsigned long long)t[j]);
			}
		} else if (end + 1 < len) {
			sb_printf(&b, "\tb%zu -> b%zu;\n", start, end + 1);
		} else {
			sb_printf(&b,
				  "\tb%zu -> end;\n\tend [label=\"falls off the end\", "
				  "color=red];\n",
				  start);
		}
		start = end + 1;
	}
	sb_printf(&b, "}\n");
	free(leader);
	free(st);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	return 0;
}
