// SPDX-License-Identifier: MIT
/*
 * The assembler's tokens: one line split into identifiers, numbers, punctuation and directives,
 * the cursor over them, and number reading with the place of each error.
 */
#include "bpf/bpf_asm_int.h"
#include "opts_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sck_asm_fail(struct sck_asm_ctx *c, int err, unsigned int col, const char *fmt, ...)
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

int sck_asm_lex(struct sck_asm_ctx *c, const char *line, size_t n)
{
	static const char *const puncts[] = {"<<=", ">>=", "==", "!=", ">=", "<=", "<<",
					     ">>",  "+=",  "-=", "*=", "/=", "%=", "&=",
					     "|=",  "^=",  "=",	 ">",  "<",  "&",  "!",
					     "(",   ")",   "[",	 "]",  ",",  ":",  "-"};
	size_t i = 0;

	c->ntok = 0;
	c->pos = 0;
	for (;;) {
		struct sck_asm_tok *t;
		unsigned char ch;

		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (c->ntok == MAX_TOKS)
			return sck_asm_fail(c, -EINVAL, (unsigned int)i + 1, "line too long");
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
				return sck_asm_fail(c, -EINVAL, t->col, "name too long");
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
					return sck_asm_fail(c, -EINVAL, t->col, "number too large");
				v = v * base + d;
				digits++;
			}
			if (digits == 0 || (i < n && ident_char((unsigned char)line[i])))
				return sck_asm_fail(c, -EINVAL, t->col, "malformed number");
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
			return sck_asm_fail(c, -EINVAL, t->col, "unexpected character '%c'",
					    isprint(ch) ? ch : '?');
	}
}

struct sck_asm_tok *sck_asm_peek(struct sck_asm_ctx *c, size_t ahead)
{
	size_t p = c->pos + ahead;

	return &c->toks[p < c->ntok ? p : c->ntok - 1];
}

struct sck_asm_tok *sck_asm_next(struct sck_asm_ctx *c)
{
	struct sck_asm_tok *t = sck_asm_peek(c, 0);

	if (t->kind != T_END)
		c->pos++;
	return t;
}

bool sck_asm_is_punct(const struct sck_asm_tok *t, const char *p)
{
	return t->kind == T_PUNCT && strcmp(t->text, p) == 0;
}

bool sck_asm_is_ident(const struct sck_asm_tok *t, const char *s)
{
	return t->kind == T_IDENT && strcmp(t->text, s) == 0;
}

const char *sck_asm_tok_desc(const struct sck_asm_tok *t)
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

int sck_asm_expect_punct(struct sck_asm_ctx *c, const char *p)
{
	struct sck_asm_tok *t = sck_asm_next(c);

	if (!sck_asm_is_punct(t, p))
		return sck_asm_fail(c, -EINVAL, t->col, "expected '%s', found '%s'", p,
				    sck_asm_tok_desc(t));
	return 0;
}

int sck_asm_expect_ident(struct sck_asm_ctx *c, const char *s)
{
	struct sck_asm_tok *t = sck_asm_next(c);

	if (!sck_asm_is_ident(t, s))
		return sck_asm_fail(c, -EINVAL, t->col, "expected '%s', found '%s'", s,
				    sck_asm_tok_desc(t));
	return 0;
}

/* A 32-bit constant: decimal or hex, or negative decimal as two's complement. */
int sck_asm_parse_u32(struct sck_asm_ctx *c, uint32_t *out)
{
	struct sck_asm_tok *t = sck_asm_next(c);
	bool neg = false;

	if (sck_asm_is_punct(t, "-")) {
		neg = true;
		t = sck_asm_next(c);
	}
	if (t->kind != T_NUM)
		return sck_asm_fail(c, -EINVAL, t->col, "expected a number, found '%s'",
				    sck_asm_tok_desc(t));
	if (neg ? t->num > 0x80000000ull : t->num > 0xffffffffull)
		return sck_asm_fail(c, -EINVAL, t->col, "number out of the 32-bit range");
	*out = neg ? (uint32_t)(0u - (uint32_t)t->num) : (uint32_t)t->num;
	return 0;
}

int sck_asm_parse_small(struct sck_asm_ctx *c, uint64_t max, const char *what, uint32_t *out)
{
	struct sck_asm_tok *t = sck_asm_next(c);

	if (t->kind != T_NUM)
		return sck_asm_fail(c, -EINVAL, t->col, "expected %s, found '%s'", what,
				    sck_asm_tok_desc(t));
	if (t->num > max)
		return sck_asm_fail(c, -EINVAL, t->col, "%s out of range (at most %llu)", what,
				    (unsigned long long)max);
	*out = (uint32_t)t->num;
	return 0;
}
