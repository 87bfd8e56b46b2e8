/* The floor for a QMAILQUEUE virus scanner with clamd, the least such a program can do, in C:
 * bench/chain.sh runs it in qsentry-queue's place, so that what the scanner costs, what any
 * scanning QMAILQUEUE costs and what qsentry-queue's own work costs can be told apart.
 *
 *   QMAILQUEUE=clamqueue CLAMD_SOCKET=path CLAMQUEUE_NEXT=/var/qmail/bin/qmail-queue [TMPDIR=dir]
 *
 * It writes one header field and the message (fd 0) into an anonymous file in TMPDIR (/tmp), as
 * qsentry-queue spools, streams the file to clamd (zINSTREAM), reads the envelope (fd 1), and on
 * "OK" execs CLAMQUEUE_NEXT with the file on its fd 0 and the envelope in a pipe on its fd 1, as
 * qsentry-queue hands over. A virus exits 31 (qmail-smtpd: 554), any trouble 71 (451). No MIME,
 * no rules, no log. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char buf[65536];
static char envelope[65536];

static int writeall(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w; n -= (size_t)w;
    }
    return 0;
}

int main(void) {
    const char *socketPath = getenv("CLAMD_SOCKET"), *next = getenv("CLAMQUEUE_NEXT"), *dir = getenv("TMPDIR");
    if (!socketPath || !next) return 71;
    int spool = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (spool < 0) return 71;
    static const char field[] = "X-Virus-Scanned: ClamAV by clamqueue\n";
    if (writeall(spool, field, sizeof field - 1)) return 71;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) return 71;
        if (n == 0) break;
        if (writeall(spool, buf, (size_t)n)) return 71;
    }

    int clamd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, socketPath, sizeof a.sun_path - 1);
    if (clamd < 0 || connect(clamd, (struct sockaddr *)&a, sizeof a)) return 71;
    if (writeall(clamd, "zINSTREAM", 10) || lseek(spool, 0, SEEK_SET)) return 71;
    for (;;) {
        ssize_t n = read(spool, buf + 4, sizeof buf - 4);
        if (n < 0) return 71;
        buf[0] = (char)(n >> 24); buf[1] = (char)(n >> 16); buf[2] = (char)(n >> 8); buf[3] = (char)n;
        if (writeall(clamd, buf, (size_t)n + 4)) return 71;
        if (n == 0) break;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(clamd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (memchr(buf, 0, got)) break;
    }
    buf[got] = 0;
    if (strstr(buf, "FOUND")) return 31;
    if (got < 3 || !strstr(buf, " OK")) return 71;

    size_t elen = 0;
    for (;;) {
        ssize_t n = read(1, envelope + elen, sizeof envelope - elen);
        if (n < 0) return 71;
        if (n == 0) break;
        elen += (size_t)n;
        if (elen == sizeof envelope) return 71;
    }
    int e[2];
    if (pipe(e) || writeall(e[1], envelope, elen)) return 71;  /* one pipe buffer holds 64 KB */
    close(e[1]);
    if (dup2(e[0], 1) < 0 || lseek(spool, 0, SEEK_SET) || dup2(spool, 0) < 0) return 71;
    char *argv[] = {(char *)next, 0};
    execv(next, argv);
    return 71;
}
