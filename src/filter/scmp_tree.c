// SPDX-License-Identifier: MIT
/*
 * libseccomp's per-syscall rule database as observed from libseccomp 2.5.4's own pseudo filter
 * code and programs (docs/semantics.md): building it rule by rule (its flattening into
 * first-match rules is scmp_tree_flat.c). Nodes
 * compare one 32-bit word of one argument (EQ, GT, GE or masked EQ) and have a true and a false
 * branch, each nothing (fall through to the next node of the enclosing level), an action, or a
 * level (a list of nodes). Levels are shared: the high-word and low-word nodes of one 64-bit
 * comparison lead to the same continuation level, and when two rules' nodes merge, their
 * continuation levels become one, seen by every branch that led to either (libseccomp links the
 * nodes into one list and walks a list from its first node). Levels are sorted: arguments
 * descending; equality nodes (EQ, masked) before range nodes (GT, GE); see node_before.
 * Storage is two arrays indexed by int, so that a copy (for a rule refused half way) is two
 * memcpy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter_int.h"
#include "filter/scmp_tree_int.h"

int sck_scmp_tree_new(struct sck_scmp_tree **out)
{
	struct sck_scmp_tree *t;

	if (!out)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->root = -1;
	*out = t;
	return 0;
}

void sck_scmp_tree_free(struct sck_scmp_tree *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->lv);
	free(t->singles);
	free(t);
}

int sck_scmp_tree_dup(const struct sck_scmp_tree *t, struct sck_scmp_tree **out)
{
	struct sck_scmp_tree *c;

	if (!t || !out)
		return -EINVAL;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = *t;
	c->nodes = t->capn ? malloc(t->capn * sizeof(*c->nodes)) : NULL;
	c->lv = t->capl ? malloc(t->capl * sizeof(*c->lv)) : NULL;
	c->singles = t->caps ? malloc(t->caps * sizeof(*c->singles)) : NULL;
	if ((t->capn && !c->nodes) || (t->capl && !c->lv) || (t->caps && !c->singles)) {
		free(c->nodes);
		free(c->lv);
		free(c->singles);
		free(c);
		return -ENOMEM;
	}
	if (t->ns && c->singles && t->singles)
		memcpy(c->singles, t->singles, t->ns * sizeof(*c->singles));
	if (t->nn && c->nodes && t->nodes)
		memcpy(c->nodes, t->nodes, t->nn * sizeof(*c->nodes));
	if (t->nl && c->lv && t->lv)
		memcpy(c->lv, t->lv, t->nl * sizeof(*c->lv));
	*out = c;
	return 0;
}

bool sck_scmp_tree_empty(const struct sck_scmp_tree *t)
{
	return !t || (!t->uncond && t->root < 0);
}

bool sck_scmp_tree_uncond(const struct sck_scmp_tree *t, uint32_t *act)
{
	if (!t || !t->uncond)
		return false;
	if (act)
		*act = t->uncond_act;
	return true;
}

static int new_node(struct sck_scmp_tree *t, unsigned int arg, bool hi, enum node_op op,
		    uint32_t mask, uint32_t datum)
{
	if (t->nn == t->capn || !t->nodes) {
		size_t cap = t->capn ? t->capn * 2 : 16;
		struct node *nn = realloc(t->nodes, cap * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		t->nodes = nn;
		t->capn = cap;
	}
	t->nodes[t->nn] = (struct node){
		.arg = arg, .hi = hi, .op = op, .mask = mask, .datum = datum, .next = -1};
	return (int)t->nn++;
}

/* A level holding node @n alone (or empty for -1). */
static int new_level(struct sck_scmp_tree *t, int n)
{
	if (t->nl == t->capl || !t->lv) {
		size_t cap = t->capl ? t->capl * 2 : 16;
		struct level *nl = realloc(t->lv, cap * sizeof(*nl));
		if (!nl)
			return -ENOMEM;
		t->lv = nl;
		t->capl = cap;
	}
	t->lv[t->nl] = (struct level){.head = n, .fwd = -1};
	return (int)t->nl++;
}

