// SPDX-License-Identifier: MIT
/*
 * The agent's policy (docs/agent.md): a JSON object with an optional default and an ordered list
 * of rules, each naming syscalls, with optional argument conditions (the profile operators), a
 * path condition (exact, prefix or glob on the path argument read from the target and resolved
 * against its cwd or dirfd) and container selectors (id glob, listenerMetadata), and a response.
 * Loading refuses anything it does not understand, naming the place: FILE:LINE:COL for JSON that
 * does not parse, FILE: JSON.PATH for a wrong value. Matching takes the first rule that fits.
 */
#include "agent.h"

#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *name;
	int op;
} ops[] = {
	{"SCMP_CMP_NE", SCK_CMP_NE},
	{"SCMP_CMP_LT", SCK_CMP_LT},
	{"SCMP_CMP_LE", SCK_CMP_LE},
	{"SCMP_CMP_EQ", SCK_CMP_EQ},
	{"SCMP_CMP_GE", SCK_CMP_GE},
	{"SCMP_CMP_GT", SCK_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCK_CMP_MASKED_EQ},
};

/* LXD's harmless character devices: null, zero, full, random, urandom, tty. */
static const uint32_t default_devices[] = {1 << 20 | 3, 1 << 20 | 5, 1 << 20 | 7,
					   1 << 20 | 8, 1 << 20 | 9, 5 << 20 | 0};

int sck_agent_errno_from(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtol(s, &end, 10);
		return errno || *end || v < 1 || v > 4095 ? -1 : (int)v;
	}
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && strcmp(n, s) == 0)
			return e;
	}
	return -1;
}

const char *sck_agent_errno_name(int e)
{
	return e > 0 ? strerrorname_np(e) : NULL;
}

/* A JSON path into @dst (cut when too long: it only names a place in a message). */
static void jp(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void jp(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(dst, cap, fmt, ap) >= (int)cap)
		dst[cap - 1] = '\0';
	va_end(ap);
}

struct pol {
	const char *file;
	struct sck_agent_policy *p;
};

static int bad(const struct pol *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const struct pol *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sck: agent: %s: %s: ", c->file, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SCK_EXIT_USAGE;
}

static int check_keys(const struct pol *c, json_object *o, const char *path,
		      const char *const *keys)
{
	json_object_object_foreach(o, k, val)
	{
		bool ok = false;

		(void)val;
		for (const char *const *p = keys; *p; p++)
			ok = ok || strcmp(*p, k) == 0;
		if (!ok)
			return bad(c, path, "unknown key \"%.60s\"", k);
	}
	return 0;
}

static int get_str(const struct pol *c, json_object *o, const char *path, const char **out)
{
	if (!json_object_is_type(o, json_type_string))
		return bad(c, path, "not a string");
	*out = json_object_get_string(o);
	return 0;
}

static int get_u64(const struct pol *c, json_object *o, const char *path, uint64_t *out)
{
	if (!json_object_is_type(o, json_type_int) || json_object_get_int64(o) < 0)
		return bad(c, path, "not an unsigned integer");
	*out = json_object_get_uint64(o);
	return 0;
}

static int get_errno(const struct pol *c, json_object *o, const char *path, int *out)
{
	int e = -1;

	if (json_object_is_type(o, json_type_int)) {
		int64_t v = json_object_get_int64(o);

		e = v >= 1 && v <= 4095 ? (int)v : -1;
	} else if (json_object_is_type(o, json_type_string)) {
		e = sck_agent_errno_from(json_object_get_string(o));
	}
	if (e < 0)
		return bad(c, path, "unknown errno %.60s (a name as EPERM, or 1..4095)",
			   json_object_to_json_string(o));
	*out = e;
	return 0;
}

static int get_action(const struct pol *c, json_object *o, const char *path, bool rule,
		      enum sck_agent_action *out)
{
	static const char *const names[] = {"continue", "log", "errno", "emulate"};
	const char *s = "";
	int rc = get_str(c, o, path, &s);

