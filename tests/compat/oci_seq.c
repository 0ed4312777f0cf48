// SPDX-License-Identifier: MIT
/*
 * Docker's profile to a runtime's linux.seccomp object, and runc 1.1.5's libseccomp calls for it
 * (see oci_seq.h). Written from the documented behaviour of Docker and runc; used by the runc
 * test tools and the compat benchmark.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "docker_caps.h"
#include "oci_seq.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static bool in_list(json_object *arr, const char *s)
{
	for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s) == 0)
			return true;
	return false;
}

static bool cap_held(const char *cap)
{
	for (const char *const *p = sck_test_docker_caps; *p; p++)
		if (strcmp(*p, cap) == 0)
			return true;
	return false;
}

/* Docker on amd64, default caps, a recent kernel: whether entry @s applies. */
static bool docker_keeps(json_object *s)
{
	json_object *inc = get(s, "includes"), *exc = get(s, "excludes"), *v;

	if (exc) {
		if ((v = get(exc, "arches")) && in_list(v, "amd64"))
			return false;
		for (size_t i = 0; (v = get(exc, "caps")) && i < json_object_array_length(v); i++)
			if (cap_held(json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
		if (get(exc, "minKernel"))
			return false;
	}
	if (inc) {
		if ((v = get(inc, "arches")) && json_object_array_length(v) && !in_list(v, "amd64"))
			return false;
		for (size_t i = 0; (v = get(inc, "caps")) && i < json_object_array_length(v); i++)
			if (!cap_held(json_object_get_string(json_object_array_get_idx(v, i))))
				return false;
	}
	return true;
}

json_object *oci_from_docker(json_object *docker)
{
	json_object *oci = json_object_new_object(), *arches = json_object_new_array();
	json_object *calls = json_object_new_array(), *v;

	json_object_object_add(oci, "defaultAction", json_object_get(get(docker, "defaultAction")));
	if ((v = get(docker, "defaultErrnoRet")))
		json_object_object_add(oci, "defaultErrnoRet", json_object_get(v));
	for (size_t i = 0; (v = get(docker, "archMap")) && i < json_object_array_length(v); i++) {
		json_object *m = json_object_array_get_idx(v, i), *sub;
		if (strcmp(json_object_get_string(get(m, "architecture")), "SCMP_ARCH_X86_64") != 0)
			continue;
		json_object_array_add(arches, json_object_new_string("SCMP_ARCH_X86_64"));
		for (size_t j = 0;
		     (sub = get(m, "subArchitectures")) && j < json_object_array_length(sub); j++)
			json_object_array_add(arches,
					      json_object_get(json_object_array_get_idx(sub, j)));
	}
	json_object_object_add(oci, "architectures", arches);
	for (size_t i = 0; (v = get(docker, "syscalls")) && i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i), *c, *x;
		if (!docker_keeps(s))
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "names", json_object_get(get(s, "names")));
		json_object_object_add(c, "action", json_object_get(get(s, "action")));
		if ((x = get(s, "errnoRet")))
			json_object_object_add(c, "errnoRet", json_object_get(x));
		if ((x = get(s, "args")))
			json_object_object_add(c, "args", json_object_get(x));
		json_object_array_add(calls, c);
	}
	json_object_object_add(oci, "syscalls", calls);
	return oci;
}

