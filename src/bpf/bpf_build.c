// SPDX-License-Identifier: MIT
/*
 * The program builder: instructions are appended with symbolic jump targets (labels, or "the
 * next instruction"), and finish lays the program out. Classic BPF conditional jumps carry 8-bit
 * offsets, so a target more than 255 instructions ahead is reached through a BPF_JA trampoline
 * (32-bit offset) placed right after the jump. Inserting trampolines moves other targets further
 * away, so the layout is repeated until no jump needs a new trampoline; since trampolines are only
 * ever added, this fixpoint is reached after a few rounds.
 */
#include "sck/bpf.h"
#include "bpf_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sck_bpf_builder_new(struct sck_bpf_builder **out)
{
	struct sck_bpf_builder *b;

	if (!out)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	*out = b;
	return 0;
}

void sck_bpf_builder_reset(struct sck_bpf_builder *b)
{
	for (size_t i = 0; b->lname && i < b->nlab; i++)
		free(b->lname[i]);
	free(b->lname);
	b->lname = NULL;
	b->n = 0;
	b->nlab = 0;
}

int sck_bpf_builder_reserve(struct sck_bpf_builder *b, size_t insns, size_t labels)
{
	if (insns > b->cap) {
		struct sck_bpf_binsn *ni = realloc(b->insn, insns * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		b->insn = ni;
		b->cap = insns;
	}
	if (labels > b->labcap && !b->lname) {
		int *np = realloc(b->lpos, labels * sizeof(*np));
		if (!np)
			return -ENOMEM;
		b->lpos = np;
		b->labcap = labels;
	}
	return 0;
}

void sck_bpf_builder_free(struct sck_bpf_builder *b)
{
	if (!b)
		return;
	sck_bpf_builder_reset(b);
	free(b->lpos);
	free(b->insn);
	free(b);
}

/* Room for one more label (names too when @named, or when some label has one already). */
static int label_room(struct sck_bpf_builder *b, bool named)
{
	size_t cap = b->labcap;

	if (b->nlab == cap) {
		int *np;
		cap = cap ? cap * 4 : 64;
		np = realloc(b->lpos, cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		b->lpos = np;
		if (b->lname) {
			char **nn = realloc(b->lname, cap * sizeof(*nn));
			if (!nn)
				return -ENOMEM;
			b->lname = nn;
		}
		b->labcap = cap;
	}
	if (named && !b->lname) {
		b->lname = calloc(b->labcap, sizeof(*b->lname));
		if (!b->lname)
			return -ENOMEM;
	}
	return 0;
}

int sck_bpf_label(struct sck_bpf_builder *b, const char *name)
{
	char *dup = NULL;

	if (!b)
		return -EINVAL;
	if (name && b->lname) {
		for (size_t i = 0; i < b->nlab; i++)
			if (b->lname[i] && strcmp(b->lname[i], name) == 0)
				return (int)i;
	}
	if (b->nlab >= (size_t)0x7fffffff)
		return -ENOMEM;
	if (label_room(b, name != NULL))
		return -ENOMEM;
	if (name) {
		dup = strdup(name);
		if (!dup)
			return -ENOMEM;
	}
	b->lpos[b->nlab] = -1;
	if (b->lname)
		b->lname[b->nlab] = dup;
	return (int)b->nlab++;
}

int sck_bpf_bind(struct sck_bpf_builder *b, int label)
{
	if (!b || label < 0 || (size_t)label >= b->nlab)
		return -EINVAL;
	if (b->lpos[label] >= 0)
		return -EEXIST;
	b->lpos[label] = (int)b->n; /* below SCK_BPF_BUILD_MAX */
	return 0;
}

static void put(struct sck_bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	struct sck_bpf_binsn *i = &b->insn[b->n];

	i->code = code;
	i->k = k;
	i->jt = jt;
	i->jf = jf;
}

/* append when the array is full: apart, so that the common path calls nothing */
static __attribute__((noinline)) int append_grow(struct sck_bpf_builder *b, uint16_t code,
						 uint32_t k, int jt, int jf)
{
	size_t cap = b->cap ? b->cap * 4 : 1024;
	struct sck_bpf_binsn *ni = realloc(b->insn, cap * sizeof(*ni));

	if (!ni)
		return -ENOMEM;
	b->insn = ni;
	b->cap = cap;
	put(b, code, k, jt, jf);
	return (int)b->n++;
}

static int append(struct sck_bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	if (b->n >= SCK_BPF_BUILD_MAX)
		return -E2BIG;
	if (b->n == b->cap)
		return append_grow(b, code, k, jt, jf);
	put(b, code, k, jt, jf);
	return (int)b->n++;
}

int sck_bpf_stmt(struct sck_bpf_builder *b, uint16_t code, uint32_t k)
{
	if (!b || BPF_CLASS(code) == BPF_JMP)
		return -EINVAL;
	return append(b, code, k, SCK_BPF_NEXT, SCK_BPF_NEXT);
}

int sck_bpf_jump(struct sck_bpf_builder *b, uint16_t code, uint32_t k, int jt, int jf)
{
	if (!b || BPF_CLASS(code) != BPF_JMP)
		return -EINVAL;
	if (BPF_OP(code) == BPF_JA)
		jf = SCK_BPF_NEXT;
	if (!sck_bpf_label_ok(b, jt) || !sck_bpf_label_ok(b, jf))
		return -EINVAL;
	return append(b, code, k, jt, jf);
}

/*
 * How far ahead of instruction @i jump target @label is, as a direct offset before any trampoline
 * (the instructions jumped over), with the labels' places @lpos: SCK_BPF_NEXT is 0; a label bound
 * at or behind @i, or unbound, is huge (the unsigned difference wraps).
 */
static inline size_t ahead(const int *lpos, size_t i, int label)
{
	return label == SCK_BPF_NEXT ? 0 : (size_t)((long)lpos[label] - (long)i - 1);
}

/*
 * A conditional jump that may need a trampoline once the layout moves things: one whose target
 * is more than 85 builder instructions ahead (an instruction grows by at most 2 trampolines, so
 * nearer targets stay within 255 whatever happens). Targets as builder indexes.
 */
struct cand {
	uint32_t i, t, f;
	bool tt, tf; /* the true / false target goes through a trampoline */
};

/* Trampolines after candidate @c's jump: one serves both targets when they are one place. */
static unsigned int tramp_count(const struct cand *c)
{
	if (c->tt && c->tf)
		return c->t == c->f ? 1 : 2;
	return c->tt || c->tf;
}

/* A candidate of jump @i with its targets @dt and @df ahead (trampolines where they are far). */
static inline struct cand make_cand(size_t i, size_t dt, size_t df)
{
	return (struct cand){.i = (uint32_t)i,
			     .t = (uint32_t)(i + 1 + dt),
			     .f = (uint32_t)(i + 1 + df),
			     .tt = dt > 255,
			     .tf = df > 255};
}

/*
 * The layout of a program that needs trampolines: where instruction i lands (pos[n] is the end),
 * the trampolines after each, the candidates in ascending order.
 */
struct layout {
	uint32_t *pos;
	uint8_t *tr;
	struct cand *cand;
	uint32_t *ja; /* the BPF_JA instructions */
	size_t ncand, nja;
};

/*
 * What write_run does with an opcode, by its low byte (the class and the operation are there):
 * the BPF_JMP class is a conditional jump unless its operation is BPF_JA. One lookup an
 * instruction instead of two tests.
 */
enum { KIND_OTHER, KIND_COND, KIND_JA };

#define KIND_COND2(op) [BPF_JMP | (op)] = KIND_COND, [BPF_JMP | (op) | BPF_X] = KIND_COND

static const uint8_t insn_kind[256] = {
	[BPF_JMP | BPF_JA] = KIND_JA,
	[BPF_JMP | BPF_JA | BPF_X] = KIND_JA,
	KIND_COND2(0x10),
	KIND_COND2(0x20),
	KIND_COND2(0x30),
	KIND_COND2(0x40),
	KIND_COND2(0x50),
	KIND_COND2(0x60),
	KIND_COND2(0x70),
	KIND_COND2(0x80),
	KIND_COND2(0x90),
	KIND_COND2(0xa0),
	KIND_COND2(0xb0),
	KIND_COND2(0xc0),
	KIND_COND2(0xd0),
	KIND_COND2(0xe0),
	KIND_COND2(0xf0),
};

#undef KIND_COND2

/*
 * Write instructions @i... of @b to @out as they are when no trampoline moves anything, while
 * that is sure without a closer look: conditional jumps whose targets are both less than 256
 * ahead (@tail: the last 256 instructions, where the bound is what is left before the end).
 * With @l, the candidates are noted. Returns where it stopped (a jump for check_jump: BPF_JA, a
 * target further or out of place), or @end. (Always inline: write_part's four calls are four
 * loops, without a test of @tail or @l an instruction.)
 */
static inline __attribute__((always_inline)) size_t write_run(const struct sck_bpf_builder *b,
							      size_t i, size_t end, bool tail,
							      struct sock_filter *out,
							      struct layout *l)
{
	const struct sck_bpf_binsn *insn = b->insn;
	const int *lpos = b->lpos;
	struct cand *cand = l ? l->cand + l->ncand : NULL;
	size_t n = b->n;

	for (; i < end; i++) {
		const struct sck_bpf_binsn *in = &insn[i];
		unsigned int kind = insn_kind[in->code & 0xff];
		size_t dt, df, room = tail ? n - i - 1 : 256;

		if (kind == KIND_OTHER) {
			out[i] = (struct sock_filter){.code = in->code, .k = in->k};
			continue;
		}
		if (kind != KIND_COND)
			break;
		dt = ahead(lpos, i, in->jt);
		df = ahead(lpos, i, in->jf);
		if ((dt | df) >= room)
			break;
		out[i] = (struct sock_filter){
			.code = in->code, .jt = (uint8_t)dt, .jf = (uint8_t)df, .k = in->k};
		if (l && (dt >= 85 || df >= 85))
			*cand++ = make_cand(i, dt, df);
	}
	if (l)
		l->ncand = (size_t)(cand - l->cand);
	return i;
}

/*
 * Jump @i, which write_run left, checked (every target bound, ahead of the jump, at an
 * instruction that exists: -EINVAL otherwise) and written to @d with its offsets as they are
 * before any trampoline (truncated when too far: the layout rewrites them). Returns 1 when it is
 * a candidate, in *@c, 2 for a BPF_JA, else 0.
 */
static int check_jump(const struct sck_bpf_builder *b, size_t i, struct sock_filter *d,
		      struct cand *c)
{
	const struct sck_bpf_binsn *in = &b->insn[i];
	size_t room = b->n - i - 1, dt = ahead(b->lpos, i, in->jt), df;

	if (dt >= room)
		return -EINVAL;
	if (BPF_OP(in->code) == BPF_JA) {
		/* (32-bit offsets: never a trampoline) */
		*d = (struct sock_filter){.code = in->code, .k = (uint32_t)dt};
		return 2;
	}
	df = ahead(b->lpos, i, in->jf);
	if (df >= room)
		return -EINVAL;
	*d = (struct sock_filter){
		.code = in->code, .jt = (uint8_t)dt, .jf = (uint8_t)df, .k = in->k};
	if (dt < 85 && df < 85)
		return 0;
	*c = make_cand(i, dt, df);
	return 1;
}

/*
 * Write @b's instructions from @i on to @out (write_run, check_jump where it stops), from the
 * head (@tail false: up to the last 256 instructions) or the tail. With @l, the candidates are
 * noted; without, it stops at the first jump that needs a trampoline. Returns 0, where it
 * stopped in *@ip, or -EINVAL.
 */
static int write_part(const struct sck_bpf_builder *b, size_t *ip, bool tail,
		      struct sock_filter *out, struct layout *l)
{
	size_t n = b->n, end = tail ? n : n > 256 ? n - 256 : 0;

	for (size_t i = *ip;; i++) {
		struct cand c;
		int rc;

		/* (each case its own loop: no test of @tail or @l an instruction) */
		if (l)
			i = tail ? write_run(b, i, end, true, out, l)
				 : write_run(b, i, end, false, out, l);
		else
			i = tail ? write_run(b, i, end, true, out, NULL)
				 : write_run(b, i, end, false, out, NULL);
		*ip = i;
		if (i >= end)
			return 0;
		rc = check_jump(b, i, &out[i], &c);
		if (rc < 0)
			return rc;
		if (rc == 1 && (c.tt || c.tf) && !l)
			return 0;
		if (rc == 1 && l) {
			l->tr[i] = (uint8_t)tramp_count(&c);
			l->cand[l->ncand++] = c;
		}
		if (rc == 2 && l)
			l->ja[l->nja++] = (uint32_t)i;
	}
}

/*
 * One layout round: positions from instruction @from on (the ones before have not moved), then
 * the candidates that newly need a trampoline. Returns the first instruction whose trampolines
 * grew, or n when none did (the layout is final).
 */
static size_t layout_round(size_t n, struct layout *l, size_t from)
{
	uint32_t at = l->pos[from], extra;
	size_t grown = n;

	for (size_t i = from; i < n; i++) {
		l->pos[i] = at;
		at += 1U + l->tr[i];
	}
	l->pos[n] = at;
	/* (a jump is at most the @extra trampolines there are further from its targets than in
	 * the builder: one whose targets stay within reach even so needs no look at @pos) */
	extra = at - (uint32_t)n;
	for (size_t k = 0; k < l->ncand; k++) {
		struct cand *c = &l->cand[k];
		uint32_t p;
		bool tt = c->tt, tf = c->tf;

		if (c->t - c->i + extra <= 256 && c->f - c->i + extra <= 256)
			continue;
		p = l->pos[c->i];

		/* A direct offset counts from the instruction after the jump; the
		 * trampolines sit in between and are jumped over. */
		c->tt |= l->pos[c->t] - p - 1 > 255;
		c->tf |= l->pos[c->f] - p - 1 > 255;
		if (c->tt != tt || c->tf != tf) {
			l->tr[c->i] = (uint8_t)tramp_count(c);
			if (grown == n)
				grown = c->i;
		}
	}
	return grown;
}

/* Candidate @c's jump written at @f (its place @p), with its trampolines after it. */
static void write_cand(const struct sock_filter *x0, const struct cand *c, const uint32_t *pos,
		       struct sock_filter *f)
{
	struct sock_filter x = *x0;
	uint32_t p = pos[c->i], t = pos[c->t], e = pos[c->f], slot = 0;

	if (c->tt && c->tf && c->t == c->f) {
		/* Both far, one place: a single trampoline serves both. */
		x.jt = x.jf = 0;
		f[1] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, t - p - 2);
		*f = x;
		return;
	}
	/* (slot: the next free trampoline, counted from the jump) */
	if (c->tt) {
		x.jt = (uint8_t)slot;
		f[1 + slot] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, t - p - 2 - slot);
		slot++;
	} else {
		x.jt = (uint8_t)(t - p - 1);
	}
	if (c->tf) {
		x.jf = (uint8_t)slot;
		f[1 + slot] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, e - p - 2 - slot);
	} else {
		x.jf = (uint8_t)(e - p - 1);
	}
	*f = x;
}