/* (declared in scmp_tree_int.h) */
int sck_scmp_find(const struct sck_scmp_tree *t, int l)
{
	while (t->lv[l].fwd >= 0)
		l = t->lv[l].fwd;
	return l;
}

static struct branch sub(int lvl)
{
	return (struct branch){.kind = BR_SUB, .lvl = lvl};
}

/*
 * The nodes of one comparison in their own levels; @cont their continuation when it holds
 * (shared by the high-word and low-word nodes, as libseccomp links them). 32-bit ABIs compare
 * the low words only; 64-bit ones a high then a low word (range comparisons first test the high
 * word with GT, then EQ on it and the low word).
 */
static int chain_cmp(struct sck_scmp_tree *t, const struct sck_scmp_cmp *c, bool arg32,
		     struct branch cont, struct branch *out)
{
	uint64_t mv = c->b & c->a; /* only the expected value's bits inside the mask count */
	uint32_t hv = (uint32_t)(mv >> 32), lv = (uint32_t)mv;
	uint32_t hm = (uint32_t)(c->a >> 32), lm = (uint32_t)c->a;
	uint32_t hd = hm, ld = lm;
	bool neg = c->op == SCK_SCMP_NE || c->op == SCK_SCMP_LT || c->op == SCK_SCMP_LE;
	enum node_op lop;
	int lo, h1, h2, l;

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
	if (lop == N_ME) {
		struct branch b = cont;
		/* a mask of 0 (on the arch's argument width) always holds: no node at all */
		if (arg32 ? lm == 0 : c->a == 0) {
			*out = cont;
			return 0;
		}
		if ((lo = new_node(t, c->arg, false, N_ME, lm, lv)) < 0 ||
		    (l = new_level(t, lo)) < 0)
			return -ENOMEM;
		t->nodes[lo].t = b;
		b = sub(l);
		if (!arg32) {
			if ((h1 = new_node(t, c->arg, true, N_ME, hm, hv)) < 0 ||
			    (l = new_level(t, h1)) < 0)
				return -ENOMEM;
			t->nodes[h1].t = b;
			b = sub(l);
		}
		*out = b;
		return 0;
	}
	if ((lo = new_node(t, c->arg, false, lop, 0, ld)) < 0 || (l = new_level(t, lo)) < 0)
		return -ENOMEM;
	t->nodes[lo].neg = c->op == SCK_SCMP_LT || c->op == SCK_SCMP_LE;
	if (neg)
		t->nodes[lo].f = cont;
	else
		t->nodes[lo].t = cont;
	if (arg32) {
		*out = sub(l);
		return 0;
	}
	if (lop == N_EQ) {
		int lh;
		if ((h1 = new_node(t, c->arg, true, N_EQ, 0, hd)) < 0 ||
		    (lh = new_level(t, h1)) < 0)
			return -ENOMEM;
		t->nodes[h1].t = sub(l);
		if (c->op == SCK_SCMP_NE)
			t->nodes[h1].f = cont;
		*out = sub(lh);
		return 0;
	}
	{
		int l1, l2;
		if ((h1 = new_node(t, c->arg, true, N_GT, 0, hd)) < 0 ||
		    (h2 = new_node(t, c->arg, true, N_EQ, 0, hd)) < 0 ||
		    (l1 = new_level(t, h1)) < 0 || (l2 = new_level(t, h2)) < 0)
			return -ENOMEM;
		t->nodes[h1].neg = c->op == SCK_SCMP_LT || c->op == SCK_SCMP_LE;
		t->nodes[h1].full = c->a;
		t->nodes[h2].t = sub(l);
		if (neg)
			t->nodes[h2].f = cont;
		else
			t->nodes[h1].t = cont;
		t->nodes[h1].f = sub(l2);
		*out = sub(l1);
	}
	return 0;
}

/* ---- merging ---- */

static bool node_eq(const struct node *a, const struct node *b)
{
	return a->arg == b->arg && a->hi == b->hi && a->op == b->op && a->mask == b->mask &&
	       a->datum == b->datum;
}

