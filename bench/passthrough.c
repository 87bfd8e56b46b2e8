/* The floor for any SMTP wrapper that is one more process in the chain: fork the server on two
 * pipes and copy bytes both ways, nothing else. bench/smtpd.sh runs it beside qsentry-smtpd so the
 * cost of the architecture and the cost of qsentry-smtpd's own work can be told apart. */
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int in[2], out[2];
    if (argc < 2 || pipe(in) || pipe(out)) return 111;
    pid_t pid = fork();
    if (pid < 0) return 111;
    if (pid == 0) {
        dup2(in[0], 0); dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execv(argv[1], argv + 1);
        _exit(111);
    }
    close(in[0]); close(out[1]);
    char buf[16384];
    struct pollfd fds[2] = {{0, POLLIN, 0}, {out[0], POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) return 111;
        if (fds[0].revents) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) { close(in[1]); fds[0].fd = -1; } else if (write(in[1], buf, n) != n) return 111;
        }
        if (fds[1].revents) {
            ssize_t n = read(out[0], buf, sizeof buf);
            /* Reaps the server, as any wrapper must (qsentry-smtpd does): its CPU is then counted
             * in tcpserver's children (bench/chain.sh), and no zombie is left to init. */
            if (n <= 0 || write(1, buf, n) != n) { waitpid(pid, 0, 0); return 0; }
        }
    }
}
