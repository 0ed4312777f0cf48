/* SPDX-License-Identifier: MIT */
/*
 * The model of libseccomp's rule database shared by its two halves: scmp_tree.c builds it rule
 * by rule, scmp_tree_flat.c walks it into first-match rules. Internal to libsck: not installed.
 */
#ifndef SCK_SCMP_TREE_INT_H
#define SCK_SCMP_TREE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sck/filter.h"

enum br_kind { BR_NONE = 0, BR_ACT = 1, BR_SUB = 2 };
enum node_op { N_EQ = 1, N_GT = 2, N_GE = 3, N_ME = 4 };

struct branch {
	enum br_kind kind;
	uint32_t act;
	int lvl; /* BR_SUB: a level index */
};

struct node {
	unsigned int arg;
	bool hi;
	enum node_op op;
	uint32_t mask, datum;
	bool neg;      /* a range node made by LT or LE (the rule holds on its false branch) */
	uint64_t full; /* a high GT node: the whole operand of the rule that made it */
	struct branch t, f;
	int next; /* the next node of its level, -1 */
};

struct level {
	int head; /* first node, -1 when empty */
	int fwd;  /* merged into that level, -1 */
};

struct sck_scmp_tree {
	bool uncond;
	uint32_t uncond_act;
	int root; /* a level, -1 */
	struct node *nodes;
	size_t nn, capn;
	struct level *lv;
	size_t nl, capl;
	/*
	 * The rules as added while every one is a single comparison with one action (an
	 * allowlist): the database then matches exactly where one of them does, and the
	 * flattening hands them out as written. @mixed: another rule came, they are not kept.
	 */
	struct sck_scmp_cmp *singles;
	uint32_t singles_act;
	size_t ns, caps;
	bool mixed;
};

/* The level @l was merged into, or @l. */
int sck_scmp_find(const struct sck_scmp_tree *t, int l);

#endif
