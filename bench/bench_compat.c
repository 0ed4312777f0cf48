// SPDX-License-Identifier: MIT
/*
 * The compat library against the linked libseccomp (Debian 12: 2.5.4) in one run: the calls
 * runc 1.1.5 makes for Docker's default profile (seccomp_init, the arches x86_64 / x86 / x32,
 * every rule, then seccomp_export_bpf) through the linked libseccomp and through
 * build/compat/libseccomp.so.2 (dlopen'ed; it binds its own symbols, -Bsymbolic), in interleaved
 * rounds. Reports the median time per sequence of each, the median (min .. max) of the rounds'
 * own ratios, and both programs' length and mean instructions executed on
 * x86_64 (sck's emulator, every number, args 0). No assertion on time; the exit status is 1 only
 * when a library fails.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "oci_seq.h"

#define ROUNDS 9
#include "sck.h"
#include "bench_stats.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* a shared machine: CPU time */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds per sequence over @iters runs, and the last program in @fd; < 0 on failure. */
static double run(const struct oci_scmp *f, json_object *oci, int iters, int fd)
{
	double t0 = now();

	for (int i = 0; i < iters; i++) {
		if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
		    oci_runc_build(f, oci, fd) < 0)
			return -1;
	}
	return (now() - t0) / iters;
}

static void stats(const char *who, int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	struct sock_filter *p = malloc((size_t)n);
	const struct sck_arch *a = sck_arch_from_name("x86_64");
	struct sck_bpf_emu *emu = NULL;
	uint64_t total = 0;
	int max = sck_syscall_max(a);

	if (!p || pread(fd, p, (size_t)n, 0) != n || sck_bpf_emu_new(p, (size_t)n / 8, &emu) < 0) {
		printf("%-12s program unreadable\n", who);
		free(p);
		return;
	}
	for (int nr = 0; nr <= max; nr++) {
		struct seccomp_data d = {.nr = nr, .arch = a->audit_arch};
		uint32_t ex = 0;
		sck_bpf_emu_run(emu, &d, &ex);
		total += ex;
	}
	printf("%-12s %4zu instructions, x86_64 mean executed %.2f\n", who, (size_t)n / 8,
	       (double)total / (max + 1));
	sck_bpf_emu_free(emu);
	free(p);
}

#define SYM(h, name) dlsym(h, #name)

int main(void)
{
	char exe[PATH_MAX], lib[PATH_MAX + 64];
	const char *prof = SCK_TEST_SHARED_DIR "/profiles/docker-default.json";
	struct oci_scmp real = {seccomp_init,
				seccomp_release,
				seccomp_arch_add,
				seccomp_arch_resolve_name,
				seccomp_syscall_resolve_name,
				seccomp_rule_add_array,
				seccomp_attr_set,
				seccomp_export_bpf};
	struct oci_scmp compat;
	json_object *docker, *oci;
	void *h;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fr = memfd_create("real", MFD_CLOEXEC), fc = memfd_create("compat", MFD_CLOEXEC);
	double tr, tc, rt[ROUNDS], ct[ROUNDS], ratio[ROUNDS];

	if (access(prof, R_OK) != 0) {
		printf("SKIP: bench_compat: %s is absent\n", prof);
		return 0;
	}
	if (n < 0 || fr < 0 || fc < 0)
		return 1;
	exe[n] = 0;
	snprintf(lib, sizeof(lib), "%s/../compat/libseccomp.so.2", dirname(exe));
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("SKIP: bench_compat: %s\n", dlerror());
		return 0;
	}
	compat = (struct oci_scmp){SYM(h, seccomp_init),
				   SYM(h, seccomp_release),
				   SYM(h, seccomp_arch_add),
				   SYM(h, seccomp_arch_resolve_name),
				   SYM(h, seccomp_syscall_resolve_name),
				   SYM(h, seccomp_rule_add_array),
				   SYM(h, seccomp_attr_set),
				   SYM(h, seccomp_export_bpf)};
	if (!compat.init || !compat.export_bpf || compat.init == real.init) {
		printf("bench_compat: the compat library's symbols are missing\n");
		return 1;
	}
	docker = json_object_from_file(prof);
	oci = docker ? oci_from_docker(docker) : NULL;
	if (!oci)
		return 1;
	/*
	 * Interleaved rounds, each timing both libraries back to back: on a shared machine the
	 * speed of a CPU changes between rounds (the figures of one library alone came out in two
	 * modes 1.5x apart here), and a round's own ratio does not see it.
	 */
	for (int r = 0; r < ROUNDS; r++) {
		rt[r] = run(&real, oci, 5, fr);
		ct[r] = run(&compat, oci, 50, fc);
		if (rt[r] < 0 || ct[r] < 0) {
			printf("bench_compat: a library failed runc's sequence\n");
			return 1;
		}
		ratio[r] = rt[r] / ct[r];
	}
	tr = median(rt, ROUNDS);
	tc = median(ct, ROUNDS);
	printf("runc's sequence for Docker's profile (init, 3 arches, every rule, export), "
	       "%d interleaved rounds, medians (CPU time):\n",
	       ROUNDS);
	printf("libseccomp   %8.1f us\ncompat (sck) %8.1f us\n", tr * 1e6, tc * 1e6);
	{
		double lo = ratio[0], hi = ratio[0];
		for (int r = 1; r < ROUNDS; r++) {
			lo = ratio[r] < lo ? ratio[r] : lo;
			hi = ratio[r] > hi ? ratio[r] : hi;
		}
		printf("per-round ratio libseccomp / compat: median %.1fx faster (%.1f .. %.1f), "
		       "goal >= 30\n",
		       median(ratio, ROUNDS), lo, hi);
	}
	stats("libseccomp", fr);
	stats("compat (sck)", fc);
	json_object_put(oci);
	json_object_put(docker);
	dlclose(h);
	return 0;
}
