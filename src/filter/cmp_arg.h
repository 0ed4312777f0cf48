/* SPDX-License-Identifier: MIT */
/*
 * The argument planner: the ordered rules of one syscall number (a verdict of the IR) become one
 * decision over argument words instead of a chain of rules. A 64-bit operand is split in halves;
 * each decision tests one word: the values of that word that matter to some rule cut its 32-bit
 * domain into ranges, each with what is left to decide (the residual), and a search tree of
 * JGE / JEQ finds the range. Single-bit masks with one outcome fold into one JSET; masks sharing
 * a mask AND once. Identical residuals are one node (hash-consing), so common prefixes of
 * several rules, and equal sub-decisions of different syscalls, are emitted once per section.
 * A verdict whose decision would grow far beyond its rules (products of ranges over several
 * arguments) is left to the rule-by-rule chain.
 */
#ifndef SCK_CMP_ARG_H
#define SCK_CMP_ARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter/cmp_emit.h"
#include "filter/filter_int.h"

/* How hard the value trees trade depth for length (0: fastest; sck_arg_pressure_max: shortest). */
unsigned int sck_arg_pressure_max(void);

struct sck_argplan;

/*
 * The lowest pressure above @level at which the sections planned in @plans are expected to fit
 * @limit instructions, given that at @level they took @total (without returns and trampolines).
 */
unsigned int sck_arg_pressure_fit(struct sck_argplan *const *plans, size_t nplans,
				  unsigned int level, size_t total, size_t limit);

/* ---- internals shared by cmp_arg.c (planning) and cmp_arg_emit.c (code) ---- */

/* What an atom tests: one 32-bit word of an argument, or a 64-bit comparison as a whole. */
enum sck_atom_kind {
	SCK_ATOM_IV = 1,   /* word in [a, b] (neg: not in it) */
	SCK_ATOM_MASK = 2, /* (word & a) == b */
	SCK_ATOM_W64 = 3,  /* the 64-bit argument (word: its high word) op v: NE, LT, LE, GT, GE */
};

/* word codes: arg * 2 + 1 for the high word, arg * 2 for the low word */
struct sck_atom {
	uint8_t kind, word, neg, op;
	uint32_t a, b;
	uint64_t v;
};

/* One rule of a residual: @action when all @n atoms hold. */
struct sck_rent {
	uint32_t action;
	uint32_t n;
	const struct sck_atom *at;
};

/* What is left to decide: the first entry whose atoms hold, else @final. */
struct sck_res {
	const struct sck_rent *e;
	size_t n;
	uint32_t final;
};

/* A node's range [lo, hi] of the tested value and the node that decides from there. */
struct sck_vrange {
	uint32_t lo, hi;
	uint32_t child;
};

enum sck_anode_kind {
	SCK_AN_CONST = 1, /* return @action */
	SCK_AN_RANGE = 2, /* search (word & @mask) over @r */
	SCK_AN_JSET = 3,  /* word & @mask: @t when not zero, else @f */
};

#define SCK_STATE_UNKNOWN (-1) /* A holds nothing the planner knows (nr, or a masked word) */
#define SCK_STATE_UNSET (-2)   /* no parent seen yet */

/* (the members ordered by size: 104 bytes, no padding) */
struct sck_anode {
	struct sck_res res;
	uint64_t hash;
	uint64_t full_hash; /* res_hash_full | 1 of a long residual once made, else 0 */
	const struct sck_vrange *r;
	/* AN_RANGE: its @nx exceptions (copies of those ranges of @r not deciding by @dflt), and
	 * their child when they all have the same one (else UINT32_MAX) */
	const struct sck_vrange *xs;
	uint32_t xchild;
	int state; /* what A holds on entry: a word code, or SCK_STATE_* */
	uint32_t mask;
	uint32_t action;
	uint32_t t, f;
	uint32_t nr;
	uint32_t dflt;	    /* AN_RANGE: the child its chains fall through to */
	uint32_t nx, xcost; /* AN_RANGE: ranges tested as exceptions, and their compares */
	int label;	    /* -1 until referenced in the section being emitted */
	uint8_t kind, word;
	bool emitted;
	uint8_t argdepth; /* arguments tested before it on its longest way in (emission) */
};

struct sck_argplan {
	const struct sck_ir *ir;
	const struct sck_ir_group *g;
	unsigned int pressure;
	struct sck_anode *nodes;
	size_t nnodes, capnodes;
	uint32_t *memo; /* open addressing: node index + 1, 0 empty */
	size_t capmemo;
	long *roots; /* per verdict: its node, -1 not planned, -ENOSPC too large */
	/* the current verdict's budget */
	size_t budget;
	/* the word the node being planned tests, + 1 (0: at a verdict's root): its children prefer
	 * the low word of an argument whose high word it tests */
	unsigned int parent_word;
	/* tests only: plan every range by the sweep (cmp_arg_range.c), never the fast path */
	bool no_fast;
	/* bump allocator */
	void **blocks;
	size_t nblocks, capblocks;
	unsigned char *cur;
	size_t left;
};

