// SPDX-License-Identifier: MIT
/*
 * Merging equal code in a laid-out program, for programs that do not fit otherwise: a filter over
 * several arches often holds the same argument decision once per arch (x86's and x32's low-word
 * trees, x86_64's after its high-word test), as separate copies. Two instructions are equal when
 * they have the same opcode and operand and their successors are equal, which classes every
 * instruction bottom-up (jumps only go forward); a `JA` is equal to its target, as one copy may
 * go through a trampoline where another goes straight. Each class keeps its last copy (never a
 * `JA`): a jump into an
 * earlier copy goes to the last one where its 8-bit offset reaches it, and an earlier copy of a
 * block worth it that is still entered becomes one `JA` to the last copy (one instruction more on
 * the paths through it). What nothing reaches any more goes, and the jumps are laid out again;
 * a jump to a trampoline that the merge brought within reach of its target then goes straight.
 * Every path runs copies of the instructions it ran before: the same verdicts, the same loads.
 */
#include "bpf_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/filter.h>

#define NONE UINT32_MAX
/* a copy is replaced by a `JA` only when its block is at least this big (instructions) */
#define STUB_MIN 4
#define SIZE_CAP (1U << 30)

struct key {
	uint16_t code;
	uint32_t k;
	uint32_t a, b; /* the successors' classes, NONE where there is none */
};

struct classes {
	struct key *key; /* per class */
	uint32_t *last;	 /* per class: the position of its last copy */
	uint32_t *size;	 /* per class: instructions of its block (shared parts counted again) */
	uint32_t *slot;	 /* hash table: class + 1, 0 empty */
	size_t mask, n;
};

static uint64_t key_hash(const struct key *k)
{
	uint64_t h = ((uint64_t)k->code << 32 | k->k) * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)k->a << 32 | k->b) * 0xc2b2ae3d27d4eb4fULL;
	return h ^ (h >> 29);
}

static uint32_t intern(struct classes *c, const struct key *k, uint32_t pos)
{
	size_t i = (size_t)key_hash(k) & c->mask;

	for (; c->slot[i]; i = (i + 1) & c->mask) {
		const struct key *o = &c->key[c->slot[i] - 1];
		if (o->code == k->code && o->k == k->k && o->a == k->a && o->b == k->b)
			return c->slot[i] - 1;
	}
	c->key[c->n] = *k;
	c->last[c->n] = pos;
	{
		uint64_t s = 1;
		s += k->a != NONE ? c->size[k->a] : 0;
		s += k->b != NONE ? c->size[k->b] : 0;
		c->size[c->n] = s > SIZE_CAP ? SIZE_CAP : (uint32_t)s;
	}
	c->slot[i] = (uint32_t)++c->n;
	return (uint32_t)c->n - 1;
}

