/* SPDX-License-Identifier: MIT */
/*
 * Internals of the filter compiler shared by filter.c (the public object), cmp_ir.c (rules
 * lowered per arch into verdicts and ranges of syscall numbers), cmp_tree.c (the planner of the
 * syscall-number tree), cmp_gen.c (the optimizing code generator) and cmp_linear.c (the plain
 * rule-by-rule reference generator).
 */
#ifndef SCK_FILTER_INT_H
#define SCK_FILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter/filter_profile.h"
#include "sck/bpf.h"
#include "sck/filter.h"

/* A rule as stored: the caller's rule, copied (a known syscall name is the table's own). */
struct sck_frule {
	const char *name; /* NULL: nr */
	int name_idx;	  /* sck_syscall_name_index(name): resolved once */
	int nr;
	const struct sck_arch *arch;
	uint32_t action;
	struct sck_cond *conds;
	size_t nconds;
};

struct sck_fweight {
	const struct sck_arch *arch;
	uint32_t nr;
	uint32_t weight;
};

/* Numbers @lo..@hi of @arch's part of the nr space return @action before any rule. */
struct sck_foverride {
	const struct sck_arch *arch;
	uint32_t lo, hi;
	uint32_t action;
};

/* A block of the filter's arena: rule names and conditions, freed with the filter. */
struct sck_fblk {
	struct sck_fblk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct sck_filter {
	uint32_t def_action;
	uint32_t bad_arch_action;
	unsigned int flags;
	const struct sck_arch *arches[SCK_FILTER_MAX_ARCH];
	size_t narch;
	struct sck_frule *rules;
	size_t nrules, caprules;
	struct sck_fweight *weights;
	size_t nweights, capweights;
	struct sck_foverride *overrides;
	size_t noverrides;
	struct sck_fblk *arena;
};

struct sck_filter_prog {
	struct sock_filter *insns;
	size_t len;
	bool notify;
	size_t narch;
	const struct sck_arch *arches[SCK_FILTER_MAX_ARCH];
	/* per arch: the spans of numbers allowed whatever the arguments, ascending (the stats
	 * pick the arch's syscalls out of them only when asked) */
	struct sck_nr_span *allow[SCK_FILTER_MAX_ARCH];
	size_t nallow[SCK_FILTER_MAX_ARCH];
};

struct sck_nr_span {
	uint32_t lo, hi;
};

/* ---- IR (cmp_ir.c) ---- */

/* One condition lowered for an arch: @wide compares 64 bits, else the low word only. */
struct sck_ir_cond {
	uint8_t arg;
	uint8_t op; /* enum sck_cmp_op */
	bool wide;
	uint64_t value, mask;
};

/* One rule lowered for an arch. */
struct sck_ir_entry {
	uint32_t nr;
	uint32_t action;
	size_t ncond;
	struct sck_ir_cond *conds; /* into the IR's pool */
};

/*
 * The verdict of one syscall number: try @entries in order (first match), else @final.
 * A verdict without entries is a constant.
 */
struct sck_ir_verdict {
	size_t nentries;
	struct sck_ir_entry *entries; /* into the IR's pool, conditions simplified */
	uint32_t final;
	uint64_t hash;
	uint64_t full_hash;	/* of every entry | 1 once made, when @hash samples them; else 0 */
	unsigned int arg_depth; /* an upper estimate of its argument decision's longest path */
};

/* A range of syscall numbers [lo, hi] with one verdict (index into verdicts). */
struct sck_ir_range {
	uint32_t lo, hi;
	size_t verdict;
	double weight; /* what the tree planner minimises: wm, the primary member's scaled */
	double wm[2];  /* per group member: its share of the member's numbers (hints included) */
};

/* The arches sharing one audit arch value (x86_64 + x32), compiled as one section. */
struct sck_ir_group {
	uint32_t audit;
	bool bits64, little_endian;
	const struct sck_arch *members[2];
	size_t nmembers;
	int primary; /* the member that is the filter's first arch, or -1 */
	/* every rule of the group's arches, lowered, in rule order (linear generator) */
	struct sck_ir_entry *entries;
	size_t nentries;
	/* ranges covering [0, 0xffffffff], adjacent ones with different verdicts */
	struct sck_ir_range *ranges;
	size_t nranges;
	/* the verdicts with entries of those ranges, one a range, in their order; SIZE_MAX
	 * @ndecisions: not noted (look at the ranges) */
	size_t *decisions;
	size_t ndecisions;
	/* overrides clipped to the members' domains, checked before the rules (linear) */
	struct sck_foverride *overrides;
	size_t noverrides;
};

#define SCK_IR_CONSTS 8

struct sck_ir {
	uint32_t def_action, bad_arch_action;
	struct sck_ir_group groups[SCK_FILTER_MAX_ARCH];
	size_t ngroups;
	struct sck_ir_verdict *verdicts;
	size_t nverdicts, capverdicts;
	/* while building: a hash table of the verdicts (index + 1 per slot, 0: empty), a power of
	 * two at most half full */
	size_t *verdict_slots;
	size_t nverdict_slots;
	/* while building: the first SCK_IR_CONSTS constant verdicts interned, by action */
	struct sck_ir_const {
		uint32_t action;
		size_t verdict;
	} consts[SCK_IR_CONSTS];
	size_t nconsts;
	bool notify;
	/* allocation pool: everything above is freed with the IR (blocks, bump-allocated) */
	void **pool;
	size_t npool, cappool;
	unsigned char *cur; /* free space of the newest block */
	size_t left;
};

/*
 * Where a group's lowered numbers lie: below @split (the selector bit of a group shared with
 * x32: x86_64's numbers; 0 otherwise) within [lo[0], hi[0]], from it on within [lo[1], hi[1]]
 * (lo > hi: none there). The first @nfirst entries are the first member's, the others the
 * second's: each member's numbers lie on one side of @split.
 */
struct sck_ir_nrs {
	uint32_t split;
	uint32_t lo[2], hi[2];
	size_t nfirst;
};

/* A group's rules lowered (cmp_ir_lower.c). */
struct sck_ir_lowered {
	struct sck_ir_entry *e; /* member by member, in rule order (malloc'd: the caller frees) */
	size_t n, cap;
	struct sck_ir_cond *conds; /* room for the rules' conditions, taken in turn */
	struct sck_ir_nrs nrs;	   /* where the entries' numbers lie */
};

/*
 * Step 1: every rule of @f lowered for the member arches of group @g into @out (zeroed; at most
 * two entries a rule and member). @nconds: the rules' conditions, all together. Returns 0 or
 * -ENOMEM (@out->e still the caller's to free).
 */
int sck_ir_lower(struct sck_ir *ir, const struct sck_filter *f, const struct sck_ir_group *g,
		 size_t nconds, struct sck_ir_lowered *out);

/* The runs of more than one entry of a number in a group's sorted entries, when they are few. */
#define SCK_IR_RUNS_MAX 128
struct sck_ir_runs {
	size_t n;
	bool all; /* @at holds every such run, in order (else: look for them) */
	struct {
		uint32_t start, len;
	} at[SCK_IR_RUNS_MAX];
};

/*
 * The lowered entries @e[0..n) of a group by number, stably (rule order kept among equal
 * numbers), with the filter's overlap rules applied per number, into @sorted (room for @n),
 * their count into @nsorted. @nrs: where the numbers lie. @runs: the runs of several entries
 * of a number in @sorted as the ordering found them (for sck_ir_lsc_db). Returns 0 or -ENOMEM
 * (cmp_ir_order.c).
 */
int sck_ir_order_entries(const struct sck_filter *f, const struct sck_ir_entry *e, size_t n,
			 const struct sck_ir_nrs *nrs, struct sck_ir_entry *sorted, size_t *nsorted,
			 struct sck_ir_runs *runs);

/* Stable insertion sort of one syscall's conditional entries into libseccomp's order (approximate). */
void sck_ir_libseccomp_order(struct sck_ir_entry *e, size_t n);

/*
 * OCI mode: each number's conditional entries in @*sorted (@*n of them, as ordered above)
 * replaced by the paths of libseccomp's rule database built from them (cmp_ir_lsc.c). The array
 * is in the IR's pool, changed in place or, when a number's entries change, replaced by a new
 * one there. @runs: sck_ir_order_entries's. Returns 0 or -ENOMEM.
 */
int sck_ir_lsc_db(struct sck_ir *ir, const struct sck_filter *f, const struct sck_ir_group *g,
		  struct sck_ir_entry **sorted, size_t *n, const struct sck_ir_runs *runs);

/*
 * sck_scmp_tree_add without the copy that keeps a refused rule out: on error @t can only be
 * freed (the compiler then drops the whole database). Linear instead of quadratic in rules.
 */
int sck_scmp_tree_add_in_place(struct sck_scmp_tree *t, bool arg32, uint32_t action,
			       const struct sck_scmp_cmp *c, size_t n);

/*
 * An sck comparison operator in libseccomp's numbering (enum sck_scmp_op), for the rule database
 * (cmp_ir_lsc.c), and back (scmp_tree_flat.c): the two enums number the same operators apart.
 * A value outside the enum gives 0, which is no operator of either.
 */
static inline enum sck_scmp_op sck_cmp_op_to_scmp(enum sck_cmp_op op)
{
	switch (op) {
	case SCK_CMP_EQ:
		return SCK_SCMP_EQ;
	case SCK_CMP_NE:
		return SCK_SCMP_NE;
	case SCK_CMP_LT:
		return SCK_SCMP_LT;
	case SCK_CMP_LE:
		return SCK_SCMP_LE;
	case SCK_CMP_GT:
		return SCK_SCMP_GT;
	case SCK_CMP_GE:
		return SCK_SCMP_GE;
	case SCK_CMP_MASKED_EQ:
		return SCK_SCMP_MASKED_EQ;
	}
	return (enum sck_scmp_op)0;
}

static inline enum sck_cmp_op sck_scmp_op_to_cmp(enum sck_scmp_op op)
{
	/* the inverse of the one mapping above, so that the two cannot disagree */
	for (int c = SCK_CMP_EQ; c <= SCK_CMP_MASKED_EQ; c++)
		if (sck_cmp_op_to_scmp((enum sck_cmp_op)c) == op)
			return (enum sck_cmp_op)c;
	return (enum sck_cmp_op)0;
}

/* @size zeroed bytes from the IR's pool (freed with it), or NULL. */
void *sck_ir_alloc(struct sck_ir *ir, size_t size);
/* The same, not zeroed (the caller sets every byte it reads). */
void *sck_ir_alloc_raw(struct sck_ir *ir, size_t size);

/* Whether @nr is one of @a's numbers in a group shared by two ABIs (x86_64 and x32). */
bool sck_ir_nr_in_domain(const struct sck_arch *a, uint32_t nr);

/* The member of @g that is @f's first arch, or -1 (cmp_ir_weigh.c). */
int sck_ir_primary_member(const struct sck_filter *f, const struct sck_ir_group *g);
/* The ranges @in[0 .. n) of @g weighed into @out, every field written (cmp_ir_weigh.c). */
void sck_ir_weigh_ranges(const struct sck_filter *f, const struct sck_ir_group *g,
			 const struct sck_ir_range *in, struct sck_ir_range *out, size_t n);

/* Build the IR of @f (arches default to native). Returns 0 or -errno. */
int sck_ir_build(const struct sck_filter *f, struct sck_ir *ir);
void sck_ir_fini(struct sck_ir *ir);

/* the verdict a constant (ret) */
static inline bool sck_ir_verdict_const(const struct sck_ir_verdict *v)
{
	return v->nentries == 0;
}

/* Code generators: append the whole program to @b. */
struct sck_argplan;
struct sck_tree_plan;
/*
 * @pressure: 0 for the fastest argument decisions, higher for shorter ones (cmp_arg.h).
 * @plans: one per group of @ir, NULL at first; the argument plans, kept between attempts at
 * several pressures (the caller frees them with sck_argplan_free).
 * @trees: one per group of @ir, zeroed at first; the syscall-number trees, which do not depend
 * on the pressure, planned at the first attempt and kept (the caller frees them with
 * sck_tree_plan_fini).
 * @merge: the caller merges what sections repeat of each other (sck_bpf_dedup) before the
 * program must fit: emit up to SCK_GEN_DEDUP_MAX instructions, not SCK_BPF_MAXINSNS.
 * @emitted: instructions emitted, but returns and trampolines. -E2BIG past the limit.
 */
#define SCK_GEN_DEDUP_MAX (4 * SCK_BPF_MAXINSNS)
int sck_gen_opt(const struct sck_ir *ir, struct sck_bpf_builder *b, unsigned int pressure,
		bool merge, struct sck_argplan **plans, struct sck_tree_plan *trees,
		size_t *emitted);
int sck_gen_linear(const struct sck_ir *ir, struct sck_bpf_builder *b);

/* The arches the filter compiles for (native when none was added). */
size_t sck_filter_arches(const struct sck_filter *f, const struct sck_arch **out);

/* Word offsets of seccomp_data fields for an arch. */
uint32_t sck_ir_arg_off(unsigned int arg, bool high, bool little_endian);

#endif