/*
 * @out's @n instructions (as first written: offsets before any trampoline; the candidates' in
 * @l) laid out in @fin, trampolines inserted. The runs between trampolines move as they are;
 * then the offsets that change are rewritten: those of the jumps up to 84 before a trampoline
 * (a jump that is no candidate reaches no further), of the candidates, of the BPF_JAs.
 */
static void spread(const struct sock_filter *out, size_t n, const struct layout *l,
		   struct sock_filter *fin)
{
	const uint32_t *pos = l->pos;
	const struct cand *c, *end = l->ncand ? l->cand + l->ncand : l->cand;
	size_t start = 0, fixed = 0;

	for (c = l->cand; c < end; c++) {
		size_t s = c->i;
		if (!l->tr[s])
			continue;
		memcpy(&fin[pos[start]], &out[start], (s + 1 - start) * sizeof(*out));
		start = s + 1;
		for (size_t i = s > 84 && s - 84 > fixed ? s - 84 : fixed; i < s; i++) {
			struct sock_filter x = out[i];
			uint32_t q = pos[i] + 1;
			if (BPF_CLASS(x.code) != BPF_JMP || BPF_OP(x.code) == BPF_JA)
				continue;
			x.jt = (uint8_t)(pos[i + 1 + x.jt] - q);
			x.jf = (uint8_t)(pos[i + 1 + x.jf] - q);
			fin[q - 1] = x;
		}
		fixed = s;
	}
	memcpy(&fin[pos[start]], &out[start], (n - start) * sizeof(*out));
	for (c = l->cand; c < end; c++) {
		uint32_t p = pos[c->i];
		/* (one without trampolines whose targets moved as far as it did is as copied) */
		if (!c->tt && !c->tf && pos[c->t] - p == c->t - c->i &&
		    pos[c->f] - p == c->f - c->i)
			continue;
		write_cand(&out[c->i], c, pos, &fin[p]);
	}
	for (size_t k = 0; k < l->nja; k++) {
		size_t i = l->ja[k];
		fin[pos[i]].k = pos[i + 1 + out[i].k] - pos[i] - 1;
	}
}

