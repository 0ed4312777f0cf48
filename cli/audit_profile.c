// SPDX-License-Identifier: MIT
/*
 * `sck audit`: the checks that need a profile's rules besides its program. Operands above 32
 * bits where the filter has a 32-bit arch (the compiler compares their low word there, as the
 * kernel passes 32-bit arguments), and rules that never decide: each `syscalls[]` entry is taken
 * out of the profile, the rest compiled again, and the two programs run side by side on the
 * entry's syscalls (audit_same_verdicts); an entry whose removal changes no verdict shadows
 * nothing and decides nothing.
 */
#include "audit.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_32bit(const struct audit_prog *p, struct audit_list *names)
{
	bool any = false;

	for (size_t i = 0; i + 1 < p->nviews; i++) {
		const struct audit_arch_view *v = &p->views[i];

		if (v->arch && v->handled && v->arch->bits == 32) {
			audit_list_add(names, v->arch->name);
			any = true;
		}
	}
	return any;
}

static void check_wide(json_object *sys, const struct audit_prog *p, struct audit_report *r)
{
	struct audit_list arches = {0};
	size_t n = json_object_array_length(sys);

	if (!has_32bit(p, &arches))
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(sys, i), *args, *names;
		size_t na;

		if (!json_object_object_get_ex(e, "args", &args) ||
		    !json_object_is_type(args, json_type_array))
			continue;
		json_object_object_get_ex(e, "names", &names);
		na = json_object_array_length(args);
		for (size_t j = 0; j < na; j++) {
			static const char *const keys[] = {"value", "valueTwo"};
			json_object *a = json_object_array_get_idx(args, j);

			for (int k = 0; k < 2; k++) {
				json_object *v;
				char where[64];
				uint64_t val;

				if (!json_object_object_get_ex(a, keys[k], &v))
					continue;
				val = json_object_get_uint64(v);
				if (val <= UINT32_MAX)
					continue;
				snprintf(where, sizeof(where), "syscalls[%zu].args[%zu].%s", i, j,
					 keys[k]);
				audit_add(r, AUDIT_MEDIUM, "truncated-64bit-operand",
					  names && json_object_is_type(names, json_type_array) &&
							  json_object_array_length(names)
						  ? json_object_get_string(
							    json_object_array_get_idx(names, 0))
						  : "",
					  audit_list_str(&arches), where,
					  "split the rule by arch, with 32-bit values for the "
					  "32-bit ones",
					  "%s 0x%llx does not fit 32 bits: on 32-bit arches only "
					  "its low "
					  "word is compared, so the rule matches other values than "
					  "written",
					  keys[k], (unsigned long long)val);
			}
		}
	}
out:
	audit_list_fini(&arches);
}

/* Compile @json (a profile) as the audited one was. */
static int compile(const char *json, const struct sck_profile_opts *opts,
		   struct sck_filter_prog **prog, size_t *rules)
{
	struct sck_profile_info info = {.sz = sizeof(info)};
	struct sck_profile_opts o = *opts;
	struct sck_filter *f = NULL;
	int rc;

	o.warn = NULL;
	rc = sck_profile_parse(json, strlen(json), &o, &f, &info, NULL);
	if (rc == 0)
		rc = sck_filter_compile(f, NULL, prog);
	sck_filter_free(f);
	*rules = info.rules;
	return rc;
}

/* Does entry @e decide anything: a verdict of one of its syscalls changes without it? */
static bool decides(json_object *e, struct audit_prog *p, struct audit_prog *q)
{
	json_object *names;
	size_t n;

	if (!json_object_object_get_ex(e, "names", &names) ||
	    !json_object_is_type(names, json_type_array))
		return true;
	n = json_object_array_length(names);
	for (size_t i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, i));

		for (size_t k = 0; name && k + 1 < p->nviews; k++) {
			const struct audit_arch_view *v = &p->views[k];
			bool used = v->arch && (v->handled || v->named);
			int nr = used ? sck_syscall_nr(v->arch, name) : -1;
			struct sck_syscall_mux mux;

			if (nr >= 0 && !audit_same_verdicts(p, q, v->token, (uint32_t)nr))
				return true;
			if (used && sck_syscall_mux(v->arch, name, &mux) == 0 &&
			    !audit_same_verdicts(p, q, v->token, (uint32_t)mux.nr))
				return true;
		}
	}
	return false;
}

static int check_dead_rules(json_object *root, json_object *sys,
			    const struct sck_profile_opts *opts, struct audit_prog *p,
			    struct audit_report *r)
{
	size_t n = json_object_array_length(sys), rules0 = 0;
	struct sck_filter_prog *prog0 = NULL;
	int rc;

	/* the number of rules the whole profile makes, to tell entries that apply */
	rc = compile(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN), opts, &prog0,
		     &rules0);
	sck_filter_prog_free(prog0);
	if (rc < 0)
		return rc == -ENOMEM ? rc : 0;
	json_object_get(sys); /* kept while copies without one entry take its place */
	for (size_t i = n; i-- > 0;) {
		json_object *e = json_object_array_get_idx(sys, i), *rest = json_object_new_array();
		struct sck_filter_prog *prog = NULL;
		struct audit_prog q;
		const struct sock_filter *insns;
		size_t len = 0, rules = 0;
		bool dec = true;

		if (!rest) {
			rc = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < n; j++)
			if (j != i)
				json_object_array_add(
					rest, json_object_get(json_object_array_get_idx(sys, j)));
		json_object_object_add(root, "syscalls", rest);
		rc = compile(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN), opts,
			     &prog, &rules);
		if (rc == 0 && rules < rules0) {
			insns = sck_filter_prog_insns(prog, &len);
			rc = audit_prog_init(&q, insns, len);
			if (rc == 0)
				dec = decides(e, p, &q);
			audit_prog_fini(&q);
		}
		sck_filter_prog_free(prog);
		if (rc == -ENOMEM)
			break;
		rc = 0;
		if (!dec) {
			json_object *names = NULL;
			struct audit_list l = {0};
			char where[32];

			json_object_object_get_ex(e, "names", &names);
			for (size_t j = 0; j < json_object_array_length(names); j++)
				audit_list_add(&l, json_object_get_string(
							   json_object_array_get_idx(names, j)));
			snprintf(where, sizeof(where), "syscalls[%zu]", i);
			audit_add(
				r, AUDIT_LOW, "dead-rule", audit_list_str(&l), "", where,
				"remove it, or move it before the rule that shadows it",
				"this rule never decides: every call it matches gets the same "
				"verdict without it (an earlier or unconditional rule shadows it)");
			audit_list_fini(&l);
		}
	}
	json_object_object_add(root, "syscalls", sys);
	return rc == -ENOMEM ? rc : 0;
}

int audit_check_profile(const char *json, size_t len, const struct sck_profile_opts *opts,
			struct audit_prog *p, struct audit_report *r)
{
	json_tokener *tok = json_tokener_new();
	json_object *root, *sys;
	int rc = 0;

	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (!root)
		return 0; /* the profile parsed before: nothing more to say */
	if (json_object_object_get_ex(root, "syscalls", &sys) &&
	    json_object_is_type(sys, json_type_array)) {
		check_wide(sys, p, r);
		rc = check_dead_rules(root, sys, opts, p, r);
	}
	json_object_put(root);
	return rc;
}
