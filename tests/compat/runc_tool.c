// SPDX-License-Identifier: MIT
/*
 * Helper of tests/compat/runc.sh, written against libseccomp's API (-lseccomp):
 *   runc-tool config SPEC PROFILE OUT   runc's `runc spec` config SPEC with Docker's PROFILE as
 *                                       linux.seccomp (converted as Docker does) and the process
 *                                       `/bin/sh -c "/probe; sleep 3"`, written to OUT
 *   runc-tool export PROFILE OUT        runc's libseccomp calls for PROFILE, exported (BPF) to
 *                                       OUT by whichever libseccomp.so.2 the loader picked
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci_seq.h"

static const struct oci_scmp scmp = {seccomp_init,
				     seccomp_release,
				     seccomp_arch_add,
				     seccomp_arch_resolve_name,
				     seccomp_syscall_resolve_name,
				     seccomp_rule_add_array,
				     seccomp_attr_set,
				     seccomp_export_bpf};

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "config")) {
		json_object *spec = json_object_from_file(argv[2]);
		json_object *prof = json_object_from_file(argv[3]), *proc, *linux_, *args;
		if (!spec || !prof || !json_object_object_get_ex(spec, "process", &proc) ||
		    !json_object_object_get_ex(spec, "linux", &linux_)) {
			fprintf(stderr, "runc-tool: cannot read %s or %s\n", argv[2], argv[3]);
			return 2;
		}
		args = json_object_new_array();
		json_object_array_add(args, json_object_new_string("/bin/sh"));
		json_object_array_add(args, json_object_new_string("-c"));
		json_object_array_add(args, json_object_new_string("/probe; sleep 3"));
		json_object_object_add(proc, "args", args);
		json_object_object_add(proc, "terminal", json_object_new_boolean(0));
		json_object_object_add(linux_, "seccomp", oci_from_docker(prof));
		if (json_object_to_file_ext(argv[4], spec, JSON_C_TO_STRING_PRETTY) < 0) {
			fprintf(stderr, "runc-tool: cannot write %s\n", argv[4]);
			return 1;
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "export")) {
		json_object *prof = json_object_from_file(argv[2]), *oci;
		int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc;
		if (!prof || fd < 0) {
			fprintf(stderr, "runc-tool: cannot read %s or write %s\n", argv[2],
				argv[3]);
			return 2;
		}
		oci = oci_from_docker(prof);
		rc = oci_runc_build(&scmp, oci, fd);
		close(fd);
		if (rc < 0) {
			fprintf(stderr, "runc-tool: libseccomp call failed: %d\n", rc);
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: runc-tool config SPEC PROFILE OUT | export PROFILE OUT\n");
	return 2;
}
