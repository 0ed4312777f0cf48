/* SPDX-License-Identifier: MIT */
/*
 * Docker's default profile as runc receives it, and the libseccomp calls runc 1.1.5 makes for it
 * (through a table of function pointers, so that one program can drive two libraries): shared by
 * the runc test tools (tests/compat/) and the compat benchmark (bench/bench_compat.c).
 */
#ifndef SCK_TEST_OCI_SEQ_H
#define SCK_TEST_OCI_SEQ_H

#include <json-c/json.h>
#include <seccomp.h>

/* The libseccomp functions runc calls. */
struct oci_scmp {
	scmp_filter_ctx (*init)(uint32_t def_action);
	void (*release)(scmp_filter_ctx ctx);
	int (*arch_add)(scmp_filter_ctx ctx, uint32_t arch);
	uint32_t (*arch_resolve_name)(const char *name);
	int (*resolve_name)(const char *name);
	int (*rule_add_array)(scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int n,
			      const struct scmp_arg_cmp *args);
	int (*attr_set)(scmp_filter_ctx ctx, enum scmp_filter_attr attr, uint32_t value);
	int (*export_bpf)(const scmp_filter_ctx ctx, int fd);
};

/*
 * oci_from_docker - the runtime's linux.seccomp object for a Docker profile, filtered as Docker
 * does on amd64 with its default capabilities on a recent kernel (archMap of SCMP_ARCH_X86_64,
 * includes / excludes). Returns a new object, or NULL.
 */
json_object *oci_from_docker(json_object *docker);

/*
 * oci_runc_build - the calls runc makes for @oci (seccomp_init, the arches, every rule, runc's
 * skipping of unknown names and of rules with the default action, one rule per condition when
 * an entry repeats an argument index); with @fd >= 0, then seccomp_export_bpf to @fd.
 * Returns 0 or the first failing call's return code.
 */
int oci_runc_build(const struct oci_scmp *f, json_object *oci, int fd);

#endif