/* Make @nd a search of (word @w & @mask) over the @nr ranges @r. */
static inline void sck_anode_range(struct sck_anode *nd, uint8_t w, uint32_t mask,
				   const struct sck_vrange *r, size_t nr)
{
	nd->kind = SCK_AN_RANGE;
	nd->word = w;
	nd->mask = mask;
	nd->r = r;
	nd->nr = (uint32_t)nr;
}

void *sck_argplan_alloc(struct sck_argplan *ap, size_t size);

/* Where the planner's arena stands (sck_argplan_release gives back what was allocated since). */
struct sck_arena_pos {
	unsigned char *cur;
	size_t left, nblocks;
};

static inline struct sck_arena_pos sck_argplan_pos(const struct sck_argplan *ap)
{
	return (struct sck_arena_pos){ap->cur, ap->left, ap->nblocks};
}

/* Give back what was allocated since @p (kept when it took a new block). */
static inline void sck_argplan_release(struct sck_argplan *ap, struct sck_arena_pos p)
{
	if (ap->nblocks == p.nblocks) {
		ap->cur = p.cur;
		ap->left = p.left;
	}
}
/* The node deciding normalized residual @r (made once). Returns its index or -errno. */
long sck_argplan_plan(struct sck_argplan *ap, const struct sck_res *r);
/* The memo's hash of residual @r (cmp_arg_memo.c). */
uint64_t sck_res_hash(const struct sck_res *r);
/* The node whose residual is @r (hash @h), or -1. */
long sck_argplan_memo_find(struct sck_argplan *ap, const struct sck_res *r, uint64_t h);
/* Add node @nd (its residual and hash set) to the memo. Returns its index or -ENOMEM. */
long sck_argplan_node_add(struct sck_argplan *ap, const struct sck_anode *nd);
/* Append the range ending at @hi (from where the last ended) deciding by @child; merges. */
static inline void sck_vrange_push(struct sck_vrange *vr, size_t *nr, uint32_t hi, uint32_t child)
{
	uint32_t lo = *nr ? vr[*nr - 1].hi + 1 : 0;

	if (*nr && vr[*nr - 1].hi >= hi)
		return; /* already covered */
	if (*nr && vr[*nr - 1].child == child)
		vr[*nr - 1].hi = hi;
	else
		vr[(*nr)++] = (struct sck_vrange){lo, hi, child};
}
/* Plan @r as a search over the raw values of word @w (cmp_arg_range.c): fills @nd. */
long sck_arg_plan_ranges(struct sck_argplan *ap, const struct sck_res *r, uint8_t w,
			 struct sck_anode *nd);
/*
 * The fast case of sck_arg_plan_ranges (cmp_arg_fast.c): every rule of @r one interval of @w and
 * nothing else. Returns 1 when @nd was filled (the plan sck_arg_plan_ranges would make), 0 when
 * @r is not of that shape, or -errno.
 */
long sck_arg_plan_fast(struct sck_argplan *ap, const struct sck_res *r, uint8_t w,
		       struct sck_anode *nd);
/* Sort @n values ascending (@tmp: room for @n more). */
void sck_sort_u32(uint32_t *a, size_t n, uint32_t *tmp);
/* Sort @n items by their high 32 bits, keeping the order of equal ones (@tmp: room for @n). */
void sck_sort_hi32(uint64_t *a, size_t n, uint64_t *tmp);
/* Normal form of a residual's entries (cmp_arg.c). */
void sck_res_normalize(struct sck_rent *e, size_t *n, uint32_t *final);

/* A planner for one section (one audit arch group) of @ir. */
int sck_argplan_new(const struct sck_ir *ir, const struct sck_ir_group *g,
		    struct sck_argplan **out);
void sck_argplan_free(struct sck_argplan *ap);

/*
 * Plan the decision of verdict @v (entered with A holding nr). Returns its root node (>= 0),
 * -ENOSPC when the decision would be too large (emit the verdict's rule chain instead), or
 * -ENOMEM.
 */
long sck_argplan_verdict(struct sck_argplan *ap, size_t v);

/* After every verdict of the section was planned: what A holds on entry to each node. */
void sck_argplan_seal(struct sck_argplan *ap);

/* Start emitting (again) at @pressure: no node referenced yet. */
void sck_argplan_start(struct sck_argplan *ap, unsigned int pressure);

/* The label of node @node (a return for a constant); marks the node for emission. */
int sck_argplan_ref(struct sck_argplan *ap, struct sck_emit *e, long node);

/* Emit every referenced node (and what they reference in turn). */
void sck_argplan_emit(struct sck_argplan *ap, struct sck_emit *e);

#endif
