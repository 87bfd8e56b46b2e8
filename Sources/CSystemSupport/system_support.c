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
