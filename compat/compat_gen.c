// SPDX-License-Identifier: MIT
/*
 * Programs and notifications of the libseccomp compatibility library: the filter context is
 * handed to sck's compiler (each arch's databases flattened into first-match rules, sck_scmp_tree_flatten)
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
			if (rc == 0 && s->uncond)
				rc = emit(&e, s->uncond_act, NULL, 0);
			else if (rc == 0 && !sck_scmp_tree_empty(s->tree))
				rc = sck_scmp_tree_flatten(s->tree, a->arg32, emit, &e);
		}
	}
	if (rc == 0)
		rc = sck_filter_compile(f, NULL, out);
	sck_filter_free(f);
	return rc;
}

/*
 * The rules on syscall -1 (SCMP_FLTATR_API_TSKIP, for tracers that skip a call) in front of
 * sck's program, which has no number -1: nr == -1 on an arch with an unconditional rule on -1
 * returns that rule's action (the first such arch wins an audit arch shared by x86_64 and x32).
 * Writes at most 3 + 2 * c->narches instructions to @pre; returns how many.
 */
static size_t skip_prefix(const struct compat_ctx *c, struct sock_filter *pre)
{
	size_t n = 3;

	for (size_t i = 0; i < c->narches; i++) {
		const struct compat_sys *s = compat_sys_get(&c->arches[i], -1, false);
		uint32_t act;
		bool dup = false;

		if (!s || !compat_sys_uncond(s, &act))
			continue;
		for (size_t j = 3; j < n; j += 2)
			dup |= pre[j].k == c->arches[i].sa->audit_arch;
		if (dup)
			continue;
		pre[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							c->arches[i].sa->audit_arch, 0, 1);
		pre[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, act);
	}
	if (n == 3)
		return 0;
	pre[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	pre[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffffu, 0,
					      (uint8_t)(n - 2));
	pre[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	return n;
}

/*
 * The whole program of @c: sck's, behind the prefix for -1. Returns 0 with *insns (malloc'd,
 * *len instructions) and, when @prog is not NULL, sck's program in *prog; -ENOMEM, or the
 * compiler's error.
 */
static int compat_program(const struct compat_ctx *c, struct sck_filter_prog **prog,
			  struct sock_filter **insns, size_t *len)
{
	struct sck_filter_prog *p = NULL;
	const struct sock_filter *body;
	struct sock_filter *all;
	size_t n, npre;
	int rc;

	if (c->narches > 126) /* the prefix's jumps are 8 bits */
		return -ENOMEM;
	rc = compat_compile(c, &p);
	if (rc < 0)
		return rc;
	body = sck_filter_prog_insns(p, &n);
	all = malloc((n + 3 + 2 * c->narches) * sizeof(*all));
	if (!all) {
		sck_filter_prog_free(p);
		return -ENOMEM;
	}
	npre = skip_prefix(c, all);
	memcpy(all + npre, body, n * sizeof(*all));
	*insns = all;
	*len = npre + n;
	if (prog)
		*prog = p;
	else
		sck_filter_prog_free(p);
	return 0;
}

/* The process's notification fd, as libseccomp keeps it: one, from the first listener. */
static int notify_fd = -1;

void compat_notify_reset(void)
{
	int fd = __atomic_exchange_n(&notify_fd, -1, __ATOMIC_RELAXED);

	if (fd > 0)
		close(fd);
}

/*
 * The flags libseccomp 2.5.4 loads @c with: a listener only while the process has none (the
 * kernel allows one per filter stack; later notifying filters share it), TSYNC_ESRCH with
 * TSYNC where the kernel has it. -EFAULT: TSYNC and a listener on a kernel without TSYNC_ESRCH.
 */
static int load_flags(const struct compat_ctx *c, bool *listener)
{
	unsigned int l = compat_api_level(), flags = 0;
	bool first = __atomic_load_n(&notify_fd, __ATOMIC_RELAXED) < 0;

	*listener = l >= 5 && c->notify && first;
	if (c->tsync) {
		if (l >= 6 && first)
			flags |= SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		else if (*listener)
			return -EFAULT;
		else
			flags |= SECCOMP_FILTER_FLAG_TSYNC;
	}
	if (*listener)
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if (c->log)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (c->ssb)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	return (int)flags;
}

/* libseccomp's return codes of seccomp_load: -ESRCH, else -ECANCELED or (API_SYSRAWRC) the
 * kernel's, filtered as its other codes are. */
static int load_rc(const struct compat_ctx *c, int rc)
{
	if (rc >= 0 || rc == -ESRCH)
		return rc;
	if (!c->rawrc)
		return -ECANCELED;
	switch (rc) {
	case -EACCES:
	case -ECANCELED:
	case -EDOM:
	case -EEXIST:
	case -EINVAL:
	case -ENOENT:
	case -ENOMEM:
	case -EOPNOTSUPP:
		return rc;
	}
	return -EFAULT;
}

COMPAT_API int seccomp_load(const scmp_filter_ctx ctx)
{
	struct compat_ctx *c = ctx;
	struct sock_filter *insns = NULL;
	bool listener;
	size_t len;
	int rc, flags;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_program(c, NULL, &insns, &len);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	rc = c->nnp ? sck_no_new_privs() : 0;
	flags = load_flags(c, &listener);
	if (rc == 0 && flags < 0)
		rc = flags;
	if (rc == 0)
		rc = sck_set_mode_filter(insns, len, (unsigned int)flags);
	free(insns);
	if (rc > 0) {
		if (listener)
			__atomic_store_n(&notify_fd, rc, __ATOMIC_RELAXED);
		else
			close(rc);
		rc = 0;
	}
	return load_rc(c, rc);
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
	struct sock_filter *insns = NULL;
	size_t len;
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_program(c, NULL, &insns, &len);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	/* as libseccomp, a filter for other-endian arches is written in their order */
	if (compat_arch_big_endian(c->arches[0].token) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		sck_bpf_swap(insns, len);
	rc = write_all(fd, insns, len * sizeof(*insns));
	free(insns);
	return compat_rc(c, rc);
}

COMPAT_API int seccomp_export_pfc(const scmp_filter_ctx ctx, int fd)
{
	const struct compat_ctx *c = ctx;
	struct sck_filter_prog *p = NULL;
	struct sock_filter *insns = NULL;
	char *text = NULL;
	size_t len, n;
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	rc = compat_program(c, &p, &insns, &len);
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EFAULT;
	sck_filter_prog_insns(p, &n);
	/* sck's text (arch names as comments), or the plain disassembly behind the -1 prefix */
	if (n == len)
		rc = sck_filter_prog_export_alloc(p, SCK_FORMAT_TEXT, &text, &len);
	else if ((rc = sck_bpf_disasm_alloc(insns, len, NULL, &text)) == 0)
		len = strlen(text);
	if (rc == 0)
		rc = write_all(fd, text, len);
	free(text);
	free(insns);
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
	int rc;

	if (!compat_valid(c))
		return -EINVAL;
	/* libseccomp 2.5.4 passes its -1 through its return code filter: -EFAULT */
	rc = __atomic_load_n(&notify_fd, __ATOMIC_RELAXED);
	return rc >= 0 ? rc : -EFAULT;
}
