#ifndef QSENTRY_SYSTEM_SUPPORT_H
#define QSENTRY_SYSTEM_SUPPORT_H

/* What install.sh builds in, as qmail builds in conf-qmail: the qmail root the programs use
   when $QMAIL is not set (qmail-local and qmail-smtpd pass no QMAIL to the programs they run). */
const char *qsentry_build_qmail_root(void);

/* glibc calls Swift's Glibc module does not export (sys/auxv.h, _GNU_SOURCE). */
int qsentry_is_setid(void);                 /* getauxval(AT_SECURE) != 0 */
int qsentry_set_all_gids(unsigned int gid); /* setresgid(gid, gid, gid) */
/* prctl(PR_SET_NAME): the name ps shows (qsentry-conn running qsentry-smtpd in its process). */
int qsentry_set_process_name(const char *name);
/* Closes the descriptors marked close-on-exec, as exec would, and keeps the others. */
void qsentry_close_on_exec(void);
/* pipe2(O_CLOEXEC), its two ends apart: 0, or -1 with errno. */
int qsentry_pipe(int *read_end, int *write_end);
/* memmem(3) != NULL: whether needle occurs in haystack. */
int qsentry_contains(const void *haystack, unsigned long haystack_length, const void *needle, unsigned long needle_length);

#endif