static uint32_t action_of(json_object *o, const char *akey, const char *ekey)
{
	const char *a = json_object_get_string(get(o, akey));
	json_object *e = get(o, ekey);
	uint32_t err = e ? (uint32_t)json_object_get_int64(e) : 1; /* runc: EPERM */

	if (!a)
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(a, "SCMP_ACT_KILL") || !strcmp(a, "SCMP_ACT_KILL_THREAD"))
		return SCMP_ACT_KILL_THREAD;
	if (!strcmp(a, "SCMP_ACT_KILL_PROCESS"))
		return SCMP_ACT_KILL_PROCESS;
	if (!strcmp(a, "SCMP_ACT_TRAP"))
		return SCMP_ACT_TRAP;
	if (!strcmp(a, "SCMP_ACT_ERRNO"))
		return SCMP_ACT_ERRNO(err);
	if (!strcmp(a, "SCMP_ACT_TRACE"))
		return SCMP_ACT_TRACE(err);
	if (!strcmp(a, "SCMP_ACT_LOG"))
		return SCMP_ACT_LOG;
	if (!strcmp(a, "SCMP_ACT_NOTIFY"))
		return SCMP_ACT_NOTIFY;
	return SCMP_ACT_ALLOW;
}

static enum scmp_compare op_of(const char *op)
{
	static const char *const names[] = {"",
					    "SCMP_CMP_NE",
					    "SCMP_CMP_LT",
					    "SCMP_CMP_LE",
					    "SCMP_CMP_EQ",
					    "SCMP_CMP_GE",
					    "SCMP_CMP_GT",
					    "SCMP_CMP_MASKED_EQ"};
	for (int i = 1; i < 8; i++)
		if (op && !strcmp(op, names[i]))
			return (enum scmp_compare)i;
	return _SCMP_CMP_MIN;
}

int oci_runc_build(const struct oci_scmp *f, json_object *oci, int fd)
{
	uint32_t def = action_of(oci, "defaultAction", "defaultErrnoRet");
	scmp_filter_ctx c = f->init(def);
	json_object *v;
	int rc = 0;

	if (!c)
		return -EINVAL;
	for (size_t i = 0; (v = get(oci, "architectures")) && i < json_object_array_length(v);
	     i++) {
		const char *an = json_object_get_string(json_object_array_get_idx(v, i));
		char lower[32] = {0};
		uint32_t t;
		if (!strncmp(an, "SCMP_ARCH_", 10))
			an += 10;
		for (size_t k = 0; an[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)tolower((unsigned char)an[k]);
		t = f->arch_resolve_name(lower);
		int r = f->arch_add(c, t);
		if (r < 0 && r != -EEXIST) {
			rc = r;
			goto out;
		}
	}
	/* libseccomp-golang's NewFilter: no_new_privs is runc's business */
	f->attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t i = 0; (v = get(oci, "syscalls")) && i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i), *names = get(s, "names"), *args;
		uint32_t act = action_of(s, "action", "errnoRet");
		struct scmp_arg_cmp cmp[6];
		unsigned int n = 0, seen = 0;
		bool split = false;

		if (act == def)
			continue; /* runc skips rules with the default action */
		args = get(s, "args");
		for (size_t k = 0; args && k < json_object_array_length(args) && n < 6; k++) {
			json_object *a = json_object_array_get_idx(args, k);
			unsigned int idx = (unsigned int)json_object_get_int(get(a, "index"));
			cmp[n] = (struct scmp_arg_cmp){
				idx, op_of(json_object_get_string(get(a, "op"))),
				(scmp_datum_t)json_object_get_uint64(get(a, "value")),
				(scmp_datum_t)json_object_get_uint64(get(a, "valueTwo"))};
			split |= idx < 32 && (seen & (1u << idx));
			seen |= idx < 32 ? 1u << idx : 0;
			n++;
		}
		for (size_t k = 0; names && k < json_object_array_length(names); k++) {
			int nr = f->resolve_name(
				json_object_get_string(json_object_array_get_idx(names, k)));
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown to the library: runc skips it */
			if (split) {
				for (unsigned int j = 0; j < n && rc == 0; j++)
					rc = f->rule_add_array(c, act, nr, 1, &cmp[j]);
			} else {
				rc = f->rule_add_array(c, act, nr, n, n ? cmp : NULL);
			}
			if (rc < 0)
				goto out;
		}
	}
	if (fd >= 0)
		rc = f->export_bpf(c, fd);
out:
	f->release(c);
	return rc;
}
