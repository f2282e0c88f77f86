/* measure.c - run one command and print its wall time and peak resident memory
 * (wait4 ru_maxrss): `mwmeasure [-o FILE] -- COMMAND [ARGS...]` prints
 * "wall_s maxrss_kib exit_status cpu_s" (user + system) on standard output; the command's own standard output
 * goes to FILE (default /dev/null). A small C parent, so the child's peak RSS is its own
 * and not that of a script interpreter it was forked from. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *out = "/dev/null";
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
        out = argv[i + 1];
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: mwmeasure [-o FILE] -- COMMAND [ARGS...]\n");
        return 2;
    }
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(out);
        return 2;
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        dup2(fd, 1);
        close(fd);
        execvp(argv[i], argv + i);
        perror(argv[i]);
        _exit(127);
    }
    close(fd);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    printf("%.6f %ld %d %.6f\n", wall, ru.ru_maxrss, code, cpu);
    return 0;
}
