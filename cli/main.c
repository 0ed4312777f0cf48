// SPDX-License-Identifier: MIT
/*
 * `sck`: the command line of the seccomp toolkit. main() dispatches to one cmd_<verb>.c per
 * subcommand (listed in commands.def) and owns the helpers every subcommand shares.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct sck_cli_cmd commands[] = {
#define CMD(name, usage, summary) {#name, sck_cmd_##name, usage, summary},
#include "commands.def"
#undef CMD
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void sck_cli_err(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sck: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int sck_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sck: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try 'sck %s --help')\n", cmd);
	return SCK_EXIT_USAGE;
}

int sck_cli_bad_option(const char *cmd, const char *optstring, char **argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";

	if (optopt && optopt != ':' && optopt != '+' && strchr(optstring, optopt))
		return sck_cli_usage(cmd, "option '%s' needs an argument", word);
	if (optopt)
		return sck_cli_usage(cmd, "unknown option '-%c'", optopt);
	return sck_cli_usage(cmd, "unknown option '%s'", word);
}

int sck_cli_help(const char *cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, cmd) == 0) {
			printf("usage: %s\n%s\n", commands[i].usage, commands[i].summary);
			return SCK_EXIT_OK;
		}
	}
	return SCK_EXIT_USAGE;
}

int sck_cli_read_file(const char *path, char **buf, size_t *len)
{
	const size_t limit = 64u << 20;
	size_t cap = 4096, n = 0;
	char *data;
	int fd, rc = 0;

	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	data = malloc(cap + 1);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *bigger;

			if (cap >= limit) {
				rc = -EFBIG;
				goto out;
			}
			cap *= 2;
			bigger = realloc(data, cap + 1);
			if (!bigger) {
				rc = -ENOMEM;
				goto out;
			}
			data = bigger;
		}
		r = read(fd, data + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	data[n] = '\0';
	*buf = data;
	*len = n;
	data = NULL;
out:
	free(data);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int sck_cli_write_file(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd, rc;

	if (!path || strcmp(path, "-") == 0)
		return write_all(STDOUT_FILENO, data, len);
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or fifo (-o /dev/null, /dev/stdout): written in place, never replaced;
		 * a directory is refused by open(). */
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = write_all(fd, data, len);
		close(fd);
		return rc;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.sck-XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

const struct sck_arch *sck_cli_arch(const char *cmd, const char *name)
{
	const struct sck_arch *a = sck_arch_from_name(name);

	if (!a)
		sck_cli_usage(cmd, "unknown architecture '%s'", name ? name : "");
	return a;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sck COMMAND [ARGS...]\n"
		   "       sck --help | --version\n\n"
		   "sck is a seccomp toolkit. Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nExit status: 0 success, 1 the answer is no or the operation failed, "
		   "2 bad invocation or input.\n'sck COMMAND --help' describes one command.\n");
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fprintf(stderr, "sck: no command given (try 'sck --help')\n");
		return SCK_EXIT_USAGE;
	}
	/* Subcommands report bad options themselves, in one line (sck_cli_bad_option). */
	opterr = 0;
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return SCK_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("sck %s\n", SCK_VERSION_STRING);
		return SCK_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, cmd) == 0) {
			if (argc > 2 &&
			    (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
				return sck_cli_help(cmd);
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	sck_cli_err(cmd, "unknown command (try 'sck --help')");
	return SCK_EXIT_USAGE;
}
