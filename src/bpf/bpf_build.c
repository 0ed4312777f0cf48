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

void sck_bpf_builder_free(struct sck_bpf_builder *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->lname && i < b->nlab; i++)
		free(b->lname[i]);
	free(b->lname);
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
		cap = cap ? cap * 2 : 16;
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
	i->tt = i->tf = false;
}

/* append when the array is full: apart, so that the common path calls nothing */
static __attribute__((noinline)) int append_grow(struct sck_bpf_builder *b, uint16_t code,
						 uint32_t k, int jt, int jf)
{
	size_t cap = b->cap ? b->cap * 4 : 64;
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

/* The builder index a jump target resolves to: the label's instruction, or the next one. */
static long target(const struct sck_bpf_builder *b, size_t i, int label)
{
	return label == SCK_BPF_NEXT ? (long)i + 1 : b->lpos[label];
}

static size_t tramp_count(const struct sck_bpf_binsn *in, long t, long f)
{
	if (in->tt && in->tf)
		return t == f ? 1 : 2;
	return (in->tt || in->tf) ? 1 : 0;
}

/*
 * The layout's scratch: per builder instruction its resolved targets and its trampolines, and
 * the conditional jumps that could ever need one. An instruction grows by at most 2 trampolines,
 * so a jump whose target is at most 85 builder instructions ahead stays within 255 whatever
 * happens: most jumps of a search tree never need a second look.
 */
struct layout {
	size_t *pos;  /* where instruction i lands (pos[n] is the end) */
	long *t, *f;  /* builder indexes of the true / false targets */
	uint8_t *tr;  /* trampolines after instruction i */
	size_t *cand; /* conditional jumps that may need a trampoline */
	size_t ncand;
};

/* One layout round; returns the number of jumps that newly need a trampoline (0: final). */
static size_t layout_round(struct sck_bpf_builder *b, struct layout *l)
{
	size_t at = 0, grown = 0;

	for (size_t i = 0; i < b->n; i++) {
		l->pos[i] = at;
		at += 1 + (size_t)l->tr[i];
	}
	l->pos[b->n] = at;
	for (size_t c = 0; c < l->ncand; c++) {
		size_t i = l->cand[c];
		struct sck_bpf_binsn *in = &b->insn[i];
		bool was = in->tt || in->tf;

		/* A direct offset counts from the instruction after the jump; the
		 * trampolines sit in between and are jumped over. */
		if (!in->tt && l->pos[l->t[i]] - l->pos[i] - 1 > 255) {
			in->tt = true;
			grown++;
		}
		if (!in->tf && l->pos[l->f[i]] - l->pos[i] - 1 > 255) {
			in->tf = true;
			grown++;
		}
		if (in->tt || in->tf || was)
			l->tr[i] = (uint8_t)tramp_count(in, l->t[i], l->f[i]);
	}
	return grown;
}

static void layout_fini(struct layout *l)
{
	free(l->t);
	free(l->f);
	free(l->tr);
	free(l->cand);
}

/*
 * Check jump @i's targets (bound, ahead of it, at an instruction that exists) and note them in
 * @l, as the first layout round (without trampolines yet, instruction i lands at i). Returns how
 * many of its targets need a trampoline, or -1 when one is out of place.
 */
static inline int scan_jump(struct sck_bpf_builder *b, struct layout *l, size_t i)
{
	struct sck_bpf_binsn *in = &b->insn[i];
	long t, f;

	in->tt = in->tf = false;
	t = target(b, i, in->jt);
	f = BPF_OP(in->code) == BPF_JA ? t : target(b, i, in->jf);
	/* i < t < n, as one unsigned compare (an unbound label is at -1) */
	if ((size_t)(t - (long)i - 1) >= b->n - i - 1 || (size_t)(f - (long)i - 1) >= b->n - i - 1)
		return -1;
	l->t[i] = t;
	l->f[i] = f;
	/* a candidate: a target more than 85 ahead ((t - i) * 3 > 256) */
	if (BPF_OP(in->code) == BPF_JA || (t - (long)i <= 85 && f - (long)i <= 85))
		return 0;
	l->cand[l->ncand++] = i;
	in->tt = t - (long)i - 1 > 255;
	in->tf = f - (long)i - 1 > 255;
	if (in->tt || in->tf)
		l->tr[i] = (uint8_t)tramp_count(in, t, f);
	return in->tt + in->tf;
}

int sck_bpf_builder_finish_alloc(struct sck_bpf_builder *b, struct sock_filter **prog, size_t *len)
{
	return sck_bpf_builder_finish_cap(b, SCK_BPF_MAXINSNS, prog, len);
}

int sck_bpf_builder_finish_cap(struct sck_bpf_builder *b, size_t cap, struct sock_filter **prog,
			       size_t *len)
{
	struct sock_filter *out = NULL, *direct;
	struct layout l = {0};
	size_t *pos = NULL, total, grown = 0, i = 0;
	int rc = 0;

	if (!b || !prog || !len)
		return -EINVAL;
	if (b->n == 0)
		return -ENODATA;
	l.t = malloc(b->n * sizeof(*l.t));
	l.f = malloc(b->n * sizeof(*l.f));
	l.tr = calloc(b->n, sizeof(*l.tr));
	l.cand = malloc(b->n * sizeof(*l.cand));
	pos = malloc((b->n + 1) * sizeof(*pos));
	if (!l.t || !l.f || !l.tr || !l.cand || !pos) {
		rc = -ENOMEM;
		goto out;
	}
	l.pos = pos;
	/*
	 * Every target must be bound, ahead of its jump, at an instruction that exists. The first
	 * layout round rides along: without trampolines yet, instruction i lands at i. So does
	 * the program's writing (@direct), until a jump needs a trampoline: many programs need
	 * none, and are done then; the others are laid out and written again below.
	 */
	direct = b->n <= cap ? malloc(b->n * sizeof(*direct)) : NULL;
	out = direct;
	for (; direct && i < b->n; i++) {
		const struct sck_bpf_binsn *in = &b->insn[i];
		struct sock_filter *d = &direct[i];
		int far;

		*d = (struct sock_filter){.code = in->code, .k = in->k};
		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		far = scan_jump(b, &l, i);
		if (far < 0) {
			rc = -EINVAL;
			goto out;
		}
		if (far > 0) {
			grown += (size_t)far;
			direct = NULL;
		} else if (BPF_OP(in->code) == BPF_JA) {
			d->k = (uint32_t)(l.t[i] - (long)i - 1);
		} else {
			d->jt = (uint8_t)(l.t[i] - (long)i - 1);
			d->jf = (uint8_t)(l.f[i] - (long)i - 1);
		}
	}
	for (; i < b->n; i++) {
		int far;

		if (BPF_CLASS(b->insn[i].code) != BPF_JMP)
			continue;
		far = scan_jump(b, &l, i);
		if (far < 0) {
			rc = -EINVAL;
			goto out;
		}
		grown += (size_t)far;
	}
	if (direct) {
		*prog = direct;
		*len = b->n;
		out = NULL;
		goto out;
	}
	if (grown) {
		while (layout_round(b, &l) > 0)
			;
	} else {
		for (i = 0; i <= b->n; i++)
			pos[i] = i;
	}
	total = pos[b->n];
	if (total > cap) {
		rc = -E2BIG;
		goto out;
	}
	/* every instruction and trampoline is written below (in the room direct had, when it
	 * was made) */
	{
		struct sock_filter *room = realloc(out, total * sizeof(*out));
		if (!room) {
			rc = -ENOMEM;
			goto out;
		}
		out = room;
	}
	for (i = 0; i < b->n; i++) {
		const struct sck_bpf_binsn *in = &b->insn[i];
		struct sock_filter *f = &out[pos[i]];
		size_t t, e, nt;

		*f = (struct sock_filter){.code = in->code, .k = in->k};
		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		t = pos[l.t[i]];
		if (BPF_OP(in->code) == BPF_JA) {
			f->k = (uint32_t)(t - pos[i] - 1);
			continue;
		}
		e = pos[l.f[i]];
		nt = tramp_count(in, l.t[i], l.f[i]);
		if (nt == 1 && in->tt && in->tf) {
			/* Both far, one place: a single trampoline serves both. */
			f->jt = f->jf = 0;
			f[1] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA,
							    (uint32_t)(t - pos[i] - 2));
			continue;
		}
		size_t slot = 0; /* next free trampoline, counted from the jump */

		if (in->tt) {
			f->jt = (uint8_t)slot;
			f[1 + slot] = (struct sock_filter)BPF_STMT(
				BPF_JMP | BPF_JA, (uint32_t)(t - pos[i] - 2 - slot));
			slot++;
		} else {
			f->jt = (uint8_t)(t - pos[i] - 1);
		}
		if (in->tf) {
			f->jf = (uint8_t)slot;
			f[1 + slot] = (struct sock_filter)BPF_STMT(
				BPF_JMP | BPF_JA, (uint32_t)(e - pos[i] - 2 - slot));
			slot++;
		} else {
			f->jf = (uint8_t)(e - pos[i] - 1);
		}
	}
	*prog = out;
	*len = total;
	out = NULL;
out:
	free(out);
	free(pos);
	layout_fini(&l);
	return rc;
}
