/* SPDX-License-Identifier: MIT */
/*
 * The compilers' instruction emitter: a sticky error over the program builder, an instruction
 * counter, and the section's returns. A return is emitted once per action where the jumps that
 * use it can still reach it: classic BPF conditional jumps carry 8-bit offsets, so a return more
 * than 255 instructions after its first user would cost a trampoline on every far jump. Pending
 * returns are therefore laid down at "dead points" (after an instruction that jumps both ways)
 * as soon as the oldest user would otherwise fall out of reach, and at the end of a section.
 */
#ifndef SCK_CMP_EMIT_H
#define SCK_CMP_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_int.h"
#include "sck/bpf.h"

/* One pending return: the label its users jump to and where the first of them sits. */
struct sck_pending_ret {
	uint32_t action;
	int label;
	size_t first;
};

struct sck_emit {
	struct sck_bpf_builder *b;
	size_t pos; /* instructions appended so far (trampolines are the builder's, not counted) */
	size_t nlaid; /* of them, returns laid down by sck_emit_flush */
	struct sck_pending_ret *rets;
	size_t nrets, caprets;
	size_t reach; /* with returns pending: the first's first user + the reach kept */
	int err;      /* the first error; every call after it is a no-op */
	/* past this many instructions the program cannot fit: only count (0: no limit) */
	size_t limit;
};

/* True once more instructions were emitted than the limit allows. */
static inline bool sck_emit_over(const struct sck_emit *e)
{
	/* (the position first: the optimizing compiler always has a limit) */
	return e->pos > e->limit && e->limit;
}

/* Keeps the first error. */
static inline void sck_emit_fail(struct sck_emit *e, int rc)
{
	if (rc < 0 && !e->err)
		e->err = rc;
}

/*
 * The builder's calls with the sticky error, inline (as the lookup of sck_emit_ret): the compilers
 * emit every instruction, label and return through them.
 */
static inline void sck_emit_stmt(struct sck_emit *e, uint16_t code, uint32_t k)
{
	if (!sck_emit_over(e))
		sck_emit_fail(e, sck_bpf_stmt_inline(e->b, code, k));
	e->pos++;
}

/* A BPF_JMP|@op|BPF_K jump to label ids @jt / @jf (or SCK_BPF_NEXT). */
static inline void sck_emit_jump(struct sck_emit *e, uint16_t op, uint32_t k, int jt, int jf)
{
	if (!sck_emit_over(e))
		sck_emit_fail(e, sck_bpf_jump_inline(e->b, BPF_JMP | op | BPF_K, k, jt, jf));
	e->pos++;
}

static inline int sck_emit_label(struct sck_emit *e)
{
	int l = sck_bpf_label_inline(e->b);
	sck_emit_fail(e, l);
	return l < 0 ? 0 : l;
}

static inline void sck_emit_bind(struct sck_emit *e, int label)
{
	sck_emit_fail(e, sck_bpf_bind_inline(e->b, label));
}

/*
 * How many jumps to label @jt sck_emit_jump would append right away, neither growing the
 * builder's array nor passing the limit: those may be written to its slots (sck_emit_slots).
 */
static inline size_t sck_emit_jump_room(const struct sck_emit *e, int jt)
{
	const struct sck_bpf_builder *b = e->b;
	size_t end = b->cap < SCK_BPF_BUILD_MAX ? b->cap : SCK_BPF_BUILD_MAX;
	size_t room = end > b->n ? end - b->n : 0;

	if (e->limit && (e->pos > e->limit || e->limit - e->pos < room))
		room = e->pos <= e->limit ? e->limit - e->pos + 1 : 0;
	return sck_bpf_label_ok(b, jt) ? room : 0;
}

/*
 * The builder's free slots, for jumps within sck_emit_jump_room that the caller writes there as
 * sck_emit_jump would (BPF_JMP | op | BPF_K, labels or SCK_BPF_NEXT), then appends with
 * sck_emit_commit.
 */
static inline struct sck_bpf_binsn *sck_emit_slots(struct sck_emit *e)
{
	return e->b->insn + e->b->n;
}

/* Append the @m jumps written to the slots. */
static inline void sck_emit_commit(struct sck_emit *e, size_t m)
{
	e->b->n += m;
	e->pos += m;
}

/* sck_emit_ret for an action with no pending return yet. */
int sck_emit_ret_new(struct sck_emit *e, uint32_t action);

/* The label of a return of @action placed after the current position. */
static inline int sck_emit_ret(struct sck_emit *e, uint32_t action)
{
	for (size_t i = 0; i < e->nrets; i++)
		if (e->rets[i].action == action)
			return e->rets[i].label;
	return sck_emit_ret_new(e, action);
}

/*
 * A conditional jump reaches 255 instructions ahead. The builder may still insert trampolines
 * for other far jumps between a user and its return; this many are kept in reserve for them.
 */
#define SCK_EMIT_JUMP_REACH 255
#define SCK_EMIT_TRAMPOLINE_SLACK 16

/*
 * True when a pending return would fall out of its first user's reach if @ahead more
 * instructions came before the returns were laid down. (Inline: the argument chains ask
 * before every test.)
 */
static inline bool sck_emit_flush_due(const struct sck_emit *e, size_t ahead)
{
	if (!e->nrets)
		return false;
	/* returns are pended in the order of their first users, and laid down all at once: the
	 * last would sit at pos + ahead + nrets - 1, and its offset from the oldest user (the
	 * first return's) is that minus the user's position minus one; @reach is that user's
	 * position plus the offset allowed */
	return e->pos + ahead + e->nrets > e->reach;
}

/*
 * How many more instructions can be emitted before sck_emit_flush_due(@e, @ahead) holds, as long
 * as no return is pended or laid down meanwhile (SIZE_MAX: none pending).
 */
static inline size_t sck_emit_due_in(const struct sck_emit *e, size_t ahead)
{
	size_t at = e->pos + ahead + e->nrets;

	if (!e->nrets)
		return SIZE_MAX;
	return at > e->reach ? 0 : e->reach - at + 1;
}

/* Lay down every pending return here (a dead point: nothing falls through into them). */
void sck_emit_flush(struct sck_emit *e);

/* At a dead point: lay down the pending returns if @ahead more instructions could strand them. */
void sck_emit_dead_point(struct sck_emit *e, size_t ahead);

void sck_emit_fini(struct sck_emit *e);

#endif
