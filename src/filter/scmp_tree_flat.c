// SPDX-License-Identifier: MIT
/*
 * The flattening of libseccomp's rule database (scmp_tree.c) into first-match rules: a depth
 * first walk writes each path, its nodes' true or false outcomes as sck conditions, with its
 * action, in the order libseccomp's program tries them. An allowlist (rules of one action and
 * one comparison each) comes out as added.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter_int.h"
#include "filter/scmp_tree_int.h"

struct walk {
	const struct sck_scmp_tree *t;
	int (*emit)(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n);
	void *ctx;
	struct sck_cond conds[64];
	struct sck_cond joined[64];
	size_t n;
};

static int walk_level(struct walk *w, int l);

/*
 * A path's conditions as they are handed out: a 64-bit `==` is two nodes, the high word's
 * (masked) then the low word's; they are joined back into the one test the rule wrote, so that
 * a path costs what its rule's own test costs.
 */
static size_t join_eq(const struct sck_cond *in, size_t n, struct sck_cond *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct sck_cond *c = &in[i], *d = i + 1 < n ? &in[i + 1] : NULL;
		if (d && c->op == SCK_CMP_MASKED_EQ && !(c->flags & SCK_COND_LOW32) &&
		    c->mask == 0xffffffff00000000u && d->arg == c->arg && d->op == SCK_CMP_EQ &&
		    (d->flags & SCK_COND_LOW32)) {
			out[k++] = (struct sck_cond){.arg = c->arg,
						     .op = SCK_CMP_EQ,
						     .value = (c->value & c->mask) |
							      (d->value & 0xffffffffu)};
			i++;
			continue;
		}
		out[k++] = *c;
	}
	return k;
}

static int walk_branch(struct walk *w, const struct branch *b)
{
	if (b->kind == BR_ACT) {
		size_t n = join_eq(w->conds, w->n, w->joined);
		return w->emit(w->ctx, b->act, w->joined, n);
	}
	if (b->kind == BR_SUB)
		return walk_level(w, b->lvl);
	return 0;
}

static size_t node_conds(const struct node *n, bool sense, struct sck_cond alt[2])
{
	uint64_t lo = (uint64_t)n->datum << 32, top = lo | 0xffffffffu;
	struct sck_cond c = {.arg = n->arg};

	if (!n->hi) {
		c.flags = SCK_COND_LOW32;
		c.value = n->datum;
		switch (n->op) {
		case N_EQ:
			c.op = sense ? SCK_CMP_EQ : SCK_CMP_NE;
			break;
		case N_GT:
			c.op = sense ? SCK_CMP_GT : SCK_CMP_LE;
			break;
		case N_GE:
			c.op = sense ? SCK_CMP_GE : SCK_CMP_LT;
			break;
		case N_ME:
			if (!sense)
				return 0; /* never generated: masked nodes have no false branch */
			c.op = SCK_CMP_MASKED_EQ;
			c.mask = n->mask;
			break;
		}
		alt[0] = c;
		return 1;
	}
	switch (n->op) {
	case N_EQ:
		if (sense) {
			c.op = SCK_CMP_MASKED_EQ;
			c.mask = 0xffffffff00000000u;
			c.value = lo;
			alt[0] = c;
			return 1;
		} else {
			size_t k = 0;
			if (n->datum != 0)
				alt[k++] = (struct sck_cond){
					.arg = n->arg, .op = SCK_CMP_LT, .value = lo};
			if (n->datum != 0xffffffffu)
				alt[k++] = (struct sck_cond){
					.arg = n->arg, .op = SCK_CMP_GT, .value = top};
			return k;
		}
	case N_GT:
		if (sense && n->datum == 0xffffffffu)
			return 0;
		c.op = sense ? SCK_CMP_GT : SCK_CMP_LE;
		c.value = top;
		break;
	case N_GE:
		if (!sense && n->datum == 0)
			return 0;
		c.op = sense ? SCK_CMP_GE : SCK_CMP_LT;
		c.value = lo;
		break;
	case N_ME:
		if (!sense)
			return 0;
		c.op = SCK_CMP_MASKED_EQ;
		c.mask = (uint64_t)n->mask << 32;
		c.value = lo;
		break;
	}
	alt[0] = c;
	return 1;
}

static int walk_side(struct walk *w, const struct node *n, bool sense, const struct branch *b)
{
	struct sck_cond alt[2];
	size_t k;
	int rc;

	if (b->kind == BR_NONE)
		return 0;
	k = node_conds(n, sense, alt);
	for (size_t i = 0; i < k; i++) {
		if (w->n == sizeof(w->conds) / sizeof(w->conds[0]))
			return -ENOMEM;
		w->conds[w->n++] = alt[i];
		rc = walk_branch(w, b);
		w->n--;
		if (rc)
			return rc;
	}
	return 0;
}

static int walk_level(struct walk *w, int l)
{
	int rc;

	for (int x = w->t->lv[sck_scmp_find(w->t, l)].head; x >= 0; x = w->t->nodes[x].next) {
		const struct node *n = &w->t->nodes[x];
		if ((rc = walk_side(w, n, true, &n->t)) || (rc = walk_side(w, n, false, &n->f)))
			return rc;
	}
	return 0;
}

/* An allowlist's rules as written, in the order added (the sck condition of each comparison). */
static int flatten_singles(const struct sck_scmp_tree *t, bool arg32,
			   int (*emit)(void *ctx, uint32_t action, const struct sck_cond *conds,
				       size_t n),
			   void *ctx)
{
	uint64_t width = arg32 ? 0xffffffffu : UINT64_MAX;

	for (size_t i = 0; i < t->ns; i++) {
		const struct sck_scmp_cmp *c = &t->singles[i];
		struct sck_cond d = {.arg = c->arg,
				     .op = sck_scmp_op_to_cmp(c->op),
				     .flags = arg32 ? SCK_COND_LOW32 : 0,
				     .value = c->a & width};
		int rc;
		if (c->op == SCK_SCMP_MASKED_EQ) {
			/* libseccomp keeps the expected value's bits inside the mask */
			d.mask = c->a & width;
			d.value = c->b & c->a & width;
		}
		rc = emit(ctx, t->singles_act, &d, 1);
		if (rc)
			return rc;
	}
	return 0;
}

int sck_scmp_tree_flatten(const struct sck_scmp_tree *t, bool arg32,
			  int (*emit)(void *ctx, uint32_t action, const struct sck_cond *conds,
				      size_t n),
			  void *ctx)
{
	struct walk *w;
	int rc;

	if (!t || !emit)
		return -EINVAL;
	if (t->uncond)
		return emit(ctx, t->uncond_act, NULL, 0);
	if (t->root < 0)
		return 0;
	if (!t->mixed && t->ns)
		return flatten_singles(t, arg32, emit, ctx);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->t = t;
	w->emit = emit;
	w->ctx = ctx;
	rc = walk_level(w, t->root);
	free(w);
	return rc;
}
