// SPDX-License-Identifier: MIT
/*
 * The OCI / Docker seccomp profile reader: JSON (json-c) to a struct sck_filter in OCI mode,
 * following what Docker (includes/excludes, archMap) and runc (actions, conditions, skipped
 * rules, the -ENOSYS stub) do with a profile before libseccomp sees it, so that the compiled
 * verdicts equal theirs. Every error names its place: line and column from the tokenizer's byte
 * offset for malformed JSON, the JSON path for a semantic error. docs/semantics.md, "Profiles".
 */
#include "profile/profile_int.h"

#include "opts_int.h"
#include "sck/syscalls.h"
#include "syscalls_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_FILE (64u << 20)

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER},
	{"SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* Syscall @name_idx (an index in sck_syscall_names) is named: the largest number so far. */
static void note_max(struct sck_prof *c, int name_idx)
{
	for (size_t a = 0; a < c->narch; a++) {
		int nr = sck_syscall_nr_at(c->arches[a], name_idx);
		if (nr > c->maxnr[a])
			c->maxnr[a] = nr;
	}
}

static int read_syscall(struct sck_prof *c, json_object *o, size_t idx)
{
	enum { NAMES, NAME, ACTION, ERRNO_RET, ARGS, COMMENT, INCLUDES, EXCLUDES, NKEYS };
	static const char *const keys[NKEYS + 1] = {
		[NAMES] = "names",	  [NAME] = "name",	  [ACTION] = "action",
		[ERRNO_RET] = "errnoRet", [ARGS] = "args",	  [COMMENT] = "comment",
		[INCLUDES] = "includes",  [EXCLUDES] = "excludes"};
	const struct sck_prof_path *path = SCK_PROF_AT_I(NULL, "syscalls", idx);
	char p[SCK_PROF_PATH_MAX];
	json_object *m[NKEYS], *names, *name, *args, *v;
	struct array_list *list = NULL; /* names' elements */
	struct sck_cond conds[64];
	size_t nconds = 0, nnames = 0;
	unsigned int count[6] = {0};
	bool repeated = false, skip = false, dropped;
	uint32_t action;
	int rc;

	rc = sck_prof_want(c, o, json_type_object, path, "an object");
	if (rc)
		return rc;
	sck_prof_members(c, o, path, keys, m);
	names = m[NAMES];
	name = m[NAME];
	if (names && name)
		return sck_prof_fail_at(c, -EINVAL, path,
					"both \"name\" and \"names\" given (as Docker)");
	if (names) {
		rc = sck_prof_want(c, names, json_type_array, SCK_PROF_AT(path, ".names"),
				   "an array");
		if (rc)
			return rc;
		list = json_object_get_array(names);
		nnames = array_list_length(list);
		for (size_t i = 0; i < nnames; i++) {
			json_object *e = array_list_get_idx(list, i);
			const struct sck_prof_path *ep;
			/* this loop sees every name (a length > 0 is a non-empty string's) */
			if (json_object_get_string_len(e) > 0)
				continue;
			ep = SCK_PROF_AT_I(path, ".names", i);
			if (!json_object_is_type(e, json_type_string))
				return sck_prof_want(c, e, json_type_string, ep, "a string");
			return sck_prof_fail_at(c, -EINVAL, ep, "empty syscall name");
		}
	} else if (name) {
		const struct sck_prof_path *np = SCK_PROF_AT(path, ".name");
		const char *s;
		rc = sck_prof_get_str(c, name, np, &s);
		if (rc)
			return rc;
		if (!*s)
			return sck_prof_fail_at(c, -EINVAL, np, "empty syscall name");
	}
	if (!(v = m[ACTION]))
		return sck_prof_fail_at(c, -EINVAL, SCK_PROF_AT(path, ".action"), "missing");
	rc = sck_prof_get_action(c, v, m[ERRNO_RET], SCK_PROF_AT(path, ".action"),
				 SCK_PROF_AT(path, ".errnoRet"), &action);
	if (rc)
		return rc;
	if ((v = m[COMMENT])) {
		const char *s;
		rc = sck_prof_get_str(c, v, SCK_PROF_AT(path, ".comment"), &s);
		if (rc)
			return rc;
	}
	if ((args = m[ARGS])) {
		const struct sck_prof_path *ap = SCK_PROF_AT(path, ".args");
		rc = sck_prof_want(c, args, json_type_array, ap, "an array");
		if (rc)
			return rc;
		if (json_object_array_length(args) > sizeof(conds) / sizeof(conds[0]))
			return sck_prof_fail_at(c, -EINVAL, ap, "more than %zu conditions",
						sizeof(conds) / sizeof(conds[0]));
		for (size_t i = 0; i < json_object_array_length(args); i++) {
			rc = sck_prof_read_cond(c, json_object_array_get_idx(args, i),
						SCK_PROF_AT_I(path, ".args", i), &conds[nconds]);
			if (rc)
				return rc;
			if (++count[conds[nconds].arg] > 1)
				repeated = true;
			nconds++;
		}
	}
	if ((v = m[EXCLUDES])) {
		rc = sck_prof_clause(c, v, SCK_PROF_AT(path, ".excludes"), false);
		if (rc < 0)
			return rc;
		skip |= rc == 1;
	}
	if ((v = m[INCLUDES])) {
		rc = sck_prof_clause(c, v, SCK_PROF_AT(path, ".includes"), true);
		if (rc < 0)
			return rc;
		skip |= rc == 0;
	}
	if (skip)
		return 0;

	/* runc: a rule with the default action is redundant, skipped before anything (its names
	 * still count for the -ENOSYS stub) */
	dropped = sck_filter_drops_action(c->f, action);
	if (dropped && !(c->flags & SCK_PROFILE_ENOSYS_NEWER))
		return 0;
	if (!names && name)
		nnames = 1;
	for (size_t i = 0; i < nnames; i++) {
		const char *s = json_object_get_string(names ? array_list_get_idx(list, i) : name);
		int nidx = sck_syscall_name_index(s); /* hashed once for all that follows */
		p[0] = 0; /* the path of this name, built only when a message needs it */
#define NAME_PATH()                                                                                \
	(p[0] ? p                                                                                  \
	      : (names ? snprintf(p, sizeof(p), "syscalls[%zu].names[%zu]", idx, i)                \
		       : snprintf(p, sizeof(p), "syscalls[%zu].name", idx),                        \
		 p))
		if (c->flags & SCK_PROFILE_ENOSYS_NEWER)
			note_max(c, nidx);
		if (dropped)
			continue;
		if (nidx < 0 && !sck_prof_mux_known(s)) {
			if (c->flags & SCK_PROFILE_IGNORE_UNKNOWN) {
				sck_prof_warn(c, NAME_PATH(),
					      "unknown syscall \"%s\" on %s ignored", s,
					      c->arches[0]->name);
				continue;
			}
			return sck_prof_fail(c, -ENOENT, NAME_PATH(),
					     "unknown syscall \"%.60s\" on %s", s,
					     c->arches[0]->name);
		}
		if (nconds == 0) {
			rc = sck_prof_add_plain(c, s, nidx, action);
		} else {
			/* runc: an index used twice makes each condition a rule of its own */
			size_t parts = repeated ? nconds : 1, clash = 0;
			rc = 0;
			for (size_t k = 0; k < parts && !rc; k++) {
				const struct sck_cond *cs = repeated ? &conds[k] : conds;
				size_t cn = repeated ? 1 : nconds;
				rc = sck_prof_check_conflict(c, nidx, action, cs, cn, idx, &clash);
				if (rc == -EEXIST)
					return sck_prof_fail(
						c, -EINVAL, NAME_PATH(),
						"conflicting rules for \"%.60s\": the conditions "
						"of syscalls[%zu] with another action",
						s, clash);
				if (!rc)
					rc = sck_prof_add_rule(c, s, nidx, action, cs, cn);
			}
		}
		if (rc)
			return sck_prof_fail(c, rc, NAME_PATH(), "cannot add a rule for \"%s\": %s",
					     s, strerror(-rc));
#undef NAME_PATH
	}
	return 0;
}

static int read_profile(struct sck_prof *c, json_object *root, struct sck_profile_info *info)
{
	enum {
		COMMENT,
		DEF_ACTION,
		DEF_ERRNO,
		ARCHES,
		ARCH_MAP,
		FLAGS,
		LPATH,
		LMETA,
		SYSCALLS,
		NKEYS
	};
	static const char *const keys[NKEYS + 1] = {
		[COMMENT] = "comment",		 [DEF_ACTION] = "defaultAction",
		[DEF_ERRNO] = "defaultErrnoRet", [ARCHES] = "architectures",
		[ARCH_MAP] = "archMap",		 [FLAGS] = "flags",
		[LPATH] = "listenerPath",	 [LMETA] = "listenerMetadata",
		[SYSCALLS] = "syscalls"};
	json_object *m[NKEYS], *v;
	uint32_t def = 0;
	int rc;

	rc = sck_prof_want(c, root, json_type_object, NULL, "a JSON object (an OCI LinuxSeccomp)");
	if (rc)
		return rc;
	sck_prof_members(c, root, SCK_PROF_AT(NULL, "(top)"), keys, m);
	if (!(v = m[DEF_ACTION]))
		return sck_prof_fail(c, -EINVAL, "defaultAction", "missing");
	rc = sck_prof_get_action(c, v, m[DEF_ERRNO], SCK_PROF_AT(NULL, "defaultAction"),
				 SCK_PROF_AT(NULL, "defaultErrnoRet"), &def);
	if (rc)
		return rc;
	c->def_action = def;
	c->def_allow = def == SECCOMP_RET_ALLOW || def == SECCOMP_RET_LOG;
	if ((v = m[DEF_ERRNO])) {
		uint64_t e = 0;
		rc = sck_prof_get_u64(c, v, SCK_PROF_AT(NULL, "defaultErrnoRet"), SCK_ERRNO_MAX,
				      &e);
		if (rc)
			return rc;
		c->def_errno_enosys = e == ENOSYS;
	}
	if (!c->arches_given && sck_arch_native())
		sck_prof_add_arch(c, sck_arch_native(), NULL);
	rc = sck_prof_read_arches(c, m[ARCHES], m[ARCH_MAP]);
	if (rc)
		return rc;
	if (c->narch == 0)
		return sck_prof_fail(c, -EDOM, "architectures",
				     "no architecture (and no native one)");
	if ((v = m[FLAGS])) {
		rc = sck_prof_want(c, v, json_type_array, SCK_PROF_AT(NULL, "flags"), "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			const struct sck_prof_path *p = SCK_PROF_AT_I(NULL, "flags", i);
			const char *s;
			bool found = false;
			rc = sck_prof_get_str(c, json_object_array_get_idx(v, i), p, &s);
			if (rc)
				return rc;
			for (size_t k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++) {
				if (strcmp(flag_names[k].name, s) == 0) {
					info->load_flags |= flag_names[k].flag;
					found = true;
				}
			}
			if (!found)
				return sck_prof_fail_at(c, -EINVAL, p, "unknown flag \"%.60s\"", s);
		}
	}
	if ((v = m[LPATH])) {
		const char *s;
		rc = sck_prof_get_str(c, v, SCK_PROF_AT(NULL, "listenerPath"), &s);
		if (rc)
			return rc;
		if (strlen(s) >= sizeof(info->listener_path))
			return sck_prof_fail(c, -EINVAL, "listenerPath", "longer than %zu bytes",
					     sizeof(info->listener_path) - 1);
		memcpy(info->listener_path, s, strlen(s) + 1);
	}
	if ((v = m[LMETA])) {
		const char *s;
		rc = sck_prof_get_str(c, v, SCK_PROF_AT(NULL, "listenerMetadata"), &s);
		if (rc)
			return rc;
		if (strlen(s) >= sizeof(info->listener_metadata))
			return sck_prof_fail(c, -EINVAL, "listenerMetadata",
					     "longer than %zu bytes",
					     sizeof(info->listener_metadata) - 1);
		memcpy(info->listener_metadata, s, strlen(s) + 1);
	}
	{
		SCK_OPTS(sck_filter_opts, fo, .default_action = def,
			 .bad_arch_action = SECCOMP_RET_KILL_THREAD, .flags = SCK_FILTER_OCI);
		rc = sck_filter_new(&fo, &c->f);
		if (rc)
			return sck_prof_fail(c, rc, "", "%s", strerror(-rc));
	}
	for (size_t i = 0; i < c->narch; i++) {
		rc = sck_filter_add_arch(c->f, c->arches[i]);
		if (rc && rc != -EEXIST)
			return sck_prof_fail(c, rc, "architectures", "cannot add %s: %s",
					     c->arches[i]->name, strerror(-rc));
		c->maxnr[i] = -1;
	}
	if ((v = m[SYSCALLS])) {
		rc = sck_prof_want(c, v, json_type_array, SCK_PROF_AT(NULL, "syscalls"),
				   "an array");
		if (rc)
			return rc;
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			rc = read_syscall(c, json_object_array_get_idx(v, i), i);
			if (rc)
				return rc;
		}
	}
	if (c->flags & SCK_PROFILE_ENOSYS_NEWER) {
		rc = sck_prof_enosys_stub(c);
		if (rc)
			return rc;
	}
	info->default_action = def;
	info->narches = c->narch;
	info->rules = c->rules;
	return 0;
}

