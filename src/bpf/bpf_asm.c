// SPDX-License-Identifier: MIT
/*
 * The assembler: reads the text the disassembler prints, and hand-written programs in the same
 * syntax (labels, syscall and action names, decimal and hex numbers), back into raw BPF. It works
 * in two passes: the first parses each line into an instruction whose jump targets may be labels
 * and whose constant may be a syscall name or a 64-bit field word; the second binds labels, then
 * walks the program in index order with the disassembler's arch-tracking pass, resolving names
 * on the arch each instruction is reached under, exactly as the disassembler chose them.
 */
#include "bpf/bpf_text_int.h"
#include "opts_int.h"
#include "seccomp_data_int.h"
#include "sck/syscalls.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Tokens ------------------------------------------------------------------------------- */

enum tok_kind { T_END, T_IDENT, T_NUM, T_PUNCT, T_DIR };

struct tok {
	enum tok_kind kind;
	unsigned int col;
	uint64_t num;
	char text[64]; /* identifier, directive (with its dot) or punctuation */
};

#define MAX_TOKS 64

/* ---- Parsed program ----------------------------------------------------------------------- */

/* A jump target: an absolute index, or a label to look up. */
struct target {
	bool label;
	uint64_t index;
	char name[64];
	unsigned int line, col;
};

enum kkind {
	K_NUM,	   /* k is final */
	K_SYSCALL, /* k is the syscall @name on @qual's arch, or the instruction's */
	K_FIELD,   /* k is the offset of 64-bit field @field, word @high, by the arch's order */
};

struct pinsn {
	struct sock_filter ins;
	enum kkind kk;
	char name[64];
	char qual[64]; /* `x32:read`: the arch a syscall name is read on; "" for the tracked one */
	unsigned int field;
	bool high;
	int ntargets; /* 0; 1 (JA: k); 2 (jt, jf) */
	struct target t[2];
	unsigned int line, col; /* where the name or instruction is, for errors */
};

struct label {
	char name[64];
	size_t index;
};

struct asm_ctx {
	struct pinsn *insns;
	size_t n, cap;
	struct label *labels;
	size_t nlabels, lcap;
	const struct sck_arch *directive; /* .arch */
	struct sck_diag *diag;
	unsigned int line;
	struct tok toks[MAX_TOKS];
	size_t ntok, pos;
};

