/* The SMTP server behind qsentry-smtpd in bench/load.sh: qmail-smtpd's contract with QMAILQUEUE and
 * nothing more. MAIL and RCPT are taken (qsentry-smtpd has judged them); at DATA the message goes to
 * $QMAILQUEUE on fd 0 and the envelope (Fsender\0Trcpt\0…\0) on fd 1, and its exit code becomes the
 * reply as qmail-smtpd makes it: 0 → 250, 11–40 → 554, anything else → 451. No real qmail is on the
 * machine, and this is the part of qmail-smtpd qsentry-queue's load depends on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char env[1 << 16];
static size_t envlen;

static void say(const char *s) { fputs(s, stdout); fflush(stdout); }

static void add(char kind, const char *line, size_t skip) {
    const char *a = strchr(line + skip, '<'), *b = a ? strchr(a, '>') : NULL;
    size_t n = (a && b) ? (size_t)(b - a - 1) : 0;
    if (envlen + n + 3 >= sizeof env) return;
    env[envlen++] = kind;
    memcpy(env + envlen, a ? a + 1 : "", n);
    envlen += n;
    env[envlen++] = 0;
}

static int queue(char *msg, size_t len) {
    int m[2], e[2];
    if (pipe(m) || pipe(e)) return 71;
    pid_t pid = fork();
    if (pid < 0) return 71;
    if (pid == 0) {
        dup2(m[0], 0); dup2(e[0], 1);
        close(m[0]); close(m[1]); close(e[0]); close(e[1]);
        const char *q = getenv("QMAILQUEUE");
        execl(q ? q : "/var/qmail/bin/qmail-queue", "qmail-queue", (char *)0);
        _exit(71);
    }
    close(m[0]); close(e[0]);
    int ok = write(m[1], msg, len) == (ssize_t)len;
    close(m[1]);
    env[envlen++] = 0;
    ok = ok && write(e[1], env, envlen) == (ssize_t)envlen;
    close(e[1]);
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return 81;
    return ok ? WEXITSTATUS(status) : 53;
}

int main(void) {
    char line[4096];
    say("220 queuesmtpd ESMTP\r\n");
    while (fgets(line, sizeof line, stdin)) {
        if (!strncasecmp(line, "MAIL", 4)) { envlen = 0; add('F', line, 4); say("250 ok\r\n"); }
        else if (!strncasecmp(line, "RCPT", 4)) { add('T', line, 4); say("250 ok\r\n"); }
        else if (!strncasecmp(line, "DATA", 4)) {
            say("354 go ahead\r\n");
            size_t cap = 1 << 16, len = 0;
            char *msg = malloc(cap);
            while (fgets(line, sizeof line, stdin) && strcmp(line, ".\r\n") && strcmp(line, ".\n")) {
                const char *l = line[0] == '.' ? line + 1 : line;
                size_t n = strlen(l);
                if (len + n > cap) msg = realloc(msg, cap = 2 * (len + n));
                memcpy(msg + len, l, n);
                len += n;
            }
            int code = queue(msg, len);
            free(msg);
            say(code == 0 ? "250 ok\r\n" : (code >= 11 && code <= 40) ? "554 mail server permanently rejected message (#5.3.0)\r\n"
                                                                      : "451 mail server temporarily rejected message (#4.3.0)\r\n");
        }
        else if (!strncasecmp(line, "QUIT", 4)) { say("221 bye\r\n"); return 0; }
        else say("250 ok\r\n");
    }
    return 0;
}