/*
 * An OCI runtime config.json (it has "ociVersion" and "linux", a profile has neither) stands for
 * its linux.seccomp section: *@root becomes that section (the document's reference moved to it),
 * and every message names its place from the document's top.
 */
static int runtime_config(struct sck_prof *c, json_object **root)
{
	json_object *lin, *sec;

	if (!json_object_is_type(*root, json_type_object) ||
	    !json_object_object_get_ex(*root, "ociVersion", NULL) ||
	    !json_object_object_get_ex(*root, "linux", &lin) ||
	    json_object_object_get_ex(*root, "defaultAction", NULL))
		return 0;
	if (!json_object_is_type(lin, json_type_object))
		return sck_prof_fail(c, -EINVAL, "linux", "not an object (an OCI runtime config)");
	if (!json_object_object_get_ex(lin, "seccomp", &sec) ||
	    json_object_is_type(sec, json_type_null))
		return sck_prof_fail(c, -EINVAL, "linux.seccomp",
				     "missing: this runtime config has no seccomp profile");
	json_object_get(sec);
	json_object_put(*root);
	*root = sec;
	c->prefix = "linux.seccomp";
	return 0;
}

int sck_profile_parse(const char *json, size_t len, const struct sck_profile_opts *opts,
		      struct sck_filter **out, struct sck_profile_info *info, struct sck_diag *diag)
{
	struct sck_prof c = {.diag = diag};
	struct sck_profile_info inf = {0};
	const struct sck_arch *const *arches;
	const char *kernel;
	struct utsname u;
	json_object *root = NULL;
	size_t narches;
	int rc;

	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (!json || !out || (info && info->sz < sizeof(size_t)))
		return -EINVAL;
	rc = sck_opts_check(opts, sizeof(*opts));
	if (rc)
		return rc;
	c.flags = SCK_OPTS_GET(opts, flags, 0U);
	if (c.flags & ~(unsigned int)(SCK_PROFILE_IGNORE_UNKNOWN | SCK_PROFILE_ENOSYS_NEWER))
		return -EINVAL;
	c.warn = SCK_OPTS_GET(opts, warn, NULL);
	c.warn_arg = SCK_OPTS_GET(opts, warn_arg, NULL);
	arches = SCK_OPTS_GET(opts, arches, NULL);
	narches = SCK_OPTS_GET(opts, narches, (size_t)0);
	if (narches && !arches)
		return -EINVAL;
	if (narches > SCK_FILTER_MAX_ARCH)
		return -E2BIG;
	for (size_t i = 0; i < narches; i++) {
		if (!arches[i])
			return -EINVAL;
		rc = sck_prof_add_arch(&c, arches[i], NULL);
		if (rc)
			return rc;
	}
	c.arches_given = narches > 0;
	c.main_arch = SCK_OPTS_GET(opts, main_arch, NULL);
	if (!c.main_arch)
		c.main_arch = narches ? arches[0] : sck_arch_native();
	c.caps = SCK_OPTS_GET(opts, caps, NULL);
	if (!c.caps)
		c.caps = sck_prof_docker_caps;
	kernel = SCK_OPTS_GET(opts, kernel, NULL);
	if (!kernel) {
		if (uname(&u) == 0)
			kernel = u.release;
		else
			kernel = "0.0";
	}
	if (!sck_prof_parse_kver(kernel, c.kver))
		return sck_prof_fail(&c, -EINVAL, "", "invalid kernel version \"%.40s\"", kernel);