__attribute__((format(printf, 4, 5))) static int fail(struct asm_ctx *c, int err, unsigned int col,
						      const char *fmt, ...)
{
	va_list ap;

	if (c->diag) {
		c->diag->line = c->line;
		c->diag->col = col;
		va_start(ap, fmt);
		vsnprintf(c->diag->msg, sizeof(c->diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool ident_start(int ch)
{
	return isalpha(ch) || ch == '_';
}

static bool ident_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

static int lex(struct asm_ctx *c, const char *line, size_t n)
{
	static const char *const puncts[] = {"<<=", ">>=", "==", "!=", ">=", "<=", "<<",
					     ">>",  "+=",  "-=", "*=", "/=", "%=", "&=",
					     "|=",  "^=",  "=",	 ">",  "<",  "&",  "!",
					     "(",   ")",   "[",	 "]",  ",",  ":",  "-"};
	size_t i = 0;

	c->ntok = 0;
	c->pos = 0;
	for (;;) {
		struct tok *t;
		unsigned char ch;

		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (c->ntok == MAX_TOKS)
			return fail(c, -EINVAL, (unsigned int)i + 1, "line too long");
		t = &c->toks[c->ntok++];
		memset(t, 0, sizeof(*t));
		t->col = (unsigned int)i + 1;
		if (i >= n || line[i] == ';' || line[i] == '#') {
			t->kind = T_END;
			return 0;
		}
		ch = (unsigned char)line[i];
		if (ident_start(ch) || (ch == '.' && i + 1 < n && ident_start(line[i + 1]))) {
			size_t s = i;

			t->kind = ch == '.' ? T_DIR : T_IDENT;
			i++;
			while (i < n && ident_char((unsigned char)line[i]))
				i++;
			if (i - s >= sizeof(t->text))
				return fail(c, -EINVAL, t->col, "name too long");
			memcpy(t->text, line + s, i - s);
			continue;
		}
		if (isdigit(ch)) {
			uint64_t v = 0;
			bool hex = ch == '0' && i + 1 < n &&
				   (line[i + 1] == 'x' || line[i + 1] == 'X');
			unsigned int base = hex ? 16 : 10;
			size_t digits = 0;

			if (hex)
				i += 2;
			for (; i < n && isxdigit((unsigned char)line[i]); i++) {
				unsigned int d =
					isdigit((unsigned char)line[i])
						? (unsigned int)(line[i] - '0')
						: (unsigned int)(tolower(line[i]) - 'a' + 10);

				if (d >= base)
					break;
				if (v > (UINT64_MAX - d) / base)
					return fail(c, -EINVAL, t->col, "number too large");
				v = v * base + d;
				digits++;
			}
			if (digits == 0 || (i < n && ident_char((unsigned char)line[i])))
				return fail(c, -EINVAL, t->col, "malformed number");
			t->kind = T_NUM;
			t->num = v;
			continue;
		}
		for (size_t p = 0; p < sizeof(puncts) / sizeof(puncts[0]); p++) {
			size_t l = strlen(puncts[p]);

			if (i + l <= n && memcmp(line + i, puncts[p], l) == 0) {
				t->kind = T_PUNCT;
				memcpy(t->text, puncts[p], l);
				i += l;
				break;
			}
		}
		if (t->kind != T_PUNCT)
			return fail(c, -EINVAL, t->col, "unexpected character '%c'",
				    isprint(ch) ? ch : '?');
	}
}

static struct tok *peek(struct asm_ctx *c, size_t ahead)
{
	size_t p = c->pos + ahead;

	return &c->toks[p < c->ntok ? p : c->ntok - 1];
}

static struct tok *next(struct asm_ctx *c)
{
	struct tok *t = peek(c, 0);

	if (t->kind != T_END)
		c->pos++;
	return t;
}

static bool is_punct(const struct tok *t, const char *p)
{
	return t->kind == T_PUNCT && strcmp(t->text, p) == 0;
}

static bool is_ident(const struct tok *t, const char *s)
{
	return t->kind == T_IDENT && strcmp(t->text, s) == 0;
}

static const char *tok_desc(const struct tok *t)
{
	switch (t->kind) {
	case T_END:
		return "end of line";
	case T_NUM:
		return "a number";
	default:
		return t->text;
	}
}

static int expect_punct(struct asm_ctx *c, const char *p)
{
	struct tok *t = next(c);

	if (!is_punct(t, p))
		return fail(c, -EINVAL, t->col, "expected '%s', found '%s'", p, tok_desc(t));
	return 0;
}

static int expect_ident(struct asm_ctx *c, const char *s)
{
	struct tok *t = next(c);

	if (!is_ident(t, s))
		return fail(c, -EINVAL, t->col, "expected '%s', found '%s'", s, tok_desc(t));
	return 0;
}

/* A 32-bit constant: decimal or hex, or negative decimal as two's complement. */
static int parse_u32(struct asm_ctx *c, uint32_t *out)
{
	struct tok *t = next(c);
	bool neg = false;

	if (is_punct(t, "-")) {
		neg = true;
		t = next(c);
	}
	if (t->kind != T_NUM)
		return fail(c, -EINVAL, t->col, "expected a number, found '%s'", tok_desc(t));
	if (neg ? t->num > 0x80000000ull : t->num > 0xffffffffull)
		return fail(c, -EINVAL, t->col, "number out of the 32-bit range");
	*out = neg ? (uint32_t)(0u - (uint32_t)t->num) : (uint32_t)t->num;
	return 0;
}

static int parse_small(struct asm_ctx *c, uint64_t max, const char *what, uint32_t *out)
{
	struct tok *t = next(c);

	if (t->kind != T_NUM)
		return fail(c, -EINVAL, t->col, "expected %s, found '%s'", what, tok_desc(t));
	if (t->num > max)
		return fail(c, -EINVAL, t->col, "%s out of range (at most %llu)", what,
			    (unsigned long long)max);
	*out = (uint32_t)t->num;
	return 0;
}

static int parse_target(struct asm_ctx *c, struct target *tg)
{
	struct tok *t = next(c);

	memset(tg, 0, sizeof(*tg));
	tg->line = c->line;
	tg->col = t->col;
	if (t->kind == T_NUM) {
		tg->index = t->num;
		return 0;
	}
	if (t->kind == T_IDENT) {
		tg->label = true;
		memcpy(tg->name, t->text, sizeof(tg->name));
		return 0;
	}
	return fail(c, -EINVAL, t->col, "expected a jump target (index or label), found '%s'",
		    tok_desc(t));
}

/* `M[N]`, the 'M' already consumed. */
static int parse_mem(struct asm_ctx *c, uint32_t *k)
{
	int rc = expect_punct(c, "[");

	if (!rc)
		rc = parse_u32(c, k);
	if (!rc)
		rc = expect_punct(c, "]");
	return rc;
}

/* `args[N]` / `instruction_pointer`, optionally `>> 32`; the first token already consumed. */
static int parse_field(struct asm_ctx *c, struct pinsn *p, const struct tok *first)
{
	uint32_t idx = 0;
	int rc;

	if (is_ident(first, "args")) {
		rc = expect_punct(c, "[");
		if (!rc)
			rc = parse_small(c, 5, "an argument index", &idx);
		if (!rc)
			rc = expect_punct(c, "]");
		if (rc)
			return rc;
		p->field = idx + 1;
	} else {
		p->field = 0;
	}
	p->kk = K_FIELD;
	if (is_punct(peek(c, 0), ">>")) {
		struct tok *t;

		next(c);
		t = next(c);
		if (t->kind != T_NUM || t->num != 32)
			return fail(c, -EINVAL, t->col, "only '>> 32' (the high word) is a load");
		p->high = true;
	}
	return 0;
}

/* After `A =`. */
static int parse_load_a(struct asm_ctx *c, struct pinsn *p)
{
	struct tok *t = peek(c, 0);
	int rc;

	if (t->kind == T_IDENT) {
		next(c);
		if (strcmp(t->text, "nr") == 0 || strcmp(t->text, "arch") == 0) {
			p->ins.code = BPF_LD | BPF_W | BPF_ABS;
			p->ins.k = t->text[0] == 'n' ? SCK_DATA_OFF_NR : SCK_DATA_OFF_ARCH;
			return 0;
		}
		if (strcmp(t->text, "args") == 0 || strcmp(t->text, "instruction_pointer") == 0 ||
		    strcmp(t->text, "ip") == 0) {
			p->ins.code = BPF_LD | BPF_W | BPF_ABS;
			return parse_field(c, p, t);
		}
		if (strcmp(t->text, "data") == 0) {
			p->ins.code = BPF_LD | BPF_W | BPF_ABS;
			return parse_mem(c, &p->ins.k);
		}
		if (strcmp(t->text, "len") == 0) {
			p->ins.code = BPF_LD | BPF_W | BPF_LEN;
			return 0;
		}
		if (strcmp(t->text, "X") == 0) {
			p->ins.code = BPF_MISC | BPF_TXA;
			return 0;
		}
		if (strcmp(t->text, "M") == 0) {
			p->ins.code = BPF_LD | BPF_MEM;
			return parse_mem(c, &p->ins.k);
		}
		return fail(c, -EINVAL, t->col, "cannot load '%s' into A", t->text);
	}
	if (is_punct(t, "-") && is_ident(peek(c, 1), "A")) {
		next(c);
		next(c);
		p->ins.code = BPF_ALU | BPF_NEG;
		return 0;
	}
	p->ins.code = BPF_LD | BPF_IMM;
	rc = parse_u32(c, &p->ins.k);
	return rc;
}

static const struct {
	const char *text;
	uint16_t op;
} alu_ops[] = {
	{"+=", BPF_ADD}, {"-=", BPF_SUB},  {"*=", BPF_MUL},  {"/=", BPF_DIV}, {"|=", BPF_OR},
	{"&=", BPF_AND}, {"<<=", BPF_LSH}, {">>=", BPF_RSH}, {"%=", BPF_MOD}, {"^=", BPF_XOR},
};

static int parse_a(struct asm_ctx *c, struct pinsn *p)
{
	struct tok *t = next(c);

	if (is_punct(t, "="))
		return parse_load_a(c, p);
	for (size_t i = 0; i < sizeof(alu_ops) / sizeof(alu_ops[0]); i++) {
		if (!is_punct(t, alu_ops[i].text))
			continue;
		if (is_ident(peek(c, 0), "X")) {
			next(c);
			p->ins.code = BPF_ALU | alu_ops[i].op | BPF_X;
			return 0;
		}
		p->ins.code = BPF_ALU | alu_ops[i].op | BPF_K;
		return parse_u32(c, &p->ins.k);
	}
	return fail(c, -EINVAL, t->col,
		    "expected '=' or an operator like '+=' after 'A', found '%s'", tok_desc(t));
}

static int parse_x(struct asm_ctx *c, struct pinsn *p)
{
	struct tok *t;
	int rc = expect_punct(c, "=");

	if (rc)
		return rc;
	t = peek(c, 0);
	if (is_ident(t, "A")) {
		next(c);
		p->ins.code = BPF_MISC | BPF_TAX;
		return 0;
	}
	if (is_ident(t, "len")) {
		next(c);
		p->ins.code = BPF_LDX | BPF_W | BPF_LEN;
		return 0;
	}
	if (is_ident(t, "M")) {
		next(c);
		p->ins.code = BPF_LDX | BPF_MEM;
		return parse_mem(c, &p->ins.k);
	}
	if (t->kind == T_IDENT)
		return fail(c, -EINVAL, t->col, "cannot load '%s' into X", t->text);
	p->ins.code = BPF_LDX | BPF_IMM;
	return parse_u32(c, &p->ins.k);
}

static int parse_store(struct asm_ctx *c, struct pinsn *p)
{
	struct tok *t;
	int rc = parse_mem(c, &p->ins.k);

	if (!rc)
		rc = expect_punct(c, "=");
	if (rc)
		return rc;
	t = next(c);
	if (is_ident(t, "A"))
		p->ins.code = BPF_ST;
	else if (is_ident(t, "X"))
		p->ins.code = BPF_STX;
	else
		return fail(c, -EINVAL, t->col, "expected 'A' or 'X', found '%s'", tok_desc(t));
	return 0;
}

static const struct {
	const char *name;
	uint32_t action;
} actions[] = {
	{"ALLOW", SECCOMP_RET_ALLOW},
	{"LOG", SECCOMP_RET_LOG},
	{"ERRNO", SECCOMP_RET_ERRNO},
	{"TRACE", SECCOMP_RET_TRACE},
	{"USER_NOTIF", SECCOMP_RET_USER_NOTIF},
	{"TRAP", SECCOMP_RET_TRAP},
	{"KILL_THREAD", SECCOMP_RET_KILL_THREAD},
	{"KILL", SECCOMP_RET_KILL_THREAD},
	{"KILL_PROCESS", SECCOMP_RET_KILL_PROCESS},
};

static int parse_return(struct asm_ctx *c, struct pinsn *p)
{
	struct tok *t = peek(c, 0);

	p->ins.code = BPF_RET | BPF_K;
	if (is_ident(t, "A")) {
		next(c);
		p->ins.code = BPF_RET | BPF_A;
		return 0;
	}
	if (t->kind != T_IDENT)
		return parse_u32(c, &p->ins.k);
	next(c);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		uint32_t data = 0;
		int rc;

		if (strcmp(t->text, actions[i].name) != 0)
			continue;
		if (is_punct(peek(c, 0), "(")) {
			next(c);
			rc = parse_small(c, SECCOMP_RET_DATA, "the action's data", &data);
			if (!rc)
				rc = expect_punct(c, ")");
			if (rc)
				return rc;
		}
		p->ins.k = actions[i].action | data;
		return 0;
	}
	return fail(c, -EINVAL, t->col,
		    "unknown action '%s' (ALLOW, LOG, ERRNO(N), TRACE(N), USER_NOTIF, TRAP(N), "
		    "KILL_THREAD, KILL_PROCESS, A or a number)",
		    t->text);
}

/* The right operand of a comparison: a number, X, or a syscall name. */
static int parse_operand(struct asm_ctx *c, struct pinsn *p, bool *x)
{
	struct tok *t = peek(c, 0);

	*x = false;
	if (is_ident(t, "X")) {
		next(c);
		*x = true;
		return 0;
	}
	if (t->kind == T_IDENT) {
		next(c);
		p->kk = K_SYSCALL;
		p->line = c->line;
		p->col = t->col;
		/* ARCH:NAME, as the disassembler writes a number compared in another arch's
		 * branch (x32's under x86_64, i386's ...) */
		if (is_punct(peek(c, 0), ":") && peek(c, 1)->kind == T_IDENT) {
			memcpy(p->qual, t->text, sizeof(p->qual));
			next(c);
			t = next(c);
		}
		memcpy(p->name, t->text, sizeof(p->name));
		return 0;
	}
	return parse_u32(c, &p->ins.k);
}

static int parse_if(struct asm_ctx *c, struct pinsn *p)
{
	static const struct {
		const char *text;
		uint16_t op;
		bool neg;
	} cmps[] = {
		{"==", BPF_JEQ, false}, {"!=", BPF_JEQ, true},	{">", BPF_JGT, false},
		{"<=", BPF_JGT, true},	{">=", BPF_JGE, false}, {"<", BPF_JGE, true},
		{"&", BPF_JSET, false},
	};
	struct target tt, tf = {0};
	bool neg = false, x = false, has_else = false;
	uint16_t op = 0;
	struct tok *t;
	int rc;

	rc = expect_punct(c, "(");
	if (rc)
		return rc;
	if (is_punct(peek(c, 0), "!")) {
		/* if (!(A & V)) */
		next(c);
		rc = expect_punct(c, "(");
		if (!rc)
			rc = expect_ident(c, "A");
		if (!rc)
			rc = expect_punct(c, "&");
		if (!rc)
			rc = parse_operand(c, p, &x);
		if (!rc)
			rc = expect_punct(c, ")");
		if (rc)
			return rc;
		op = BPF_JSET;
		neg = true;
	} else {
		rc = expect_ident(c, "A");
		if (rc)
			return rc;
		t = next(c);
		size_t i;
		for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++)
			if (is_punct(t, cmps[i].text))
				break;
		if (i == sizeof(cmps) / sizeof(cmps[0]))
			return fail(c, -EINVAL, t->col,
				    "expected a comparison (== != > >= < <= &), found '%s'",
				    tok_desc(t));
		op = cmps[i].op;
		neg = cmps[i].neg;
		rc = parse_operand(c, p, &x);
		if (rc)
			return rc;
	}
	rc = expect_punct(c, ")");
	if (!rc)
		rc = expect_ident(c, "goto");
	if (!rc)
		rc = parse_target(c, &tt);
	if (rc)
		return rc;
	if (is_ident(peek(c, 0), "else")) {
		next(c);
		rc = expect_ident(c, "goto");
		if (!rc)
			rc = parse_target(c, &tf);
		if (rc)
			return rc;
		has_else = true;
	}
	p->ins.code = BPF_JMP | op | (x ? BPF_X : BPF_K);
	p->ntargets = 2;
	/* Without else, the other way is the next instruction: target index n + 1. */
	if (!has_else) {
		tf.label = false;
		tf.index = c->n + 1;
	}
	p->t[0] = neg ? tf : tt;
	p->t[1] = neg ? tt : tf;
	return 0;
}

static int parse_insn_directive(struct asm_ctx *c, struct pinsn *p)
{
	uint32_t code = 0, jt = 0, jf = 0;
	int rc = parse_small(c, 0xffff, "an opcode", &code);

	if (!rc)
		rc = expect_punct(c, ",");
	if (!rc)
		rc = parse_small(c, 255, "a jump offset", &jt);
	if (!rc)
		rc = expect_punct(c, ",");
	if (!rc)
		rc = parse_small(c, 255, "a jump offset", &jf);
	if (!rc)
		rc = expect_punct(c, ",");
	if (!rc)
		rc = parse_u32(c, &p->ins.k);
	if (rc)
		return rc;
	p->ins.code = (uint16_t)code;
	p->ins.jt = (uint8_t)jt;
	p->ins.jf = (uint8_t)jf;
	return 0;
}

static int add_label(struct asm_ctx *c, const struct tok *t)
{
	for (size_t i = 0; i < c->nlabels; i++)
		if (strcmp(c->labels[i].name, t->text) == 0)
			return fail(c, -EINVAL, t->col, "label '%s' defined twice", t->text);
	if (c->nlabels == c->lcap) {
		size_t ncap = c->lcap ? c->lcap * 2 : 16;
		struct label *nl = realloc(c->labels, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		c->labels = nl;
		c->lcap = ncap;
	}
	memcpy(c->labels[c->nlabels].name, t->text, sizeof(t->text));
	c->labels[c->nlabels++].index = c->n;
	return 0;
}

static int parse_line(struct asm_ctx *c, const char *line, size_t len)
{
	struct pinsn p;
	struct tok *t;
	int rc;

	rc = lex(c, line, len);
	if (rc)
		return rc;
	/* The disassembler's index prefix, "0042:", must match the instruction's position. */
	t = peek(c, 0);
	if (t->kind == T_NUM && is_punct(peek(c, 1), ":")) {
		if (t->num != c->n)
			return fail(c, -EINVAL, t->col,
				    "index %llu does not match the instruction's position %zu",
				    (unsigned long long)t->num, c->n);
		c->pos += 2;
	}
	while (peek(c, 0)->kind == T_IDENT && is_punct(peek(c, 1), ":")) {
		rc = add_label(c, peek(c, 0));
		if (rc)
			return rc;
		c->pos += 2;
	}
	t = next(c);
	if (t->kind == T_END)
		return 0;
	if (t->kind == T_DIR && strcmp(t->text, ".arch") == 0) {
		struct tok *a = next(c);

		if (a->kind != T_IDENT)
			return fail(c, -EINVAL, a->col, "expected an architecture name");
		if (c->directive)
			return fail(c, -EINVAL, t->col, "a second .arch directive");
		c->directive = sck_arch_from_name(a->text);
		if (!c->directive)
			return fail(c, -EINVAL, a->col, "unknown architecture '%s'", a->text);
		goto end;
	}
	memset(&p, 0, sizeof(p));
	p.line = c->line;
	p.col = t->col;
	if (t->kind == T_DIR && strcmp(t->text, ".insn") == 0)
		rc = parse_insn_directive(c, &p);
	else if (t->kind == T_DIR)
		rc = fail(c, -EINVAL, t->col, "unknown directive '%s' (.insn, .arch)", t->text);
	else if (is_ident(t, "A"))
		rc = parse_a(c, &p);
	else if (is_ident(t, "X"))
		rc = parse_x(c, &p);
	else if (is_ident(t, "M"))
		rc = parse_store(c, &p);
	else if (is_ident(t, "return"))
		rc = parse_return(c, &p);
	else if (is_ident(t, "goto")) {
		p.ins.code = BPF_JMP | BPF_JA;
		p.ntargets = 1;
		rc = parse_target(c, &p.t[0]);
	} else if (is_ident(t, "if"))
		rc = parse_if(c, &p);
	else
		rc = fail(c, -EINVAL, t->col, "unknown instruction '%s'", tok_desc(t));
	if (rc)
		return rc;
	if (c->n == SCK_BPF_MAXINSNS)
		return fail(c, -E2BIG, t->col, "more than %d instructions", SCK_BPF_MAXINSNS);
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct pinsn *ni = realloc(c->insns, ncap * sizeof(*ni));

		if (!ni)
			return -ENOMEM;
		c->insns = ni;
		c->cap = ncap;
	}
	c->insns[c->n++] = p;
end:
	t = next(c);
	if (t->kind != T_END)
		return fail(c, -EINVAL, t->col, "unexpected '%s' after the instruction",
			    tok_desc(t));
	return 0;
}

/* Turn target @tg of instruction @i into an offset from i + 1 no larger than @max. */
static int resolve_target(struct asm_ctx *c, size_t i, const struct target *tg, uint64_t max,
			  uint32_t *off)
{
	uint64_t idx = tg->index;

	c->line = tg->line;
	if (tg->label) {
		size_t l;

		for (l = 0; l < c->nlabels; l++)
			if (strcmp(c->labels[l].name, tg->name) == 0)
				break;
		if (l == c->nlabels)
			return fail(c, -ENOENT, tg->col, "unknown label '%s'", tg->name);
		idx = c->labels[l].index;
	}
	if (idx < i + 1)
		return fail(c, -EINVAL, tg->col,
			    "jump to %llu from %zu goes backwards (BPF jumps only forward)",
			    (unsigned long long)idx, i);
	if (idx - (i + 1) > max)
		return fail(c, -EINVAL, tg->col,
			    "jump from %zu to %llu is too far (a conditional jump skips at most "
			    "255 instructions)",
			    i, (unsigned long long)idx);
	*off = (uint32_t)(idx - (i + 1));
	return 0;
}

static int resolve(struct asm_ctx *c, const struct sck_arch *forced, struct sock_filter *out)
{
	struct sck_bpf_track *st;
	int rc = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct pinsn *p = &c->insns[i];
		uint32_t o0 = 0, o1 = 0;

		if (p->ntargets == 1) {
			rc = resolve_target(c, i, &p->t[0], UINT32_MAX, &o0);
			if (rc)
				return rc;
			p->ins.k = o0;
		} else if (p->ntargets == 2) {
			rc = resolve_target(c, i, &p->t[0], 255, &o0);
			if (!rc)
				rc = resolve_target(c, i, &p->t[1], 255, &o1);
			if (rc)
				return rc;
			p->ins.jt = (uint8_t)o0;
			p->ins.jf = (uint8_t)o1;
		}
	}
	st = malloc(c->n * sizeof(*st));
	if (!st)
		return -ENOMEM;
	sck_bpf_track_init(st, c->n);
	for (size_t i = 0; i < c->n; i++) {
		struct pinsn *p = &c->insns[i];
		const struct sck_arch *arch = sck_bpf_track_arch(st, i, forced);

		if (p->kk == K_FIELD) {
			p->ins.k = sck_bpf_field_offset(p->field, p->high, arch);
		} else if (p->kk == K_SYSCALL) {
			int nr;

			if (p->qual[0]) {
				arch = sck_arch_from_name(p->qual);
				if (!arch) {
					c->line = p->line;
					rc = fail(c, -ENOENT, p->col, "unknown arch '%s'", p->qual);
					break;
				}
			}
			nr = sck_syscall_nr(arch, p->name);
			if (nr < 0) {
				c->line = p->line;
				rc = fail(c, -ENOENT, p->col, "unknown syscall '%s' on %s", p->name,
					  arch ? arch->name : "this architecture");
				break;
			}
			p->ins.k = (uint32_t)nr;
		}
		out[i] = p->ins;
		sck_bpf_track_step(st, c->n, i, &p->ins);
	}
	free(st);
	return rc;
}

int sck_bpf_asm_alloc(const char *text, const struct sck_bpf_asm_opts *opts,
		      struct sock_filter **prog, size_t *len, struct sck_diag *diag)
{
	struct asm_ctx c;
	struct sock_filter *out = NULL;
	const char *s;
	int rc;

	if (!text || !prog || !len)
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.diag = diag;
	for (s = text;;) {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);

		c.line++;
		rc = parse_line(&c, s, n);
		if (rc)
			goto out;
		if (!eol)
			break;
		s = eol + 1;
	}
	if (c.n == 0) {
		c.line = 0;
		rc = fail(&c, -EINVAL, 0, "no instructions");
		goto out;
	}
	out = malloc(c.n * sizeof(*out));
	if (!out) {
		rc = -ENOMEM;
		goto out;
	}
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): the field is a pointer, on purpose */
	rc = resolve(&c, c.directive ? c.directive : SCK_OPTS_GET(opts, arch, NULL), out);
	if (rc)
		goto out;
	*prog = out;
	*len = c.n;
	out = NULL;
out:
	free(out);
	free(c.insns);
	free(c.labels);
	return rc;
}
