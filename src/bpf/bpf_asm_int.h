/* SPDX-License-Identifier: MIT */
/*
 * The assembler's private parts (bpf_asm.c parses lines into instructions and resolves them;
 * bpf_asm_lex.c splits a line into tokens and reads numbers): tokens, parsed instructions and
 * the parsing context.
 */
#ifndef SCK_BPF_ASM_INT_H
#define SCK_BPF_ASM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/bpf.h"

/* ---- Tokens ------------------------------------------------------------------------------- */

enum sck_asm_tok_kind { T_END, T_IDENT, T_NUM, T_PUNCT, T_DIR };

struct sck_asm_tok {
	enum sck_asm_tok_kind kind;
	unsigned int col;
	uint64_t num;
	char text[64]; /* identifier, directive (with its dot) or punctuation */
};

#define MAX_TOKS 64

/* ---- Parsed program ----------------------------------------------------------------------- */

/* A jump target: an absolute index, or a label to look up. */
struct sck_asm_target {
	bool label;
	uint64_t index;
	char name[64];
	unsigned int line, col;
};

enum sck_asm_kkind {
	K_NUM,	   /* k is final */
	K_SYSCALL, /* k is the syscall @name on @qual's arch, or the instruction's */
	K_FIELD,   /* k is the offset of 64-bit field @field, word @high, by the arch's order */
};

struct sck_asm_insn {
	struct sock_filter ins;
	enum sck_asm_kkind kk;
	char name[64];
	char qual[64]; /* `x32:read`: the arch a syscall name is read on; "" for the tracked one */
	unsigned int field;
	bool high;
	int ntargets; /* 0; 1 (JA: k); 2 (jt, jf) */
	struct sck_asm_target t[2];
	unsigned int line, col; /* where the name or instruction is, for errors */
};

struct sck_asm_label {
	char name[64];
	size_t index;
};

struct sck_asm_ctx {
	struct sck_asm_insn *insns;
	size_t n, cap;
	struct sck_asm_label *labels;
	size_t nlabels, lcap;
	const struct sck_arch *directive; /* .arch */
	struct sck_diag *diag;
	unsigned int line;
	struct sck_asm_tok toks[MAX_TOKS];
	size_t ntok, pos;
};

/* Record an error at column @col of the current line in the diagnostic; returns @err. */
__attribute__((format(printf, 4, 5))) int sck_asm_fail(struct sck_asm_ctx *c, int err,
						       unsigned int col, const char *fmt, ...);
int sck_asm_lex(struct sck_asm_ctx *c, const char *line, size_t n);
struct sck_asm_tok *sck_asm_peek(struct sck_asm_ctx *c, size_t ahead);
struct sck_asm_tok *sck_asm_next(struct sck_asm_ctx *c);
bool sck_asm_is_punct(const struct sck_asm_tok *t, const char *p);
bool sck_asm_is_ident(const struct sck_asm_tok *t, const char *s);
const char *sck_asm_tok_desc(const struct sck_asm_tok *t);
int sck_asm_expect_punct(struct sck_asm_ctx *c, const char *p);
int sck_asm_expect_ident(struct sck_asm_ctx *c, const char *s);
int sck_asm_parse_u32(struct sck_asm_ctx *c, uint32_t *out);
int sck_asm_parse_small(struct sck_asm_ctx *c, uint64_t max, const char *what, uint32_t *out);

#endif
