// SPDX-License-Identifier: MIT
/*
 * libseccomp's per-syscall rule database as observed from libseccomp 2.5.4's own pseudo filter
 * code and programs (docs/semantics.md), and its flattening into first-match rules. Nodes
 * compare one 32-bit word of one argument (EQ, GT, GE or masked EQ) and have a true and a false
 * branch, each nothing (fall through to the next node of the enclosing level), an action, or a
 * sub-level. Levels are sorted: arguments descending; equality nodes (EQ, masked) before range
 * nodes (GT, GE); then the compared value descending; ties keep insertion order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scmp_tree.h"

enum br_kind { BR_NONE = 0, BR_ACT = 1, BR_SUB = 2 };
enum node_op { N_EQ = 1, N_GT = 2, N_GE = 3, N_ME = 4 };

struct node;

struct branch {
	enum br_kind kind;
	uint32_t act;
	struct node *sub; /* a level: a list through ->next */
};

struct node {
	unsigned int arg;
	bool hi;
	enum node_op op;
	uint64_t mask, datum; /* 32-bit ABIs keep the rule's 64-bit operands: they order nodes */
	struct branch t, f;
	struct node *next;
};

struct sck_scmp_tree {
	bool uncond;
	uint32_t uncond_act;
	struct node *root;
};

static void level_free(struct node *n)
{
	while (n) {
		struct node *nx = n->next;
		level_free(n->t.sub);
		level_free(n->f.sub);
		free(n);
		n = nx;
	}
}

static struct node *level_dup(const struct node *n, bool *oom)
{
	struct node *head = NULL, **tail = &head;

	for (; n && !*oom; n = n->next) {
		struct node *c = malloc(sizeof(*c));
		if (!c) {
			*oom = true;
			break;
		}
		*c = *n;
		c->next = NULL;
		c->t.sub = level_dup(n->t.sub, oom);
		c->f.sub = level_dup(n->f.sub, oom);
		*tail = c;
		tail = &c->next;
	}
	return head;
}

int sck_scmp_tree_new(struct sck_scmp_tree **out)
{
	struct sck_scmp_tree *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*out = t;
	return 0;
}

void sck_scmp_tree_free(struct sck_scmp_tree *t)
{
	if (!t)
		return;
	level_free(t->root);
	free(t);
}

