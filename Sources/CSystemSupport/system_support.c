#define _GNU_SOURCE
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "qsentry_system_support.h"

/* install.sh passes -Xcc -DQSENTRY_QMAIL_ROOT="\"$QMAIL\"" to the release build. */
#ifndef QSENTRY_QMAIL_ROOT
#define QSENTRY_QMAIL_ROOT "/var/qmail"
#endif

const char *qsentry_build_qmail_root(void) { return QSENTRY_QMAIL_ROOT; }

int qsentry_is_setid(void) { return getauxval(AT_SECURE) != 0; }

int qsentry_set_all_gids(unsigned int gid) { return setresgid(gid, gid, gid); }

int qsentry_contains(const void *haystack, unsigned long haystack_length, const void *needle, unsigned long needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length) != 0;
}

#include <sys/prctl.h>
int qsentry_set_process_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

/* What exec does to descriptors: closes those marked close-on-exec, keeps the others. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
void qsentry_close_on_exec(void) {
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int self = dirfd(d), fds[4096], n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != 0 && n < 4096) {
            int fd = atoi(e->d_name);
            if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd > 2 && fd != self) fds[n++] = fd;
        }
        closedir(d);
        for (int i = 0; i < n; i++) {
            int flags = fcntl(fds[i], F_GETFD);
            if (flags >= 0 && (flags & FD_CLOEXEC)) close(fds[i]);
        }
        return;
    }
    struct rlimit r;
    long last = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY ? (long)r.rlim_cur : 65536;
    for (long fd = 3; fd < last; fd++) {
        int flags = fcntl((int)fd, F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC)) close((int)fd);
    }
}

/* pipe2(O_CLOEXEC): both ends close-on-exec in one call; children get theirs through dup2 only. */
int qsentry_pipe(int *read_end, int *write_end) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0) return -1;
    *read_end = ends[0];
    *write_end = ends[1];
    return 0;
}
