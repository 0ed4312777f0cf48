// SPDX-License-Identifier: MIT
/*
 * `sck learn --oci BUNDLE [--socket PATH] [--metadata STR]`: prepare an OCI bundle for learning
 * with `sck agent --learn DIR`. Its config.json gets a linux.seccomp section that sends every
 * syscall of the bundle's ABIs (the section's architectures, else the native one) to the agent
 * at PATH (listenerPath), except write, which runc 1.1 refuses to notify ("SCMP_ACT_NOTIFY
 * cannot be used for the write syscall"), and the calls of runc's Go runtime, which would wait
 * for an agent that cannot have the listener yet (learn_rec.h): those are allowed; the default
 * action is
 * SCMP_ACT_ALLOW because runc refuses SCMP_ACT_NOTIFY there too. The rest of config.json is kept;
 * the file is replaced atomically, and an input error names FILE:LINE:COL or the JSON path.
 */
#include "learn_rec.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char cmd[] = "learn";

const char *const sck_cli_runtime_calls[] = {
	"write",     "rt_sigreturn", "rt_sigprocmask", "sigaltstack", "futex",
	"nanosleep", "sched_yield",  "tgkill",	       "getpid",      "gettid",
	"madvise",   "mmap",	     "munmap",	       "mprotect",    "epoll_pwait",
	"epoll_ctl", "clone",	     "exit",	       "exit_group",  NULL,
};

static bool runtime_call(const char *name)
{
	for (size_t i = 0; sck_cli_runtime_calls[i]; i++)
		if (strcmp(sck_cli_runtime_calls[i], name) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The OCI name of @a ("SCMP_ARCH_X86_64"), or NULL. */
static const char *scmp_name(const struct sck_arch *a)
{
	for (const char *const *p = a->aliases; p && *p; p++)
		if (strncmp(*p, "SCMP_ARCH_", 10) == 0)
			return *p;
	return NULL;
}

/* The learning section for @arches; NULL on -ENOMEM. */
static json_object *learn_section(const struct sck_arch *const *arches, size_t narch,
				  const char *sock, const char *metadata)
{
	json_object *sec = json_object_new_object(), *archs = json_object_new_array();
	json_object *calls = json_object_new_array(), *rule, *names, *wr;
	const char **all = NULL;
	size_t total = 0, n = 0;

	for (size_t i = 0; i < narch; i++)
		total += sck_syscall_count(arches[i]);
	all = calloc(total + 1, sizeof(*all));
	if (!sec || !archs || !calls || !all)
		goto fail;
	for (size_t i = 0; i < narch; i++) {
		json_object_array_add(archs, json_object_new_string(scmp_name(arches[i])));
		for (size_t k = 0; k < sck_syscall_count(arches[i]); k++) {
			const struct sck_syscall *s = sck_syscall_at(arches[i], k);

			if (s && !runtime_call(s->name))
				all[n++] = s->name;
		}
	}
	qsort(all, n, sizeof(*all), cmp_str);
	names = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(all[i], all[i - 1]) != 0)
			json_object_array_add(names, json_object_new_string(all[i]));
	rule = json_object_new_object();
	json_object_object_add(rule, "names", names);
	json_object_object_add(rule, "action", json_object_new_string("SCMP_ACT_NOTIFY"));
	json_object_array_add(calls, rule);
	wr = json_object_new_object();
	names = json_object_new_array();
	for (size_t i = 0; sck_cli_runtime_calls[i]; i++)
		json_object_array_add(names, json_object_new_string(sck_cli_runtime_calls[i]));
	json_object_object_add(wr, "names", names);
	json_object_object_add(wr, "action", json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_array_add(calls, wr);
	json_object_object_add(sec, "defaultAction", json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_object_add(sec, "architectures", archs);
	json_object_object_add(sec, "listenerPath", json_object_new_string(sock));
	if (metadata)
		json_object_object_add(sec, "listenerMetadata", json_object_new_string(metadata));
	json_object_object_add(sec, "syscalls", calls);
	free(all);
	return sec;
fail:
	free(all);
	json_object_put(sec);
	json_object_put(archs);
	json_object_put(calls);
	return NULL;
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

int sck_cli_learn_oci(const char *bundle, const char *sock, const char *metadata)
{
	const struct sck_arch *arches[32];
	json_object *root = NULL, *linux_o, *sec, *v, *fresh;
	json_tokener *tok = NULL;
	char path[PATH_MAX], *text = NULL;
	const char *out;
	size_t len = 0, narch = 0;
	unsigned int line, col;
	int rc, ret = SCK_EXIT_USAGE;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path)) {
		sck_cli_err(cmd, "%s: %s", bundle, strerror(ENAMETOOLONG));
		return SCK_EXIT_USAGE;
	}
	if (sock[0] != '/')
		return sck_cli_usage(cmd, "--socket %s: not an absolute path", sock);
	rc = sck_cli_read_file(path, &text, &len);
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", path, strerror(-rc));
		return SCK_EXIT_USAGE;
	}
	tok = json_tokener_new();
	if (!tok)
		goto oom;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		locate(text, json_tokener_get_parse_end(tok), &line, &col);
		sck_cli_err(cmd, "%s:%u:%u: %s", path, line, col,
			    root ? json_tokener_error_desc(json_tokener_get_error(tok))
				 : "not a complete JSON text");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		sck_cli_err(cmd, "%s: (top): not a JSON object (an OCI runtime config)", path);
		goto out;
	}
	if (!json_object_object_get_ex(root, "linux", &linux_o)) {
		linux_o = json_object_new_object();
		if (!linux_o)
			goto oom;
		json_object_object_add(root, "linux", linux_o);
	} else if (!json_object_is_type(linux_o, json_type_object)) {
		sck_cli_err(cmd, "%s: linux: not an object", path);
		goto out;
	}
	/* the ABIs the bundle's profile names, else the native one */
	if (json_object_object_get_ex(linux_o, "seccomp", &sec) &&
	    json_object_object_get_ex(sec, "architectures", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v) && narch < 32; i++) {
			json_object *s = json_object_array_get_idx(v, i);
			const struct sck_arch *a =
				json_object_is_type(s, json_type_string)
					? sck_arch_from_name(json_object_get_string(s))
					: NULL;

			if (!a || !scmp_name(a)) {
				sck_cli_err(cmd, "%s: linux.seccomp.architectures[%zu]: unknown %s",
					    path, i, json_object_to_json_string(s));
				goto out;
			}
			arches[narch++] = a;
		}
	}
	if (narch == 0 && sck_arch_native() && scmp_name(sck_arch_native()))
		arches[narch++] = sck_arch_native();
	fresh = learn_section(arches, narch, sock, metadata);
	if (!fresh)
		goto oom;
	json_object_object_add(linux_o, "seccomp", fresh);
	out = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!out)
		goto oom;
	{
		struct sck_cli_buf b = {NULL, 0, 0, false};

		sck_cli_buf_printf(&b, "%s\n", out);
		if (b.oom) {
			free(b.p);
			goto oom;
		}
		rc = sck_cli_write_file(path, b.p, b.len);
		free(b.p);
	}
	if (rc < 0) {
		sck_cli_err(cmd, "%s: %s", path, strerror(-rc));
		ret = SCK_EXIT_NO;
		goto out;
	}
	ret = SCK_EXIT_OK;
	goto out;
oom:
	sck_cli_err(cmd, "%s", strerror(ENOMEM));
	ret = SCK_EXIT_NO;
out:
	if (tok)
		json_tokener_free(tok);
	json_object_put(root);
	free(text);
	return ret;
}
