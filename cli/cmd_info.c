// SPDX-License-Identifier: MIT
/*
 * `sck info`: what the running kernel supports. Actions are asked of the kernel
 * (SECCOMP_GET_ACTION_AVAIL); each filter flag is probed by really loading a one-instruction
 * ALLOW filter with that flag in a throw-away child, since a filter cannot be removed; so is
 * synchronous wake-up (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, Linux 6.6), set on that child's listener.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	const char *name;
	uint32_t action;
} actions[] = {
	{"KILL_PROCESS", SECCOMP_RET_KILL_PROCESS},
	{"KILL_THREAD", SECCOMP_RET_KILL_THREAD},
	{"TRAP", SECCOMP_RET_TRAP},
	{"ERRNO", SECCOMP_RET_ERRNO},
	{"USER_NOTIF", SECCOMP_RET_USER_NOTIF},
	{"TRACE", SECCOMP_RET_TRACE},
	{"LOG", SECCOMP_RET_LOG},
	{"ALLOW", SECCOMP_RET_ALLOW},
};

static const struct {
	const char *name;
	unsigned int flag;
} flags[] = {
	{"TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"NEW_LISTENER", SECCOMP_FILTER_FLAG_NEW_LISTENER},
	{"TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH},
	{"WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* In the probe child: set synchronous wake-up on listener @fd; 0 or -errno. */
static int probe_sync(int fd)
{
	struct sck_notify *n = NULL;
	int rc;

	if (fd < 0)
		return fd;
	rc = sck_notify_new(fd, SCK_NOTIFY_NO_SYNC_WAKE_UP, &n);
	while (rc == 0 &&
	       (rc = sck_notify_set_flags(n, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)) == -EINTR)
		;
	sck_notify_free(n);
	return rc;
}

/*
 * Load an ALLOW filter with @flag in a child; 0 when the kernel took it, else -errno. @flag 0:
 * with a listener, on which the child sets synchronous wake-up.
 */
static int probe_flag(unsigned int flag)
{
	static const struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	int status;
	pid_t pid;

	/* WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER. */
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int rc = sck_no_new_privs();

		if (rc == 0 && flag == 0)
			rc = probe_sync(
				sck_set_mode_filter(allow, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER));
		else if (rc == 0)
			rc = sck_set_mode_filter(allow, 1, flag);
		_exit(rc < 0 ? (-rc & 0x7f) : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

static const char *mode_name(int mode)
{
	switch (mode) {
	case SECCOMP_MODE_DISABLED:
		return "disabled";
	case SECCOMP_MODE_STRICT:
		return "strict";
	case SECCOMP_MODE_FILTER:
		return "filter";
	default:
		return "unknown";
	}
}

int sck_cmd_info(int argc, char **argv)
{
	const struct sck_arch *native = sck_arch_native();
	struct sck_notif_sizes sizes;
	unsigned int nfilters = 0;
	struct utsname uts;
	int mode, rc;

	(void)argv;
	if (argc > 1)
		return sck_cli_usage("info", "unexpected argument '%s'", argv[1]);

	if (uname(&uts) == 0)
		printf("kernel: %s %s %s\n", uts.sysname, uts.release, uts.machine);
	if (native)
		printf("native arch: %s (audit arch 0x%08x)\n", native->name,
		       (unsigned int)native->audit_arch);
	else
		printf("native arch: unknown\n");

	mode = sck_seccomp_mode(0, &nfilters);
	if (mode >= 0)
		printf("seccomp mode: %s (%d), filters: %u\n", mode_name(mode), mode, nfilters);
	else
		printf("seccomp mode: unknown (%s)\n", strerror(-mode));

	printf("actions:\n");
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		printf("  %-20s %s\n", actions[i].name,
		       sck_action_avail(actions[i].action) ? "yes" : "no");

	printf("filter flags:\n");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		rc = probe_flag(flags[i].flag);
		if (rc == 0)
			printf("  %-20s yes\n", flags[i].name);
		else
			printf("  %-20s no (%s)\n", flags[i].name, strerror(-rc));
	}

	rc = sck_get_notif_sizes(&sizes);
	if (rc == 0)
		printf("notification sizes: seccomp_notif %u, seccomp_notif_resp %u, "
		       "seccomp_data %u\n",
		       sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data);
	else
		printf("notification sizes: unavailable (%s)\n", strerror(-rc));
	rc = probe_flag(0);
	if (rc == 0)
		printf("notification sync wake-up: yes\n");
	else
		printf("notification sync wake-up: no (%s)\n", strerror(-rc));
	return fflush(stdout) == 0 ? SCK_EXIT_OK : SCK_EXIT_NO;
}