/*
 * The rest of finish once jump @i0 needs a trampoline: the instructions after it written and
 * the candidates noted (those before it from their offsets in *@outp), the layout repeated until
 * no jump needs a new trampoline, the program spread out into a new *@outp of *@len.
 */
static int finish_far(const struct sck_bpf_builder *b, size_t cap, size_t i0,
		      struct sock_filter **outp, size_t *len)
{
	const struct sock_filter *out = *outp;
	struct sock_filter *fin;
	struct layout l = {0};
	size_t n = b->n, i = i0, grown, total;
	int rc = 0;

	l.pos = malloc((n + 1) * sizeof(*l.pos));
	l.tr = calloc(n, sizeof(*l.tr));
	l.cand = malloc(n * sizeof(*l.cand));
	l.ja = malloc(n * sizeof(*l.ja));
	if (!l.pos || !l.tr || !l.cand || !l.ja) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < i0; k++) {
		const struct sock_filter *d = &out[k];
		if (BPF_CLASS(d->code) != BPF_JMP)
			continue;
		if (BPF_OP(d->code) == BPF_JA)
			l.ja[l.nja++] = (uint32_t)k;
		else if (d->jt >= 85 || d->jf >= 85)
			l.cand[l.ncand++] = make_cand(k, d->jt, d->jf);
	}
	if (i < (n > 256 ? n - 256 : 0))
		rc = write_part(b, &i, false, *outp, &l);
	if (!rc)
		rc = write_part(b, &i, true, *outp, &l);
	if (rc)
		goto out;
	/* before the first trampoline (@i0's), instruction i lands at i */
	for (size_t k = 0; k <= i0; k++)
		l.pos[k] = (uint32_t)k;
	grown = i0;
	while (grown < n)
		grown = layout_round(n, &l, grown);
	total = l.pos[n];
	if (total > cap) {
		rc = -E2BIG;
		goto out;
	}
	fin = malloc(total * sizeof(*fin));
	if (!fin) {
		rc = -ENOMEM;
		goto out;
	}
	spread(out, n, &l, fin);
	free(*outp);
	*outp = fin;
	*len = total;
