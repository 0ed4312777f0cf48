// SPDX-License-Identifier: MIT
/*
 * The compilers' instruction emitter (cmp_emit.h): sticky errors over the builder, and the
 * section's returns laid down where their users can reach them with an 8-bit jump offset.
 */
#include "filter/cmp_emit.h"

#include <errno.h>
#include <stdlib.h>

/*
 * A conditional jump reaches 255 instructions ahead. The builder may still insert trampolines
 * for other far jumps between a user and its return; this many are kept in reserve for them.
 */
#define JUMP_REACH 255
#define TRAMPOLINE_SLACK 16

int sck_emit_ret_new(struct sck_emit *e, uint32_t action)
{
	struct sck_pending_ret *r;

	if (e->nrets == e->caprets) {
		size_t cap = e->caprets ? e->caprets * 2 : 16;
		r = realloc(e->rets, cap * sizeof(*r));
		if (!r) {
			sck_emit_fail(e, -ENOMEM);
			return 0;
		}
		e->rets = r;
		e->caprets = cap;
	}
	r = &e->rets[e->nrets++];
	r->action = action;
	r->label = sck_emit_label(e);
	r->first = e->pos;
	return r->label;
}

bool sck_emit_flush_due(const struct sck_emit *e, size_t ahead)
{
	size_t oldest;

	if (!e->nrets)
		return false;
	/* returns are pended in the order of their first users, and laid down all at once */
	oldest = e->rets[0].first;
	/* the last return would sit at pos + ahead + nrets - 1; its offset from the oldest user
	 * is that minus the user's position minus one */
	return e->pos + ahead + e->nrets - oldest > JUMP_REACH - TRAMPOLINE_SLACK;
}

void sck_emit_flush(struct sck_emit *e)
{
	for (size_t i = 0; i < e->nrets; i++) {
		sck_emit_bind(e, e->rets[i].label);
		sck_emit_stmt(e, BPF_RET | BPF_K, e->rets[i].action);
	}
	e->nlaid += e->nrets;
	e->nrets = 0;
}

void sck_emit_dead_point(struct sck_emit *e, size_t ahead)
{
	if (sck_emit_flush_due(e, ahead))
		sck_emit_flush(e);
}

void sck_emit_fini(struct sck_emit *e)
{
	free(e->rets);
	e->rets = NULL;
	e->nrets = e->caprets = 0;
}