	if (rc)
		return rc;
	for (int i = 0; i < (rule ? 4 : 3); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum sck_agent_action)i;
			return 0;
		}
	}
	return bad(c, path, "unknown action \"%.60s\" (continue, log, errno%s)", s,
		   rule ? ", emulate" : "");
}

static bool known_syscall(const char *name)
{
	for (size_t i = 0; i < sck_arch_count(); i++) {
		const struct sck_arch *a = sck_arch_at(i);

		if (a && sck_syscall_nr(a, name) >= 0)
			return true;
	}
	return false;
}

static int read_cond(const struct pol *c, json_object *o, const char *path,
		     struct sck_agent_cond *out)
{
	static const char *const keys[] = {"index", "value", "valueTwo", "op", NULL};
	char p[128];
	json_object *v;
	const char *s = "";
	uint64_t u = 0;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(c, path, "not an object");
	if ((rc = check_keys(c, o, path, keys)))
		return rc;
	jp(p, sizeof(p), "%s.index", path);
	if (!json_object_object_get_ex(o, "index", &v))
		return bad(c, p, "missing");
	if ((rc = get_u64(c, v, p, &u)))
		return rc;
	if (u > 5)
		return bad(c, p, "%llu is not an argument index (0..5)", (unsigned long long)u);
	out->index = (unsigned int)u;
	jp(p, sizeof(p), "%s.value", path);
	if (!json_object_object_get_ex(o, "value", &v))
		return bad(c, p, "missing");
	if ((rc = get_u64(c, v, p, &out->value)))
		return rc;
	out->value_two = 0;
	jp(p, sizeof(p), "%s.valueTwo", path);
	if (json_object_object_get_ex(o, "valueTwo", &v) &&
	    (rc = get_u64(c, v, p, &out->value_two)))
		return rc;
	jp(p, sizeof(p), "%s.op", path);
	if (!json_object_object_get_ex(o, "op", &v))
		return bad(c, p, "missing");
	if ((rc = get_str(c, v, p, &s)))
		return rc;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, s) == 0) {
			out->op = ops[i].op;
			return 0;
		}
	}
	return bad(c, p, "unknown operator \"%.60s\"", s);
}

static int read_path(const struct pol *c, json_object *o, const char *path,
		     struct sck_agent_rule *r)
{
	static const char *const keys[] = {"exact", "prefix", "glob", "arg", NULL};
	static const char *const kinds[] = {"exact", "prefix", "glob"};
	char p[128];
	json_object *v;
	const char *s = "";
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(c, path, "not an object");
	if ((rc = check_keys(c, o, path, keys)))
		return rc;
	for (int k = 0; k < 3; k++) {
		if (!json_object_object_get_ex(o, kinds[k], &v))
			continue;
		jp(p, sizeof(p), "%s.%s", path, kinds[k]);
		if (r->path_kind)
			return bad(c, p, "only one of exact, prefix and glob");
		if ((rc = get_str(c, v, p, &s)))
			return rc;
		if (s[0] != '/')
			return bad(c, p, "not an absolute path");
		r->path_kind = (enum sck_agent_path_kind)(k + 1);
		r->path = strdup(s);
	}
	if (!r->path_kind)
		return bad(c, path, "needs one of exact, prefix and glob");
	r->path_arg = -1;
	if (json_object_object_get_ex(o, "arg", &v)) {
		uint64_t u = 0;

		jp(p, sizeof(p), "%s.arg", path);
		if ((rc = get_u64(c, v, p, &u)))
			return rc;
		if (u > 5)
			return bad(c, p, "not an argument index (0..5)");
		r->path_arg = (int)u;
	}
	/* every call of the rule must have a string argument there */
	for (char **n = r->names; *n; n++) {
		const char *spec = sck_cli_arg_spec(*n);
		bool ok = spec && (r->path_arg >= 0 ? (size_t)r->path_arg < strlen(spec) &&
							      spec[r->path_arg] == 's'
						    : strchr(spec, 's') != NULL);

		if (!ok)
			return bad(c, path, "%s has no path argument%s", *n,
				   r->path_arg >= 0 ? " at that index" : "");
	}
	return 0;
}

static int read_devices(const struct pol *c, json_object *o, const char *path,
			struct sck_agent_rule *r)
{
	size_t n;

