// SPDX-License-Identifier: MIT
/*
 * Programs and notifications of the libseccomp compatibility library: the filter context is
 * handed to sck's compiler (each arch's databases flattened into first-match rules, scmp_tree.h)
 * for seccomp_load, seccomp_export_bpf and seccomp_export_pfc (sck's disassembly, the one
 * deliberate difference from libseccomp's pseudo code), and the seccomp_notify_* calls on sck's
 * notification API (buffers at the running kernel's sizes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat_int.h"

struct emit_ctx {
	struct sck_filter *f;
	const struct sck_arch *sa;
	int nr;
};

static int emit(void *vctx, uint32_t action, const struct sck_cond *conds, size_t n)
{
	struct emit_ctx *e = vctx;
	struct sck_rule r = {
		.nr = e->nr, .arch = e->sa, .action = action, .conds = conds, .nconds = n};

	return sck_filter_add_rule(e->f, &r);
}

int compat_compile(const struct compat_ctx *c, struct sck_filter_prog **out)
{
	SCK_OPTS(sck_filter_opts, o, .default_action = c->act_default,
		 .bad_arch_action = c->act_badarch, .flags = SCK_FILTER_NO_MULTIPLEX);
	struct sck_filter *f = NULL;
	int rc = sck_filter_new(&o, &f);

	for (size_t i = 0; rc == 0 && i < c->narches; i++) {
		const struct compat_arch *a = &c->arches[i];
		rc = sck_filter_add_arch(f, a->sa);
		for (size_t j = 0; rc == 0 && j < a->nsys; j++) {
			const struct compat_sys *s = &a->sys[j];
			struct emit_ctx e = {f, a->sa, s->nr};
			if (s->nr < 0) /* a pseudo number of an _exact rule: no call has it */
				continue;
			if (s->has_prio)
				rc = sck_filter_set_weight(f, a->sa, s->nr, 1u + s->prio);
			if (rc == 0 && !sck_scmp_tree_empty(s->tree))
				rc = sck_scmp_tree_flatten(s->tree, compat_arch_arg32(a->token),
							   emit, &e);
		}
	}
	if (rc == 0)
		rc = sck_filter_compile(f, NULL, out);
	sck_filter_free(f);
	return rc;
}

COMPAT_API int seccomp_load(const scmp_filter_ctx ctx)
{
	struct compat_ctx *c = ctx;
	struct sck_filter_prog *p = NULL;
	unsigned int flags = 0;
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_compile(c, &p);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	if (!c->nnp)
		flags |= SCK_LOAD_NO_NNP;
	if (c->tsync)
		flags |= SECCOMP_FILTER_FLAG_TSYNC;
	if (c->log)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (c->ssb)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	rc = sck_filter_prog_load(p, flags);
	sck_filter_prog_free(p);
	if (rc > 0) {
		c->notify_fd = rc;
		rc = 0;
	}
	return compat_rc(c, rc);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

COMPAT_API int seccomp_export_bpf(const scmp_filter_ctx ctx, int fd)
{
	const struct compat_ctx *c = ctx;
	struct sck_filter_prog *p = NULL;
	const struct sock_filter *insns;
	size_t len;
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_compile(c, &p);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	insns = sck_filter_prog_insns(p, &len);
	if (c->narches && compat_arch_big_endian(c->arches[0].token) !=
				  (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)) {
		/* as libseccomp, a filter for other-endian arches is written in their order */
		struct sock_filter *sw = malloc(len * sizeof(*sw));
		if (!sw) {
			sck_filter_prog_free(p);
			return -ENOMEM;
		}
		for (size_t i = 0; i < len; i++)
			sw[i] = (struct sock_filter){__builtin_bswap16(insns[i].code), insns[i].jt,
						     insns[i].jf, __builtin_bswap32(insns[i].k)};
		rc = write_all(fd, sw, len * sizeof(*sw));
		free(sw);
	} else {
		rc = write_all(fd, insns, len * sizeof(*insns));
	}
	sck_filter_prog_free(p);
	return compat_rc(c, rc);
}

COMPAT_API int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	const struct compat_ctx *c = ctx;
	struct sck_filter_prog *p = NULL;
	char *text = NULL;
	size_t len;
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_compile(c, &p);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	rc = sck_filter_prog_export_alloc(p, SCK_FORMAT_TEXT, &text, &len);
	if (rc == 0)
		rc = write_all(fd, text, len);
	free(text);
	sck_filter_prog_free(p);
	return compat_rc(c, rc);
}

/* ---- notifications ---- */

COMPAT_API int seccomp_notify_alloc(struct seccomp_notif **req, struct seccomp_notif_resp **resp)
{
	if (compat_api_level() < 5)
		return -EOPNOTSUPP;
	if (!req && !resp)
		return 0;
	return sck_notify_alloc(req, resp) == -ENOMEM ? -ENOMEM : 0;
}

COMPAT_API void seccomp_notify_free(struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	free(req);
	free(resp);
}

COMPAT_API int seccomp_notify_receive(int fd, struct seccomp_notif *req)
{
	struct sck_notify *n = NULL;
	int rc;

	if (compat_api_level() < 5)
		return -EOPNOTSUPP;
	rc = sck_notify_new(fd, 0, &n);
	if (rc == 0)
		rc = sck_notify_recv_into(n, req);
	sck_notify_free(n);
	return rc < 0 ? -ECANCELED : 0;
}

COMPAT_API int seccomp_notify_respond(int fd, struct seccomp_notif_resp *resp)
{
	struct sck_notify *n = NULL;
	int rc;

	if (compat_api_level() < 5)
		return -EOPNOTSUPP;
	if (!resp)
		return -ECANCELED;
	rc = sck_notify_new(fd, 0, &n);
	if (rc == 0)
		rc = sck_notify_respond(n, resp->id, resp->val, -resp->error, resp->flags);
	sck_notify_free(n);
	return rc < 0 ? -ECANCELED : 0;
}

COMPAT_API int seccomp_notify_id_valid(int fd, uint64_t id)
{
	struct sck_notify *n = NULL;
	int rc = sck_notify_new(fd, 0, &n);

	if (rc == 0)
		rc = sck_notify_id_valid(n, id);
	sck_notify_free(n);
	return rc < 0 ? -ENOENT : 0;
}

COMPAT_API int seccomp_notify_fd(const scmp_filter_ctx ctx)
{
	const struct compat_ctx *c = ctx;

	if (!compat_valid(c))
		return -EINVAL;
	/* libseccomp 2.5.4 passes its -1 through its return code filter: -EFAULT */
	return c->notify_fd >= 0 ? c->notify_fd : -EFAULT;
}
