/* SPDX-License-Identifier: MIT */
/*
 * Internals of the libseccomp compatibility library (build/compat/libseccomp.so.2): the filter
 * context behind scmp_filter_ctx, its per-arch rule databases, and the helpers the API files
 * share. Types and constants come from the system's <seccomp.h>; the work is done by libsck
 * through <sck.h>. Nothing here is exported: the version script exports only seccomp_*.
 */
#ifndef SCK_COMPAT_INT_H
#define SCK_COMPAT_INT_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "sck.h"

#define COMPAT_API __attribute__((visibility("default")))

/*
 * One syscall's rules on one arch. Most syscalls of a profile only ever get an unconditional
 * rule: that is kept as @uncond_act, and the rule database (@tree) is made for the first
 * conditional rule. An unconditional rule decides every call: later rules change nothing.
 */
struct compat_sys {
	int nr;	      /* the arch's number (may be a pseudo number for _exact rules) */
	uint8_t prio; /* seccomp_syscall_priority */
	bool has_prio;
	bool uncond; /* an unconditional rule decides every call (@uncond_act): @tree is NULL */
	uint32_t uncond_act;
	struct sck_scmp_tree *tree; /* NULL until a conditional rule, and once @uncond */
};

/* Whether an unconditional rule decides every call of @s, with its action in *act. */
static inline bool compat_sys_uncond(const struct compat_sys *s, uint32_t *act)
{
	if (!s->uncond)
		return sck_scmp_tree_uncond(s->tree, act);
	if (act)
		*act = s->uncond_act;
	return true;
}

/* One arch of a filter, with its rule database. */
struct compat_arch {
	uint32_t token;
	const struct sck_arch *sa;
	bool arg32, mux; /* compat_arch_arg32 / compat_arch_mux of @token */
	struct compat_sys *sys;
	size_t nsys, capsys;
	unsigned int *index; /* open addressing on nr: 1 + positions in @sys, 0 free; capsys * 2 */
};

/* The filter context (scmp_filter_ctx). */
struct compat_ctx {
	uint32_t act_default, act_badarch;
	uint32_t nnp, tsync, tskip, log, ssb, optimize, rawrc;
	bool notify; /* a rule (or the default action) notifies */
	struct compat_arch *arches;
	size_t narches;
};

/* libseccomp refuses a context without arches as it refuses NULL */
static inline bool compat_valid(const struct compat_ctx *c)
{
	return c && c->narches > 0;
}

/* ---- arches (compat_arch.c) ---- */
const struct sck_arch *compat_arch_of(uint32_t token);
uint32_t compat_token_of(const struct sck_arch *sa);
uint32_t compat_native_token(void);
bool compat_arch_arg32(uint32_t token);
bool compat_arch_big_endian(uint32_t token);
bool compat_arch_mux(uint32_t token);
int compat_pnr_of(const char *name);
/* compat_pnr_of(@name) where @idx is its sck_syscall_name_index (-1: not in sck's tables) */
int compat_pnr_of_index(int idx, const char *name);
const char *compat_pnr_name(int pnr);
int compat_resolve(uint32_t token, const char *name);
/* compat_resolve on arch @sa (multiplexing if @mux) of @name, whose name index is @idx */
int compat_resolve_index(const struct sck_arch *sa, bool mux, const char *name, int idx);
const char *compat_pnr_name_on(uint32_t token, int pnr, int *idx);

/* ---- contexts (compat_ctx.c) ---- */
bool compat_action_valid(uint32_t act);
void compat_arch_fini(struct compat_arch *a);
int compat_rc(const struct compat_ctx *c, int rc);
struct compat_sys *compat_sys_get(struct compat_arch *a, int nr, bool create);
unsigned int compat_api_level(void);

/*
 * libseccomp's syscall number check: -1 only with SCMP_FLTATR_API_TSKIP, no other number of
 * -1 .. -99 (the pseudo numbers start at -100).
 */
static inline bool compat_nr_valid(const struct compat_ctx *c, int nr)
{
	return nr >= 0 || nr < -99 || (nr == -1 && c->tskip);
}

/* ---- programs (compat_gen.c) ---- */
int compat_compile(const struct compat_ctx *c, struct sck_filter_prog **out);
void compat_notify_reset(void);

#endif /* SCK_COMPAT_INT_H */