out:
	free(l.pos);
	free(l.tr);
	free(l.cand);
	free(l.ja);
	return rc;
}

int sck_bpf_builder_finish_alloc(struct sck_bpf_builder *b, struct sock_filter **prog, size_t *len)
{
	return sck_bpf_builder_finish_cap(b, SCK_BPF_MAXINSNS, prog, len);
}

/*
 * One pass writes every instruction with its offsets as they are in the builder: most programs
 * need no trampoline and are done then. A target less than 256 ahead is sure to be in the
 * program before its last 256 instructions; in those, the bound is what is left. The first jump
 * that needs a trampoline hands the rest to finish_far.
 */
int sck_bpf_builder_finish_cap(struct sck_bpf_builder *b, size_t cap, struct sock_filter **prog,
			       size_t *len)
{
	struct sock_filter *out;
	size_t i = 0;
	int rc;

	if (!b || !prog || !len)
		return -EINVAL;
	if (b->n == 0)
		return -ENODATA;
	out = malloc(b->n * sizeof(*out));
	if (!out)
		return -ENOMEM;
	rc = write_part(b, &i, false, out, NULL);
	if (!rc && i >= (b->n > 256 ? b->n - 256 : 0))
		rc = write_part(b, &i, true, out, NULL);
	*len = b->n;
	if (!rc && i < b->n)
		rc = finish_far(b, cap, i, &out, len);
	else if (!rc && b->n > cap)
		rc = -E2BIG;
	if (rc) {
		free(out);
		return rc;
	}
	*prog = out;
	return 0;
}
