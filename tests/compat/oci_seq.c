// SPDX-License-Identifier: MIT
/*
 * Docker's profile to a runtime's linux.seccomp object, and runc 1.1.5's libseccomp calls for it
 * (see oci_seq.h). Written from the documented behaviour of Docker and runc; used by the runc
 * test tools and the compat benchmark.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "oci_seq.h"
#include "sck_test_lsc.h"

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
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
		if (!sck_test_lsc_docker_keeps(s, SCK_TEST_LSC_KERNEL_RECENT))
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

/* rule_add_array through the table, for sck_test_lsc_rules */
struct runc_ctx {
	const struct oci_scmp *f;
	scmp_filter_ctx c;
};

static int runc_add(void *arg, uint32_t action, int nr, unsigned int n,
		    const struct scmp_arg_cmp *conds)
{
	struct runc_ctx *r = arg;

	return r->f->rule_add_array(r->c, action, nr, n, conds);
}

int oci_runc_build(const struct oci_scmp *f, json_object *oci, int fd)
{
	/* runc: errnoRet absent means EPERM */
	uint32_t def = sck_test_lsc_action(oci, "defaultAction", "defaultErrnoRet", 1);
	scmp_filter_ctx c = f->init(def);
	struct runc_ctx r = {.f = f, .c = c};
	struct sck_test_lsc_walk w = {
		.def = def, .errnum = 1, .resolve = f->resolve_name, .add = runc_add, .arg = &r};
	json_object *v;
	int rc = 0;

	if (!c)
		return -EINVAL;
	for (size_t i = 0; (v = get(oci, "architectures")) && i < json_object_array_length(v);
	     i++) {
		char lower[32];
		int e;

		sck_test_lsc_arch_name(json_object_get_string(json_object_array_get_idx(v, i)),
				       lower, sizeof(lower));
		e = f->arch_add(c, f->arch_resolve_name(lower));
		if (e < 0 && e != -EEXIST) {
			rc = e;
			goto out;
		}
	}
	/* libseccomp-golang's NewFilter: no_new_privs is runc's business */
	f->attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
	rc = sck_test_lsc_rules(oci, &w);
	if (rc == 0 && fd >= 0)
		rc = f->export_bpf(c, fd);
out:
	f->release(c);
	return rc;
}