static bool is_cond(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* The successors of instruction @i (NONE: none); false when one is out of the program. */
static bool succ(const struct sock_filter *p, size_t n, size_t i, size_t *a, size_t *b)
{
	*a = *b = NONE;
	if (BPF_CLASS(p[i].code) == BPF_RET)
		return true;
	if (BPF_CLASS(p[i].code) != BPF_JMP)
		*a = i + 1;
	else if (BPF_OP(p[i].code) == BPF_JA)
		*a = i + 1 + (size_t)p[i].k;
	else
		*a = i + 1 + p[i].jt, *b = i + 1 + p[i].jf;
	return *a < n && (*b == NONE || *b < n);
}

/* Point jump @i's edge (its true target when @t, else the false one) at position @to. */
static void retarget(struct sock_filter *p, size_t i, bool t, size_t to)
{
	if (BPF_OP(p[i].code) == BPF_JA)
		p[i].k = (uint32_t)(to - i - 1);
	else if (t)
		p[i].jt = (uint8_t)(to - i - 1);
	else
		p[i].jf = (uint8_t)(to - i - 1);
}

/* Keep what instruction 0 reaches (and the last instruction, a return), and lay it out again. */
static int compact(struct sock_filter *p, size_t *len, uint32_t *newpos)
{
	size_t n = *len, m = 0;
	bool *live;

	if (n == 0)
		return -EINVAL;
	live = calloc(n, sizeof(*live));
	if (!live)
		return -ENOMEM;
	live[0] = live[n - 1] = true;
	for (size_t i = 0; i < n; i++) {
		size_t a, b;
		if (!live[i])
			continue;
		succ(p, n, i, &a, &b);
		if (a != NONE)
			live[a] = true;
		if (b != NONE)
			live[b] = true;
	}
	for (size_t i = 0; i < n; i++) {
		newpos[i] = (uint32_t)m;
		m += live[i];
	}
	for (size_t i = 0; i < n; i++) {
		struct sock_filter in = p[i];
		size_t a, b;
		if (!live[i])
			continue;
		succ(p, n, i, &a, &b);
		if (BPF_CLASS(in.code) == BPF_JMP) {
			/* (a kept distance is never longer than it was: 8 bits still hold it) */
			if (BPF_OP(in.code) == BPF_JA) {
				in.k = newpos[a] - newpos[i] - 1;
			} else {
				in.jt = (uint8_t)(newpos[a] - newpos[i] - 1);
				in.jf = (uint8_t)(newpos[b] - newpos[i] - 1);
			}
		}
		p[newpos[i]] = in;
	}
	*len = m;
	free(live);
	return 0;
}

/* The classes of a program, for last_copy. */
struct last_ctx {
	const struct classes *c;
	const uint32_t *cls;
};

/* Where an edge to @t had better go: the last copy of @t. */
static size_t last_copy(const struct sock_filter *p, size_t t, const void *ctx)
{
	const struct last_ctx *lc = ctx;

	(void)p;
	return lc->c->last[lc->cls[t]];
}

/* Where an edge to @t had better go: past the `JA`s it would run first. */
static size_t past_trampolines(const struct sock_filter *p, size_t t, const void *ctx)
{
	(void)ctx;
	while (p[t].code == (BPF_JMP | BPF_JA))
		t += 1 + (size_t)p[t].k;
	return t;
}

/* Every jump's edge to @dest of its target, where a conditional jump's 8-bit offset reaches. */
static void redirect(struct sock_filter *p, size_t n,
		     size_t (*dest)(const struct sock_filter *p, size_t t, const void *ctx),
		     const void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		size_t a, b;
		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		succ(p, n, i, &a, &b);
		for (int e = 0; e < 2; e++) {
			size_t t = e ? b : a, to;
			if (t == NONE)
				continue;
			to = dest(p, t, ctx);
			if (to != t && (!is_cond(p[i].code) || to - i - 1 <= 255))
				retarget(p, i, e == 0, to);
		}
	}
}

int sck_bpf_dedup(struct sock_filter *p, size_t *len)
{
	size_t n = len ? *len : 0, cap = 16;
	struct classes c = {0};
	uint32_t *cls = NULL;
	struct last_ctx lc = {&c, NULL};
	int rc = 0;

	if (!p || n == 0 || n >= NONE / 4)
		return -EINVAL;
	while (cap < 2 * n)
		cap *= 2;
	c.key = malloc(n * sizeof(*c.key));
	c.last = malloc(n * sizeof(*c.last));
	c.size = malloc(n * sizeof(*c.size));
	c.slot = calloc(cap, sizeof(*c.slot));
	cls = malloc(n * sizeof(*cls));
	if (!c.key || !c.last || !c.size || !c.slot || !cls) {
		rc = -ENOMEM;
		goto out;
	}
	c.mask = cap - 1;
	lc.cls = cls;
	/* classes, from the last instruction up: successors are classed first */
	for (size_t i = n; i-- > 0;) {
		struct key k = {.code = p[i].code, .k = p[i].k, .a = NONE, .b = NONE};
		size_t a, b;
		if (!succ(p, n, i, &a, &b)) {
			rc = -EINVAL;
			goto out;
		}
		if (BPF_CLASS(k.code) == BPF_JMP && BPF_OP(k.code) == BPF_JA) {
			/* a jump does what its target does: one code may reach a block directly
			 * where another goes through a `JA` (a trampoline, a far fall-through) */
			cls[i] = cls[a];
			continue;
		}
		k.a = a != NONE ? cls[a] : NONE;
		k.b = b != NONE ? cls[b] : NONE;
		cls[i] = intern(&c, &k, (uint32_t)i);
	}
	/* jumps into an earlier copy: to the last copy where the offset reaches */
	redirect(p, n, last_copy, &lc);
	/* earlier copies of big blocks that are still entered: one `JA` to the last copy */
	for (size_t i = 0; i + 1 < n; i++)
		if (c.last[cls[i]] != i && c.size[cls[i]] >= STUB_MIN &&
		    BPF_CLASS(p[i].code) != BPF_RET)
			p[i] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA,
							    (uint32_t)(c.last[cls[i]] - i - 1));
	rc = compact(p, len, cls);
	if (rc)
		goto out;
	/* the code between a far jump and its target may have gone: jump past the trampolines */
	redirect(p, *len, past_trampolines, NULL);
	rc = compact(p, len, cls);
out:
	free(c.key);
	free(c.last);
	free(c.size);
	free(c.slot);
	free(cls);
	return rc;
}
