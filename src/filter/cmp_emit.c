// SPDX-License-Identifier: MIT
/*
 * The compilers' instruction emitter (cmp_emit.h): sticky errors over the builder, and the
 * section's returns laid down where their users can reach them with an 8-bit jump offset.
 */
#include "filter/cmp_emit.h"

#include <errno.h>
#include <stdlib.h>

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
	if (e->nrets == 1)
		e->reach = e->pos + SCK_EMIT_JUMP_REACH - SCK_EMIT_TRAMPOLINE_SLACK;
	return r->label;
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