/*
 * @n goes before @x on a level: arguments descending; equality nodes before range nodes;
 * equality nodes by value descending; range nodes made by LT / LE before those made by GT / GE,
 * the former by value ascending, the latter descending (as libseccomp 2.5.4 orders them).
 */
static bool node_before(const struct node *n, const struct node *x)
{
	bool neq = n->op == N_EQ || n->op == N_ME, xeq = x->op == N_EQ || x->op == N_ME;

	if (n->arg != x->arg)
		return n->arg > x->arg;
	if (neq != xeq)
		return neq;
	if (neq)
		return n->datum > x->datum;
	if (n->neg != x->neg)
		return n->neg;
	return n->neg ? n->datum < x->datum : n->datum > x->datum;
}

static bool level_all_act(const struct sck_scmp_tree *t, int l, uint32_t act, int depth)
{
	if (depth > 64)
		return false;
	for (int n = t->lv[sck_scmp_find(t, l)].head; n >= 0; n = t->nodes[n].next) {
		const struct node *x = &t->nodes[n];
		if ((x->t.kind == BR_ACT && x->t.act != act) ||
		    (x->f.kind == BR_ACT && x->f.act != act) ||
		    (x->t.kind == BR_SUB && !level_all_act(t, x->t.lvl, act, depth + 1)) ||
		    (x->f.kind == BR_SUB && !level_all_act(t, x->f.lvl, act, depth + 1)))
			return false;
	}
	return true;
}

static int merge_level(struct sck_scmp_tree *t, int a, int b, int depth);

/*
 * Merge the new branch @nb into the existing @eb. Two different actions are -EEXIST where the
 * new node ends its rule (@leaf: no level on either branch); elsewhere (the early exit of a
 * 64-bit range test) the existing action stays.
 */
static int br_merge(struct sck_scmp_tree *t, struct branch *eb, struct branch nb, bool leaf,
		    int depth)
{
	switch (nb.kind) {
	case BR_NONE:
		return 0;
	case BR_ACT:
		if (eb->kind == BR_NONE)
			*eb = nb;
		else if (eb->kind == BR_ACT)
			return eb->act == nb.act || !leaf ? 0 : -EEXIST;
		else if (level_all_act(t, eb->lvl, nb.act, 0))
			*eb = nb; /* the shorter rule covers the longer ones */
		else
			return -EEXIST;
		return 0;
	case BR_SUB:
		if (eb->kind == BR_NONE) {
			*eb = nb;
			return 0;
		}
		if (eb->kind == BR_ACT)
			return 0; /* covered by the existing shorter rule */
		return merge_level(t, sck_scmp_find(t, eb->lvl), sck_scmp_find(t, nb.lvl),
				   depth + 1);
	}
	return 0;
}

/*
 * Insert node @n (of no level) into level @a, in one pass as libseccomp does: walking the level,
 * @n merges with an equal node met before its place, else goes in before the first node it
 * ranks before (an equal node further on is not looked for).
 */
static int insert_node(struct sck_scmp_tree *t, int a, int n, int depth)
{
	int *pp;

	for (pp = &t->lv[a].head; *pp >= 0; pp = &t->nodes[*pp].next) {
		int x = *pp;
		if (node_eq(&t->nodes[x], &t->nodes[n])) {
			struct branch nt = t->nodes[n].t, nf = t->nodes[n].f;
			int rc;
			/*
			 * An existing action where the new rule goes on: libseccomp takes the
			 * whole new rule as covered and merges nothing more of it (its other
			 * branch included).
			 */
			if (t->nodes[x].t.kind == BR_ACT && nt.kind == BR_SUB)
				return 0;
			bool leaf = nt.kind != BR_SUB && nf.kind != BR_SUB;
			struct branch was = t->nodes[x].t;
			rc = br_merge(t, &t->nodes[x].t, nt, leaf, depth);
			/*
			 * Two 64-bit `>` / `>=` tests with one high word and different actions
			 * share their high node, whose true branch (the high word above) returns
			 * one action: libseccomp 2.5.4 gives it to the new rule when the new
			 * rule's whole operand is above that of the rule that made the node
			 * (which stays the node's maker whatever action it holds since).
			 */
			if (rc == 0 && !leaf && t->nodes[x].hi && was.kind == BR_ACT &&
			    nt.kind == BR_ACT && was.act != nt.act &&
			    t->nodes[n].full > t->nodes[x].full)
				t->nodes[x].t.act = nt.act;
			if (rc || (t->nodes[x].f.kind == BR_ACT && nf.kind == BR_SUB))
				return rc;
			return br_merge(t, &t->nodes[x].f, nf, leaf, depth);
		}
		if (node_before(&t->nodes[n], &t->nodes[x]))
			break;
	}
	t->nodes[n].next = *pp;
	*pp = n;
	return 0;
}

