/*
 * weirctl: send one command to weir's admin socket, print the answer.
 * The exit status says whether weir accepted the command.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef WEIRCTL_SOCKET
#define WEIRCTL_SOCKET "/run/weir/admin.sock"
#endif

#define WEIRCTL_MAX_CMD	4096

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: weirctl [-s socket] [-t seconds] command [argument...]\n"
	    "       weirctl -h\n"
	    "\n"
	    "  -s PATH   weir's admin socket (default $WEIRCTL_SOCKET, else "
	    WEIRCTL_SOCKET ")\n"
	    "  -t SECS   give up after SECS seconds (default 30)\n"
	    "\n"
	    "Commands: help, show info, show stat, show servers state,\n"
	    "show backend, show errors, get weight B/S,\n"
	    "disable server B/S, enable server B/S,\n"
	    "set server B/S state ready|drain|maint, set server B/S weight N,\n"
	    "reload. See weirctl(8).\n");
}

/* Answers weir gives when it refused a command or it failed. */
static bool
is_error(const char *ans)
{
	static const char *const errs[] = {
		"Unknown command", "Permission denied", "No such backend",
		"No such server", "Require ", "Can't find backend",
		"Weight must", "'set server", "Command line too long",
		"Out of memory", "weight not applied", "Success=0",
	};
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (strncmp(ans, errs[i], strlen(errs[i])) == 0)
			return true;
	return false;
}

static long
ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(end->tv_sec - now.tv_sec) * 1000 +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("WEIRCTL_SOCKET");
	char cmd[WEIRCTL_MAX_CMD], first[64] = "";
	struct sockaddr_un sun;
	struct timespec end;
	size_t len = 0, nfirst = 0;
	long secs = 30;
	int ch, fd, i;

	if (path == NULL || path[0] == '\0')
		path = WEIRCTL_SOCKET;
	while ((ch = getopt(argc, argv, "hs:t:")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return 0;
		case 's':
			path = optarg;
			break;
		case 't':
			secs = strtol(optarg, NULL, 10);
			if (secs <= 0) {
				fprintf(stderr, "weirctl: -t needs a number "
				    "of seconds above 0\n");
				return 2;
			}
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (i = optind; i < argc; i++) {
		int n = snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
		    i > optind ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(cmd) - len - 1) {
			fprintf(stderr, "weirctl: command too long\n");
			return 2;
		}
		len += (size_t)n;
	}
	cmd[len++] = '\n';

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "weirctl: socket path too long: %s\n", path);
		return 1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "weirctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if (write(fd, cmd, len) != (ssize_t)len) {
		fprintf(stderr, "weirctl: cannot write to %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return 1;
	}
	shutdown(fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		char buf[16384];
		long left = ms_left(&end);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			fprintf(stderr, "weirctl: no answer from %s in %ld s\n",
			    path, secs);
			close(fd);
			return 1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "weirctl: %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return 1;
		}
		if (n == 0)
			break;
		if (nfirst < sizeof(first) - 1) {
			size_t k = (size_t)n < sizeof(first) - 1 - nfirst ?
			    (size_t)n : sizeof(first) - 1 - nfirst;

			memcpy(first + nfirst, buf, k);
			nfirst += k;
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
	}
	close(fd);
	if (fflush(stdout) != 0)
		return 1;
	first[nfirst] = '\0';
	if (nfirst == 0) {
		fprintf(stderr, "weirctl: %s closed without an answer\n", path);
		return 1;
	}
	return is_error(first) ? 1 : 0;
}