	rc = sck_prof_parse_json(&c, json, len, &root);
	if (rc)
		return rc;
	rc = runtime_config(&c, &root);
	if (rc) {
		json_object_put(root);
		return rc;
	}
	rc = read_profile(&c, root, &inf);
	sck_prof_names_free(&c);
	json_object_put(root);
	if (rc) {
		sck_filter_free(c.f);
		return rc;
	}
	if (info) {
		size_t sz = info->sz < sizeof(inf) ? info->sz : sizeof(inf);
		inf.sz = info->sz;
		memcpy(info, &inf, sz);
	}
	*out = c.f;
	return 0;
}

int sck_profile_parse_file(const char *path, const struct sck_profile_opts *opts,
			   struct sck_filter **out, struct sck_profile_info *info,
			   struct sck_diag *diag)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = 0;

	if (diag)
		memset(diag, 0, sizeof(*diag));
	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
		goto out;
	}
	if (st.st_size > (off_t)MAX_FILE) {
		rc = -EFBIG;
		goto out;
	}
	for (;;) {
		size_t cap = len + 65536;
		char *nb;
		ssize_t n;
		if (cap > MAX_FILE + 65536) {
			rc = -EFBIG;
			goto out;
		}
		nb = realloc(buf, cap + 1);
		if (!nb) {
			rc = -ENOMEM;
			goto out;
		}
		buf = nb;
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_FILE) {
		rc = -EFBIG;
		goto out;
	}
	rc = sck_profile_parse(buf ? buf : "", len, opts, out, info, diag);
out:
	if (rc && diag && !diag->msg[0])
		snprintf(diag->msg, sizeof(diag->msg), "%s", strerror(-rc));
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* profiles/default.json, embedded by mk/profile.mk */
extern const char sck_profile_default_json[];
extern const size_t sck_profile_default_len;

const char *sck_profile_builtin(size_t *len)
{
	if (len)
		*len = sck_profile_default_len;
	return sck_profile_default_json;
}