/* Level @b joins level @a: its nodes are inserted there, and every branch to @b now sees @a. */
static int merge_level(struct sck_scmp_tree *t, int a, int b, int depth)
{
	int n, rc = 0;

	if (a == b)
		return 0;
	if (depth > 64)
		return -ENOMEM; /* deeper than any chain of six arguments: not a tree we built */
	n = t->lv[b].head;
	t->lv[b].head = -1;
	t->lv[b].fwd = a;
	while (n >= 0 && rc == 0) {
		int next = t->nodes[n].next;
		t->nodes[n].next = -1;
		rc = insert_node(t, sck_scmp_find(t, a), n, depth);
		n = next;
	}
	return rc;
}

static int cmp_order(const void *a, const void *b)
{
	const struct sck_scmp_cmp *x = a, *y = b;
	return (x->arg > y->arg) - (x->arg < y->arg);
}

/*
 * Whether existing node @x covers new node @n (equal to it): on every branch where the new rule
 * goes on, the existing tree ends in an action, or goes on with nodes equal to the new ones that
 * are covered in turn.
 */
static bool covered(const struct sck_scmp_tree *w, int x, int n, int depth)
{
	const struct node *e = &w->nodes[x], *c = &w->nodes[n];
	const struct branch *eb[2] = {&e->t, &e->f}, *nb[2] = {&c->t, &c->f};

	if (depth > 64)
		return false;
	for (int k = 0; k < 2; k++) {
		bool found = false;
		if (nb[k]->kind == BR_NONE)
			continue;
		if (eb[k]->kind == BR_ACT)
			continue;
		if (eb[k]->kind == BR_NONE || nb[k]->kind == BR_ACT)
			return false;
		for (int m = w->lv[sck_scmp_find(w, nb[k]->lvl)].head; m >= 0 && !found;
		     m = w->nodes[m].next) {
			for (int y = w->lv[sck_scmp_find(w, eb[k]->lvl)].head; y >= 0;
			     y = w->nodes[y].next) {
				if (node_eq(&w->nodes[y], &w->nodes[m])) {
					found = covered(w, y, m, depth + 1);
					break;
				}
			}
		}
		if (!found)
			return false;
	}
	return true;
}

/*
 * libseccomp drops a new rule when a node at the top of the existing tree equals a node of the
 * new chain below its first one and covers it (the existing rule is a shorter one). A top node
 * that ends a rule (its branches are actions or nothing) counts as covering whatever the branch
 * and the action: this also drops `a0 < 7 && a3 >= 5` after `a3 < 5`. The new chain's nodes are
 * those from @first_new on.
 */
static bool pruned(const struct sck_scmp_tree *w, size_t first_new, int new_root)
{
	for (int x = w->lv[sck_scmp_find(w, w->root)].head; x >= 0; x = w->nodes[x].next) {
		const struct node *e = &w->nodes[x];
		bool leaf = e->t.kind != BR_SUB && e->f.kind != BR_SUB &&
			    (e->t.kind == BR_ACT || e->f.kind == BR_ACT);
		for (size_t n = first_new; n < w->nn; n++)
			if ((int)n != new_root && node_eq(e, &w->nodes[n]) &&
			    (leaf || covered(w, x, (int)n, 0)))
				return true;
	}
	return false;
}