int sck_scmp_tree_dup(const struct sck_scmp_tree *t, struct sck_scmp_tree **out)
{
	bool oom = false;
	struct sck_scmp_tree *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	*c = *t;
	c->root = level_dup(t->root, &oom);
	if (oom) {
		sck_scmp_tree_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

bool sck_scmp_tree_empty(const struct sck_scmp_tree *t)
{
	return !t->uncond && !t->root;
}

/* ---- chains ---- */

static struct node *mknode(unsigned int arg, bool hi, enum node_op op, uint64_t mask,
			   uint64_t datum)
{
	struct node *n = calloc(1, sizeof(*n));
	if (n) {
		n->arg = arg;
		n->hi = hi;
		n->op = op;
		n->mask = mask;
		n->datum = datum;
	}
	return n;
}

static int br_dup(const struct branch *b, struct branch *out)
{
	bool oom = false;

	*out = *b;
	out->sub = level_dup(b->sub, &oom);
	return oom ? -ENOMEM : 0;
}

static struct branch sub(struct node *n)
{
	return (struct branch){.kind = BR_SUB, .sub = n};
}

/*
 * The nodes of one comparison, @cont (owned) their continuation when it holds. 32-bit ABIs
 * compare the low words only; 64-bit ones a high then a low word (range comparisons first test
 * the high word with GT, then EQ on it and the low word), as libseccomp 2.5.4 generates.
 */
static int chain_cmp(const struct sck_scmp_cmp *c, bool arg32, struct branch cont,
		     struct branch *out)
{
	/* a masked compare keeps only the expected value's bits inside the mask */
	uint64_t mv = c->b & c->a;
	uint32_t hv = (uint32_t)(mv >> 32), lv = (uint32_t)mv;
	uint32_t hm = (uint32_t)(c->a >> 32), lm = (uint32_t)c->a;
	uint32_t hd = (uint32_t)(c->a >> 32), ld = (uint32_t)c->a;
	struct node *lo = NULL, *h1 = NULL, *h2 = NULL;
	struct branch dup = {0};
	enum node_op lop;
	bool neg;

	switch (c->op) {
	case SCK_SCMP_EQ:
	case SCK_SCMP_NE:
		lop = N_EQ;
		break;
	case SCK_SCMP_GT:
	case SCK_SCMP_LE:
		lop = N_GT;
		break;
	case SCK_SCMP_GE:
	case SCK_SCMP_LT:
		lop = N_GE;
		break;
	default:
		lop = N_ME;
		break;
	}
	neg = c->op == SCK_SCMP_NE || c->op == SCK_SCMP_LT || c->op == SCK_SCMP_LE;
	if (lop == N_ME) {
		/* a masked word whose mask is 0 always holds: libseccomp drops its node */
		bool keep_lo = arg32 ? (uint32_t)c->a != 0 : lm != 0, keep_hi = !arg32 && hm != 0;
		struct branch b = cont;
		if (keep_lo) {
			lo = arg32 ? mknode(c->arg, false, N_ME, c->a, mv)
				   : mknode(c->arg, false, N_ME, lm, lv);
			if (!lo)
				goto oom;
			lo->t = b;
			b = sub(lo);
			lo = NULL;
		}
		if (keep_hi) {
			h1 = mknode(c->arg, true, N_ME, hm, hv);
			if (!h1) {
				if (b.kind == BR_SUB)
					level_free(b.sub);
				return -ENOMEM;
			}
			h1->t = b;
			b = sub(h1);
		}
		*out = b;
		return 0;
	}
	if (arg32) /* compared on the low word, ordered and merged on all 64 bits */
		lo = mknode(c->arg, false, lop, 0, c->a);
	else
		lo = mknode(c->arg, false, lop, 0, ld);
	if (!lo)
		goto oom;
	if (neg)
		lo->f = cont;
	else
		lo->t = cont;
	if (arg32) {
		*out = sub(lo);
		return 0;
	}
	if (lop == N_EQ) {
		h1 = mknode(c->arg, true, N_EQ, 0, hd);
		if (!h1)
			goto oom;
		h1->t = sub(lo);
		lo = NULL;
		if (c->op == SCK_SCMP_NE && br_dup(&cont, &h1->f) < 0)
			goto oom;
		*out = sub(h1);
		return 0;
	}
	h1 = mknode(c->arg, true, N_GT, 0, hd);
	h2 = mknode(c->arg, true, N_EQ, 0, hd);
	if (!h1 || !h2)
		goto oom;
	h2->t = sub(lo);
	lo = NULL;
	if (neg) {
		if (br_dup(&cont, &dup) < 0)
			goto oom;
		h2->f = dup;
	} else {
		if (br_dup(&cont, &dup) < 0)
			goto oom;
		h1->t = dup;
	}
	h1->f = sub(h2);
	*out = sub(h1);
	return 0;
oom:
	free(lo);
	level_free(h1);
	free(h2);
	return -ENOMEM;
}

/* ---- merging ---- */

static bool node_eq(const struct node *a, const struct node *b)
{
	return a->arg == b->arg && a->hi == b->hi && a->op == b->op && a->mask == b->mask &&
	       a->datum == b->datum;
}

/* @n goes before @x on a level. */
static bool node_before(const struct node *n, const struct node *x)
{
	bool neq = n->op == N_EQ || n->op == N_ME, xeq = x->op == N_EQ || x->op == N_ME;

	if (n->arg != x->arg)
		return n->arg > x->arg;
	if (neq != xeq)
		return neq;
	return n->datum > x->datum;
}

static bool level_all_act(const struct node *n, uint32_t act)
{
	for (; n; n = n->next) {
		if ((n->t.kind == BR_ACT && n->t.act != act) ||
		    (n->f.kind == BR_ACT && n->f.act != act) || !level_all_act(n->t.sub, act) ||
		    !level_all_act(n->f.sub, act))
			return false;
	}
	return true;
}

static int level_insert(struct node **lvl, struct node *n);

/* Merge @nb (consumed) into @eb. */
static int br_merge(struct branch *eb, struct branch nb)
{
	int rc = 0;

	switch (nb.kind) {
	case BR_NONE:
		return 0;
	case BR_ACT:
		if (eb->kind == BR_NONE)
			*eb = nb;
		else if (eb->kind == BR_ACT)
			rc = eb->act == nb.act ? 0 : -EEXIST;
		else if (level_all_act(eb->sub, nb.act)) {
			level_free(eb->sub); /* the shorter rule covers the longer ones */
			*eb = nb;
		} else
			rc = -EEXIST;
		return rc;
	case BR_SUB:
		if (eb->kind == BR_NONE) {
			*eb = nb;
			return 0;
		}
		if (eb->kind == BR_ACT) {
			level_free(nb.sub); /* covered by the existing shorter rule */
			return 0;
		}
		while (nb.sub && rc == 0) {
			struct node *n = nb.sub;
			nb.sub = n->next;
			n->next = NULL;
			rc = level_insert(&eb->sub, n);
		}
		level_free(nb.sub);
		return rc;
	}
	return 0;
}

static int level_insert(struct node **lvl, struct node *n)
{
	struct node **pp;
	int rc;

	for (struct node *x = *lvl; x; x = x->next) {
		if (node_eq(x, n)) {
			rc = br_merge(&x->t, n->t);
			n->t.sub = NULL;
			if (rc == 0)
				rc = br_merge(&x->f, n->f);
			else
				level_free(n->f.sub);
			free(n);
			return rc;
		}
	}
	for (pp = lvl; *pp && !node_before(n, *pp); pp = &(*pp)->next)
		;
	n->next = *pp;
	*pp = n;
	return 0;
}

static int cmp_order(const void *a, const void *b)
{
	const struct sck_scmp_cmp *x = a, *y = b;
	return (x->arg > y->arg) - (x->arg < y->arg);
}

int sck_scmp_tree_add(struct sck_scmp_tree *t, bool arg32, uint32_t action,
		      const struct sck_scmp_cmp *c, size_t n)
{
	struct sck_scmp_cmp s[6];
	struct branch b = {.kind = BR_ACT, .act = action};
	struct sck_scmp_tree *copy;
	int rc;

	if (n > 6)
		return -EINVAL;
	if (t->uncond)
		return 0; /* an unconditional rule covers every later one */
	if (n == 0) {
		level_free(t->root);
		t->root = NULL;
		t->uncond = true;
		t->uncond_act = action;
		return 0;
	}
	memcpy(s, c, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_order);
	for (size_t i = n; i-- > 0;) {
		struct branch nb;
		rc = chain_cmp(&s[i], arg32, b, &nb);
		if (rc < 0) {
			level_free(b.sub);
			return rc;
		}
		b = nb;
	}
	if (b.kind == BR_ACT) { /* every comparison always holds */
		level_free(t->root);
		t->root = NULL;
		t->uncond = true;
		t->uncond_act = action;
		return 0;
	}
	rc = sck_scmp_tree_dup(t, &copy);
	if (rc < 0) {
		level_free(b.sub);
		return rc;
	}
	{
		struct branch rb = {.kind = copy->root ? BR_SUB : BR_NONE, .sub = copy->root};
		rc = br_merge(&rb, b);
		copy->root = rb.sub;
	}
	if (rc < 0) {
		sck_scmp_tree_free(copy); /* a refused rule leaves the tree as it was */
		return rc;
	}
	level_free(t->root);
	t->root = copy->root;
	copy->root = NULL;
	sck_scmp_tree_free(copy);
	return 0;
}

/* ---- flattening ---- */

struct walk {
	bool arg32;
	int (*emit)(void *ctx, uint32_t action, const struct sck_cond *conds, size_t n);
	void *ctx;
	struct sck_cond conds[64];
	size_t n;
};

static int walk_level(struct walk *w, const struct node *n);

static int walk_branch(struct walk *w, const struct branch *b)
{
	if (b->kind == BR_ACT)
		return w->emit(w->ctx, b->act, w->conds, w->n);
	if (b->kind == BR_SUB)
		return walk_level(w, b->sub);
	return 0;
}

/*
 * The sck conditions for @n holding (@sense) or failing: 0, 1 or 2 alternatives (a failed
 * equality of a high word is "below or above" it). Low words compare with SCK_COND_LOW32; a high
 * word compares the whole argument against the bounds of that word.
 */
static size_t node_conds(const struct node *n, bool sense, struct sck_cond alt[2])
{
	uint64_t lo = n->datum << 32, top = lo | 0xffffffffu;
	struct sck_cond c = {.arg = n->arg};

	if (!n->hi) {
		c.flags = SCK_COND_LOW32;
		c.value = (uint32_t)n->datum;
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
			c.mask = (uint32_t)n->mask;
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
		c.mask = n->mask << 32;
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

static int walk_level(struct walk *w, const struct node *n)
{
	int rc;

	for (; n; n = n->next) {
		if ((rc = walk_side(w, n, true, &n->t)) || (rc = walk_side(w, n, false, &n->f)))
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

	if (t->uncond)
		return emit(ctx, t->uncond_act, NULL, 0);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->arg32 = arg32;
	w->emit = emit;
	w->ctx = ctx;
	rc = walk_level(w, t->root);
	free(w);
	return rc;
}