	if (!json_object_is_type(o, json_type_array))
		return bad(c, path, "not an array");
	n = json_object_array_length(o);
	if (n > SCK_AGENT_MAX_DEVICES)
		return bad(c, path, "more than %d devices", SCK_AGENT_MAX_DEVICES);
	for (size_t i = 0; i < n; i++) {
		char p[128];
		const char *s = "";
		unsigned int maj, min;
		char tail;
		int rc;

		jp(p, sizeof(p), "%s[%zu]", path, i);
		if ((rc = get_str(c, json_object_array_get_idx(o, i), p, &s)))
			return rc;
		if (sscanf(s, "%u:%u%c", &maj, &min, &tail) != 2 || maj > 4095 || min > 0xfffff)
			return bad(c, p, "\"%.40s\" is not MAJOR:MINOR", s);
		r->devices[r->ndevices++] = maj << 20 | min;
	}
	return 0;
}

static int read_rule(const struct pol *c, json_object *o, size_t idx, struct sck_agent_rule *r)
{
	static const char *const keys[] = {"comment", "syscalls", "args",    "path", "container",
					   "action",  "errno",	  "devices", NULL};
	char path[64], p[128];
	json_object *v;
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "rules[%zu]", idx);
	if (!json_object_is_type(o, json_type_object))
		return bad(c, path, "not an object");
	if ((rc = check_keys(c, o, path, keys)))
		return rc;
	jp(p, sizeof(p), "%s.syscalls", path);
	if (!json_object_object_get_ex(o, "syscalls", &v))
		return bad(c, p, "missing");
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
		return bad(c, p, "not a non-empty array");
	n = json_object_array_length(v);
	r->names = calloc(n + 1, sizeof(*r->names));
	if (!r->names)
		return bad(c, p, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < n; i++) {
		const char *s = "";

		jp(p, sizeof(p), "%s.syscalls[%zu]", path, i);
		if ((rc = get_str(c, json_object_array_get_idx(v, i), p, &s)))
			return rc;
		if (!known_syscall(s))
			return bad(c, p, "unknown syscall \"%.60s\"", s);
		r->names[i] = strdup(s);
		if (!r->names[i])
			return bad(c, p, "%s", strerror(ENOMEM));
	}
	if (json_object_object_get_ex(o, "args", &v)) {
		jp(p, sizeof(p), "%s.args", path);
		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 6)
			return bad(c, p, "not an array of at most 6 conditions");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			jp(p, sizeof(p), "%s.args[%zu]", path, i);
			rc = read_cond(c, json_object_array_get_idx(v, i), p, &r->conds[i]);
			if (rc)
				return rc;
			r->nconds++;
		}
	}
	if (json_object_object_get_ex(o, "path", &v)) {
		jp(p, sizeof(p), "%s.path", path);
		if ((rc = read_path(c, v, p, r)))
			return rc;
	}
	if (json_object_object_get_ex(o, "container", &v)) {
		static const char *const ckeys[] = {"id", "metadata", NULL};
		json_object *w;
		const char *s = "";

		jp(p, sizeof(p), "%s.container", path);
		if (!json_object_is_type(v, json_type_object))
			return bad(c, p, "not an object");
		if ((rc = check_keys(c, v, p, ckeys)))
			return rc;
		if (json_object_object_get_ex(v, "id", &w)) {
			jp(p, sizeof(p), "%s.container.id", path);
			if ((rc = get_str(c, w, p, &s)))
				return rc;
			r->id_glob = strdup(s);
		}
		if (json_object_object_get_ex(v, "metadata", &w)) {
			jp(p, sizeof(p), "%s.container.metadata", path);
			if ((rc = get_str(c, w, p, &s)))
				return rc;
			r->metadata = strdup(s);
		}
	}
	jp(p, sizeof(p), "%s.action", path);
	if (!json_object_object_get_ex(o, "action", &v))
		return bad(c, p, "missing");
	if ((rc = get_action(c, v, p, true, &r->action)))
		return rc;
	jp(p, sizeof(p), "%s.errno", path);
	if (json_object_object_get_ex(o, "errno", &v)) {
		if (r->action != SCK_AGENT_ERRNO)
			return bad(c, p, "only with \"action\": \"errno\"");
		if ((rc = get_errno(c, v, p, &r->err)))
			return rc;
	} else if (r->action == SCK_AGENT_ERRNO) {
		r->err = EPERM;
	}
	jp(p, sizeof(p), "%s.devices", path);
	if (json_object_object_get_ex(o, "devices", &v)) {
		if (r->action != SCK_AGENT_EMULATE)
			return bad(c, p, "only with \"action\": \"emulate\"");
		if ((rc = read_devices(c, v, p, r)))
			return rc;
	} else if (r->action == SCK_AGENT_EMULATE) {
		memcpy(r->devices, default_devices, sizeof(default_devices));
		r->ndevices = sizeof(default_devices) / sizeof(default_devices[0]);
	}
	if (r->action == SCK_AGENT_EMULATE) {
		for (char **nm = r->names; *nm; nm++)
			if (strcmp(*nm, "mknod") != 0 && strcmp(*nm, "mknodat") != 0)
				return bad(c, path, "emulate is for mknod and mknodat, not %s",
					   *nm);
	}
	return 0;
}