static void make_uncond(struct sck_scmp_tree *t, uint32_t action)
{
	t->nn = t->nl = 0;
	t->root = -1;
	t->uncond = true;
	t->uncond_act = action;
}

/*
 * Add a rule; @copy: on a copy, so that a refused rule leaves @t as it was (else in place: on
 * error @t can only be freed).
 */
static int tree_add(struct sck_scmp_tree *t, bool arg32, uint32_t action,
		    const struct sck_scmp_cmp *c, size_t n, bool copy)
{
	struct sck_scmp_cmp s[6];
	struct branch b = {.kind = BR_ACT, .act = action};
	struct sck_scmp_tree *w = t;
	size_t nn0, nl0;
	int rc = 0;

	if (!t || (!c && n) || n > 6)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (c[i].arg > 5 || c[i].op < SCK_SCMP_NE || c[i].op > SCK_SCMP_MASKED_EQ)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (c[j].arg == c[i].arg)
				return -EINVAL;
	}
	if (t->uncond)
		return 0; /* an unconditional rule covers every later one */
	if (n == 0) {
		make_uncond(t, action);
		return 0;
	}
	memcpy(s, c, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_order);
	if (copy && (rc = sck_scmp_tree_dup(t, &w)) < 0)
		return rc;
	nn0 = t->nn;
	nl0 = t->nl;
	for (size_t i = n; rc == 0 && i-- > 0;) {
		struct branch nb;
		rc = chain_cmp(w, &s[i], arg32, b, &nb);
		b = nb;
	}
	if (rc == 0 && b.kind == BR_ACT) { /* every comparison always holds */
		if (w != t)
			sck_scmp_tree_free(w);
		make_uncond(t, action);
		return 0;
	}
	if (rc == 0 && w->root >= 0 && pruned(w, nn0, w->lv[b.lvl].head)) {
		/* (the new chain is only appended so far: dropping it restores the tree) */
		if (w != t)
			sck_scmp_tree_free(w);
		t->nn = nn0;
		t->nl = nl0;
		return 0;
	}
	if (rc == 0) {
		if (w->root < 0)
			w->root = b.lvl;
		else
			rc = merge_level(w, sck_scmp_find(w, w->root), sck_scmp_find(w, b.lvl), 0);
	}
	if (w != t) {
		if (rc == 0) {
			free(t->nodes);
			free(t->lv);
			free(t->singles);
			*t = *w;
			free(w);
		} else {
			sck_scmp_tree_free(w);
		}
	}
	return rc;
}

/* Keep rule @c (@n comparisons) among the singles while they stay an allowlist. */
static void note_single(struct sck_scmp_tree *t, uint32_t action, const struct sck_scmp_cmp *c,
			size_t n)
{
	if (t->mixed || t->uncond)
		return;
	if (n != 1 || (t->ns && action != t->singles_act)) {
		t->mixed = true;
		return;
	}
	if (t->ns == t->caps) {
		size_t cap = t->caps ? t->caps * 2 : 8;
		struct sck_scmp_cmp *ns = realloc(t->singles, cap * sizeof(*ns));
		if (!ns) {
			t->mixed = true; /* (the database's own paths then: as exact) */
			return;
		}
		t->singles = ns;
		t->caps = cap;
	}
	t->singles[t->ns++] = c[0];
	t->singles_act = action;
}

int sck_scmp_tree_add(struct sck_scmp_tree *t, bool arg32, uint32_t action,
		      const struct sck_scmp_cmp *c, size_t n)
{
	int rc = tree_add(t, arg32, action, c, n, true);

	if (rc == 0)
		note_single(t, action, c, n);
	return rc;
}

/* (declared in filter_int.h) */
int sck_scmp_tree_add_in_place(struct sck_scmp_tree *t, bool arg32, uint32_t action,
			       const struct sck_scmp_cmp *c, size_t n)
{
	int rc = tree_add(t, arg32, action, c, n, false);

	if (rc == 0)
		note_single(t, action, c, n);
	return rc;
}
