// SPDX-License-Identifier: MIT
/*
 * Filter contexts of the libseccomp compatibility library: seccomp_init / reset / release /
 * merge, the arch list (seccomp_arch_*), attributes, API levels from the running kernel and the
 * version. Return codes are libseccomp 2.5.4's, found by experiment (docs/libseccomp-compat.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat_int.h"

static unsigned int api_level; /* 0: not probed yet */

unsigned int compat_api_level(void)
{
	unsigned int l = __atomic_load_n(&api_level, __ATOMIC_RELAXED);

	if (l)
		return l;
	l = 1;
	if (sck_filter_flag_avail(SECCOMP_FILTER_FLAG_TSYNC))
		l = 2;
	if (l == 2 && sck_filter_flag_avail(SECCOMP_FILTER_FLAG_LOG) &&
	    sck_action_avail(SECCOMP_RET_LOG) && sck_action_avail(SECCOMP_RET_KILL_PROCESS))
		l = 3;
	if (l == 3 && sck_filter_flag_avail(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
		l = 4;
	if (l == 4 && sck_filter_flag_avail(SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    sck_action_avail(SECCOMP_RET_USER_NOTIF))
		l = 5;
	if (l == 5 && sck_filter_flag_avail(SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		l = 6;
	__atomic_store_n(&api_level, l, __ATOMIC_RELAXED);
	return l;
}

COMPAT_API unsigned int seccomp_api_get(void)
{
	return compat_api_level();
}

COMPAT_API int seccomp_api_set(unsigned int level)
{
	if (level < 1 || level > 6)
		return -EINVAL;
	__atomic_store_n(&api_level, level, __ATOMIC_RELAXED);
	return 0;
}

COMPAT_API const struct scmp_version *seccomp_version(void)
{
	static const struct scmp_version v = {SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO};
	return &v;
}

bool compat_action_valid(uint32_t act)
{
	unsigned int l = compat_api_level();

	switch (act & 0xffff0000u) {
	case SCMP_ACT_KILL_PROCESS:
		return act == SCMP_ACT_KILL_PROCESS && l >= 3;
	case SCMP_ACT_KILL_THREAD:
		return act == SCMP_ACT_KILL_THREAD;
	case SCMP_ACT_TRAP:
		return act == SCMP_ACT_TRAP;
	case SCMP_ACT_ERRNO(0):
		return (act & 0xffff) < 4095; /* libseccomp 2.5.4 refuses MAX_ERRNO itself */
	case SCMP_ACT_TRACE(0):
		return true;
	case SCMP_ACT_LOG:
		return act == SCMP_ACT_LOG && l >= 3;
	case SCMP_ACT_ALLOW:
		return act == SCMP_ACT_ALLOW;
	case SCMP_ACT_NOTIFY:
		return act == SCMP_ACT_NOTIFY && l >= 5;
	}
	return false;
}

/* System errors become -ECANCELED unless SCMP_FLTATR_API_SYSRAWRC is set. */
int compat_rc(const struct compat_ctx *c, int rc)
{
	if (rc >= 0 || (c && c->rawrc))
		return rc;
	switch (rc) {
	case -EINVAL:
	case -ENOMEM:
	case -ESRCH:
	case -EFAULT:
		return rc;
	}
	return -ECANCELED;
}

void compat_arch_fini(struct compat_arch *a)
{
	for (size_t i = 0; i < a->nsys; i++)
		if (a->sys[i].tree)
			sck_scmp_tree_free(a->sys[i].tree);
	free(a->sys);
	free(a->index);
	a->sys = NULL;
	a->index = NULL;
	a->nsys = a->capsys = 0;
}

static size_t slot_of(int nr, size_t nslots)
{
	return (size_t)((uint32_t)nr * 2654435761u) & (nslots - 1);
}

/* (Re)build @a's index for capacity @cap (a power of two). */
static int index_build(struct compat_arch *a, size_t cap)
{
	size_t mask = cap * 2 - 1;
	unsigned int *idx = calloc(cap * 2, sizeof(*idx)); /* 0: free */

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < a->nsys; i++) {
		size_t k = slot_of(a->sys[i].nr, mask + 1);
		while (idx[k])
			k = (k + 1) & mask;
		idx[k] = (unsigned int)i + 1;
	}
	free(a->index);
	a->index = idx;
	return 0;
}

struct compat_sys *compat_sys_get(struct compat_arch *a, int nr, bool create)
{
	size_t mask = a->capsys * 2 - 1, k = 0;

	if (a->index) {
		for (k = slot_of(nr, mask + 1); a->index[k]; k = (k + 1) & mask)
			if (a->sys[a->index[k] - 1].nr == nr)
				return &a->sys[a->index[k] - 1];
	}
	if (!create)
		return NULL;
	if (a->nsys == a->capsys || !a->index) {
		/* room for a profile's syscalls at once (Docker's: about 380 per arch) */
		size_t cap = a->nsys == a->capsys ? (a->capsys ? a->capsys * 2 : 512) : a->capsys;
		struct compat_sys *ns = realloc(a->sys, cap * sizeof(*ns));
		if (!ns)
			return NULL;
		a->sys = ns;
		a->capsys = cap;
		if (index_build(a, cap) < 0)
			return NULL;
		mask = cap * 2 - 1;
		for (k = slot_of(nr, mask + 1); a->index[k]; k = (k + 1) & mask)
			;
	}
	/* (else @k is the free slot the lookup ended on) */
	a->sys[a->nsys] = (struct compat_sys){.nr = nr};
	a->index[k] = (unsigned int)++a->nsys;
	return &a->sys[a->nsys - 1];
}

static void ctx_clear(struct compat_ctx *c)
{
	for (size_t i = 0; i < c->narches; i++)
		compat_arch_fini(&c->arches[i]);
	free(c->arches);
	c->arches = NULL;
	c->narches = 0;
}

static int arch_push(struct compat_ctx *c, uint32_t token)
{
	struct compat_arch *na = realloc(c->arches, (c->narches + 1) * sizeof(*na));

	if (!na)
		return -ENOMEM;
	c->arches = na;
	memset(&na[c->narches], 0, sizeof(*na));
	na[c->narches].token = token;
	na[c->narches].sa = compat_arch_of(token);
	na[c->narches].arg32 = compat_arch_arg32(token);
	na[c->narches].mux = compat_arch_mux(token);
	c->narches++;
	return 0;
}

static int ctx_setup(struct compat_ctx *c, uint32_t def_action)
{
	ctx_clear(c);
	c->act_default = def_action;
	c->act_badarch = SCMP_ACT_KILL_THREAD;
	c->nnp = 1;
	c->tsync = c->tskip = c->log = c->ssb = c->rawrc = 0;
	c->optimize = 1;
	c->notify = def_action == SCMP_ACT_NOTIFY;
	return arch_push(c, compat_native_token());
}

COMPAT_API scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	struct compat_ctx *c;

	if (!compat_action_valid(def_action))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (ctx_setup(c, def_action) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

COMPAT_API int seccomp_reset(scmp_filter_ctx ctx, uint32_t def_action)
{
	struct compat_ctx *c = ctx;

	if (!c) {
		/* libseccomp 2.5.4 resets its global state: the notification fd is closed */
		compat_notify_reset();
		return 0;
	}
	if (!compat_action_valid(def_action))
		return -EINVAL;
	return ctx_setup(c, def_action);
}

COMPAT_API void seccomp_release(scmp_filter_ctx ctx)
{
	struct compat_ctx *c = ctx;

	if (!c)
		return;
	ctx_clear(c);
	free(c);
}

static int find_arch(const struct compat_ctx *c, uint32_t token)
{
	for (size_t i = 0; i < c->narches; i++)
		if (c->arches[i].token == token)
			return (int)i;
	return -1;
}

COMPAT_API int seccomp_arch_exist(const scmp_filter_ctx ctx, uint32_t arch_token)
{
	const struct compat_ctx *c = ctx;

	if (arch_token == 0)
		arch_token = compat_native_token();
	if (!c || !compat_arch_of(arch_token))
		return -EINVAL;
	return find_arch(c, arch_token) < 0 ? -EEXIST : 0;
}

COMPAT_API int seccomp_arch_add(scmp_filter_ctx ctx, uint32_t arch_token)
{
	struct compat_ctx *c = ctx;

	if (arch_token == 0)
		arch_token = compat_native_token();
	if (!c || !compat_arch_of(arch_token))
		return -EINVAL;
	if (find_arch(c, arch_token) >= 0)
		return -EEXIST;
	if (c->narches &&
	    compat_arch_big_endian(c->arches[0].token) != compat_arch_big_endian(arch_token))
		return -EDOM;
	return arch_push(c, arch_token);
}

COMPAT_API int seccomp_arch_remove(scmp_filter_ctx ctx, uint32_t arch_token)
{
	struct compat_ctx *c = ctx;
	int i;

	if (arch_token == 0)
		arch_token = compat_native_token();
	if (!c || !compat_arch_of(arch_token))
		return -EINVAL;
	i = find_arch(c, arch_token);
	if (i < 0)
		return -EEXIST;
	compat_arch_fini(&c->arches[i]);
	memmove(&c->arches[i], &c->arches[i + 1],
		(c->narches - (size_t)i - 1) * sizeof(c->arches[0]));
	c->narches--;
	return 0;
}

COMPAT_API int seccomp_merge(scmp_filter_ctx ctx_dst, scmp_filter_ctx ctx_src)
{
	struct compat_ctx *d = ctx_dst, *s = ctx_src;
	struct compat_arch *na;

	if (!compat_valid(d) || !compat_valid(s) || d->act_default != s->act_default ||
	    d->nnp != s->nnp || d->tsync != s->tsync)
		return -EINVAL;
	if (d->narches && s->narches &&
	    compat_arch_big_endian(d->arches[0].token) !=
		    compat_arch_big_endian(s->arches[0].token))
		return -EDOM;
	for (size_t i = 0; i < s->narches; i++)
		if (find_arch(d, s->arches[i].token) >= 0)
			return -EEXIST;
	na = realloc(d->arches, (d->narches + s->narches + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	d->arches = na;
	memcpy(&na[d->narches], s->arches, s->narches * sizeof(*na));
	d->narches += s->narches;
	d->notify |= s->notify;
	free(s->arches);
	free(s);
	return 0;
}

COMPAT_API int seccomp_attr_get(const scmp_filter_ctx ctx, enum scmp_filter_attr attr,
				uint32_t *value)
{
	const struct compat_ctx *c = ctx;
	uint32_t v;

	if (!compat_valid(c) || !value)
		return -EINVAL;
	switch (attr) {
	case SCMP_FLTATR_ACT_DEFAULT:
		v = c->act_default;
		break;
	case SCMP_FLTATR_ACT_BADARCH:
		v = c->act_badarch;
		break;
	case SCMP_FLTATR_CTL_NNP:
		v = c->nnp;
		break;
	case SCMP_FLTATR_CTL_TSYNC:
		v = c->tsync;
		break;
	case SCMP_FLTATR_API_TSKIP:
		v = c->tskip;
		break;
	case SCMP_FLTATR_CTL_LOG:
		v = c->log;
		break;
	case SCMP_FLTATR_CTL_SSB:
		v = c->ssb;
		break;
	case SCMP_FLTATR_CTL_OPTIMIZE:
		v = c->optimize;
		break;
	case SCMP_FLTATR_API_SYSRAWRC:
		v = c->rawrc;
		break;
	default:
		return -EINVAL;
	}
	*value = v;
	return 0;
}

COMPAT_API int seccomp_attr_set(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value)
{
	struct compat_ctx *c = ctx;
	unsigned int l = compat_api_level();

	if (!compat_valid(c))
		return -EINVAL;
	switch (attr) {
	case SCMP_FLTATR_ACT_DEFAULT:
		return -EACCES;
	case SCMP_FLTATR_ACT_BADARCH:
		if (!compat_action_valid(value))
			return -EINVAL;
		c->act_badarch = value;
		return 0;
	case SCMP_FLTATR_CTL_NNP:
		c->nnp = value ? 1 : 0;
		return 0;
	case SCMP_FLTATR_CTL_TSYNC:
		if (l < 2)
			return -EOPNOTSUPP;
		if (value && c->notify && l < 6) /* TSYNC with a listener needs TSYNC_ESRCH */
			return -EINVAL;
		c->tsync = value ? 1 : 0;
		return 0;
	case SCMP_FLTATR_API_TSKIP:
		c->tskip = value ? 1 : 0;
		return 0;
	case SCMP_FLTATR_CTL_LOG:
		if (l < 3)
			return -EOPNOTSUPP;
		c->log = value ? 1 : 0;
		return 0;
	case SCMP_FLTATR_CTL_SSB:
		if (l < 4)
			return -EOPNOTSUPP;
		c->ssb = value ? 1 : 0;
		return 0;
	case SCMP_FLTATR_CTL_OPTIMIZE:
		if (value != 1 && value != 2)
			return -EOPNOTSUPP;
		c->optimize = value;
		return 0;
	case SCMP_FLTATR_API_SYSRAWRC:
		c->rawrc = value ? 1 : 0;
		return 0;
	default:
		return -EINVAL;
	}
}