/* 1-based line and column of byte @off of @s. */
static void locate(const char *s, size_t off, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

static int parse(const struct pol *c, const char *text, size_t len, json_object **out)
{
	json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	json_object *root;
	unsigned int line, col;
	size_t end;

	if (!tok)
		return bad(c, "(top)", "%s", strerror(ENOMEM));
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!root || jerr != json_tokener_success) {
		locate(text, end, &line, &col);
		fprintf(stderr, "sck: agent: %s:%u:%u: %s\n", c->file, line, col,
			!root && jerr == json_tokener_success ? "unexpected end of the JSON text"
			: jerr == json_tokener_continue	      ? "unexpected end of the JSON text"
							      : json_tokener_error_desc(jerr));
		json_object_put(root);
		return SCK_EXIT_USAGE;
	}
	for (size_t i = end; i < len; i++) {
		if (!strchr(" \t\r\n", text[i])) {
			locate(text, i, &line, &col);
			fprintf(stderr, "sck: agent: %s:%u:%u: text after the JSON value\n",
				c->file, line, col);
			json_object_put(root);
			return SCK_EXIT_USAGE;
		}
	}
	*out = root;
	return 0;
}

int sck_agent_policy_load(const char *file, struct sck_agent_policy *p)
{
	static const char *const keys[] = {"comment", "defaultAction", "defaultErrno", "rules",
					   NULL};
	struct pol c = {file, p};
	json_object *root = NULL, *v;
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	p->def = SCK_AGENT_LOG;
	rc = sck_cli_read_file(file, &text, &len);
	if (rc < 0) {
		sck_cli_err("agent", "%s: %s", file, strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	if ((rc = parse(&c, text, len, &root)))
		goto out;
	if (!json_object_is_type(root, json_type_object)) {
		rc = bad(&c, "(top)", "not a JSON object");
		goto out;
	}
	if ((rc = check_keys(&c, root, "(top)", keys)))
		goto out;
	if (json_object_object_get_ex(root, "defaultAction", &v) &&
	    (rc = get_action(&c, v, "defaultAction", false, &p->def)))
		goto out;
	p->def_err = p->def == SCK_AGENT_ERRNO ? EPERM : 0;
	if (json_object_object_get_ex(root, "defaultErrno", &v)) {
		if (p->def != SCK_AGENT_ERRNO) {
			rc = bad(&c, "defaultErrno", "only with \"defaultAction\": \"errno\"");
			goto out;
		}
		if ((rc = get_errno(&c, v, "defaultErrno", &p->def_err)))
			goto out;
	}
	if (json_object_object_get_ex(root, "rules", &v)) {
		size_t n;

		if (!json_object_is_type(v, json_type_array)) {
			rc = bad(&c, "rules", "not an array");
			goto out;
		}
		n = json_object_array_length(v);
		p->rules = calloc(n ? n : 1, sizeof(*p->rules));
		if (!p->rules) {
			rc = bad(&c, "rules", "%s", strerror(ENOMEM));
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			p->nrules++;
			rc = read_rule(&c, json_object_array_get_idx(v, i), i, &p->rules[i]);
			if (rc)
				goto out;
		}
	}
out:
	json_object_put(root);
	free(text);
	if (rc)
		sck_agent_policy_fini(p);
	return rc;
}

void sck_agent_policy_fini(struct sck_agent_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		struct sck_agent_rule *r = &p->rules[i];

		for (char **n = r->names; n && *n; n++)
			free(*n);
		free(r->names);
		free(r->path);
		free(r->id_glob);
		free(r->metadata);
	}
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

static bool cond_true(const struct sck_agent_cond *k, const struct seccomp_notif *req,
		      const struct sck_arch *arch)
{
	uint64_t a = req->data.args[k->index];

	/* a 32-bit ABI's arguments are 32-bit values (the kernel zero-extends them) */
	if (arch && arch->bits == 32)
		a &= 0xffffffffULL;
	switch (k->op) {
	case SCK_CMP_NE:
		return a != k->value;
	case SCK_CMP_LT:
		return a < k->value;
	case SCK_CMP_LE:
		return a <= k->value;
	case SCK_CMP_EQ:
		return a == k->value;
	case SCK_CMP_GE:
		return a >= k->value;
	case SCK_CMP_GT:
		return a > k->value;
	case SCK_CMP_MASKED_EQ: /* OCI: value is the mask, valueTwo the expected bits */
		return (a & k->value) == k->value_two;
	default:
		return false;
	}
}

static bool path_true(const struct sck_agent_rule *r, const char *p)
{
	size_t n = strlen(r->path);

	switch (r->path_kind) {
	case SCK_AGENT_PATH_EXACT:
		return strcmp(p, r->path) == 0;
	case SCK_AGENT_PATH_PREFIX:
		/* "/tmp" covers "/tmp" and "/tmp/x", not "/tmpx"; "/tmp/" covers what is below */
		return strncmp(p, r->path, n) == 0 &&
		       (r->path[n - 1] == '/' || p[n] == '\0' || p[n] == '/');
	case SCK_AGENT_PATH_GLOB:
		return fnmatch(r->path, p, FNM_PATHNAME) == 0;
	default:
		return true;
	}
}

int sck_agent_policy_match(const struct sck_agent_policy *p, const struct sck_agent_conn *c,
			   struct sck_notify *n, const struct seccomp_notif *req, const char *name,
			   struct sck_agent_verdict *v)
{
	const struct sck_arch *arch = sck_cli_notif_arch(req);
	int read_arg = -2; /* the argument read into v->path (-2: none yet) */

	v->rule = NULL;
	v->rule_index = -1;
	v->action = p->def;
	v->err = p->def_err;
	v->path[0] = v->resolved[0] = '\0';
	v->path_err = 0;
	for (size_t i = 0; name && i < p->nrules; i++) {
		const struct sck_agent_rule *r = &p->rules[i];
		bool hit = false;

		for (char **nm = r->names; *nm && !hit; nm++)
			hit = strcmp(*nm, name) == 0;
		if (!hit)
			continue;
		if (r->id_glob && fnmatch(r->id_glob, c->id, 0) != 0)
			continue;
		if (r->metadata && strcmp(r->metadata, c->metadata) != 0)
			continue;
		for (size_t k = 0; k < r->nconds && hit; k++)
			hit = cond_true(&r->conds[k], req, arch);
		if (!hit)
			continue;
		if (r->path_kind) {
			if (read_arg != r->path_arg) {
				read_arg = r->path_arg;
				v->path_err = sck_agent_read_path(n, req, name, r->path_arg,
								  v->path, v->resolved);
				if (v->path_err == -ENOENT)
					return -ENOENT;
			}
			/* an unreadable path matches no path condition */
			if (v->path_err || !path_true(r, v->resolved))
				continue;
		}
		v->rule = r;
		v->rule_index = (long)i;
		v->action = r->action;
		v->err = r->err;
		return 0;
	}
	return 0;
}
