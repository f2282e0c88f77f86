/* test_output.c - EVE sinks: file, reopen under concurrent writers, unix sockets. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "output_test_util.h"
#include "sensor/eve/output.h"
#include "unit/check_main.h"

static char dir[64];

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/mw_out_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Conditions are polled with a deadline far beyond any plausible delay (a loaded machine,
 * the sanitizers): the test waits for what it needs to see, never for a fixed time. */
#define WAIT_DEADLINE_MS 60000u

START_TEST(test_file_writes)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/eve.json", dir);
    struct output_params p = { .kind = OUTPUT_FILE, .path = path, .buffer_size = 4096 };
    struct output *o = output_open(&p, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    size_t total = 0;
    for (int i = 0; i < 1000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "{\"n\":%d}\n", i);
        ck_assert_int_eq(output_write(o, line, (size_t)n), 0);
        total += (size_t)n;
    }
    /* Contract violations are dropped, never written. */
    ck_assert_int_eq(output_write(o, "{\"x\":1}", 7), -1);
    ck_assert_int_eq(output_write(o, "{}\n{}\n", 6), -1);
    ck_assert_int_eq(output_write(o, "", 0), -1);
    char big[5000];
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = '\n';
    ck_assert_int_eq(output_write(o, big, sizeof big), -1);
    output_flush(o);
    struct out_stats s = out_stats(o);
    ck_assert_uint_eq(s.lines, 1000);
    ck_assert_uint_eq(s.bytes, total);
    ck_assert_uint_eq(s.dropped, 4);
    output_close(o);

    size_t len;
    char *data = slurp(path, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(len, total);
    char *line = data;
    for (int i = 0; i < 1000; i++) {
        char want[64];
        snprintf(want, sizeof want, "{\"n\":%d}\n", i);
        ck_assert(strncmp(line, want, strlen(want)) == 0);
        line += strlen(want);
    }
    free(data);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0640 & ~(unsigned)0);
}
END_TEST

/* Two writers, a third party renaming and reopening: every line exactly once, whole. */
#define RT_LINES 20000
#define RT_ROTATIONS 20

struct writer_arg {
    struct output *o;
    int id;
};

static unsigned rt_written; /* lines both writers have handed over (atomic) */

static void *writer(void *a)
{
    struct writer_arg *w = a;
    for (int i = 0; i < RT_LINES; i++) {
        char line[96];
        int n = snprintf(line, sizeof line, "{\"t\":%d,\"n\":%d,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n", w->id, i);
        ck_assert_int_eq(output_write(w->o, line, (size_t)n), 0);
        __atomic_add_fetch(&rt_written, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

START_TEST(test_reopen_two_writers)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/eve.json", dir);
    struct output_params p = { .kind = OUTPUT_FILE, .path = path, .buffer_size = 8192 };
    struct output *o = output_open(&p, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    pthread_t th[2];
    struct writer_arg wa[2] = { { o, 0 }, { o, 1 } };
    __atomic_store_n(&rt_written, 0, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, writer, &wa[i]), 0);
    for (int r = 1; r <= RT_ROTATIONS; r++) {
        /* Rotate as the writers progress (not after a fixed time): rotation r waits for
         * r/(RT_ROTATIONS+2) of the lines, so the writers are still busy at the last one
         * unless they ran ahead, which only makes the rotations less concurrent. */
        unsigned want = (unsigned)((uint64_t)2 * RT_LINES * (unsigned)r / (RT_ROTATIONS + 2));
        uint64_t end = mono_ms() + WAIT_DEADLINE_MS;
        while (__atomic_load_n(&rt_written, __ATOMIC_ACQUIRE) < want) {
            ck_assert_msg(mono_ms() < end, "the writers made no progress");
            sched_yield();
        }
        char rotated[160];
        snprintf(rotated, sizeof rotated, "%s/eve.json.%d", dir, r);
        ck_assert_int_eq(rename(path, rotated), 0); /* logrotate "create" */
        ck_assert_int_eq(output_reopen(o), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    output_flush(o); /* lines still buffered are not counted as written yet */
    struct out_stats s = out_stats(o);
    output_close(o);
    ck_assert_uint_eq(s.reopens, RT_ROTATIONS);
    ck_assert_uint_eq(s.dropped, 0);
    ck_assert_uint_eq(s.lines, 2 * RT_LINES);

    static unsigned char seen[2][RT_LINES];
    memset(seen, 0, sizeof seen);
    size_t lines = 0;
    for (int r = 0; r <= RT_ROTATIONS; r++) {
        char f[160];
        if (r == 0)
            snprintf(f, sizeof f, "%s", path);
        else
            snprintf(f, sizeof f, "%s/eve.json.%d", dir, r);
        size_t len;
        char *data = slurp(f, &len);
        ck_assert_msg(data != NULL, "missing %s", f);
        ck_assert(len == 0 || data[len - 1] == '\n');
        int last[2] = { -1, -1 };
        for (char *l = data; *l;) {
            char *nl = strchr(l, '\n');
            ck_assert_ptr_nonnull(nl);
            int t, n, used = 0;
            ck_assert_msg(sscanf(l, "{\"t\":%d,\"n\":%d,\"pad\":\"xxxxxxxxxxxxxxxx\"}%n", &t, &n, &used) == 2 &&
                              l + used == nl,
                          "torn line in %s: %.60s", f, l);
            ck_assert(t == 0 || t == 1);
            ck_assert(n >= 0 && n < RT_LINES);
            ck_assert_msg(!seen[t][n], "duplicate line t=%d n=%d", t, n);
            ck_assert_int_gt(n, last[t]); /* per-writer order kept within a file */
            last[t] = n;
            seen[t][n] = 1;
            lines++;
            l = nl + 1;
        }
        free(data);
    }
    ck_assert_uint_eq(lines, 2 * RT_LINES);
}
END_TEST

static int bind_unix(int type, const char *path)
{
    int fd = socket(AF_UNIX, type, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    if (type == SOCK_STREAM)
        ck_assert_int_eq(listen(fd, 4), 0);
    return fd;
}

START_TEST(test_unix_dgram)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/d.sock", dir);
    int rx = bind_unix(SOCK_DGRAM, path);
    struct output_params p = { .kind = OUTPUT_UNIX_DGRAM, .path = path };
    struct output *o = output_open(&p, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    const char *lines[] = { "{\"a\":1}\n", "{\"b\":\"two\"}\n", "{}\n" };
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(output_write(o, lines[i], strlen(lines[i])), 0);
    for (int i = 0; i < 3; i++) {
        char buf[256];
        ssize_t n = recv(rx, buf, sizeof buf, 0);
        ck_assert_int_eq(n, (ssize_t)strlen(lines[i]) - 1); /* one datagram per line, no '\n' */
        ck_assert(memcmp(buf, lines[i], (size_t)n) == 0);
    }
    close(rx);
    unlink(path);
    ck_assert_int_eq(output_write(o, "{}\n", 3), -1);
    struct out_stats s = out_stats(o);
    ck_assert_uint_eq(s.lines, 3);
    ck_assert_uint_eq(s.dropped, 1);
    ck_assert_uint_eq(s.write_errors, 1);
    /* The reader comes back: delivery resumes without any reopen. */
    rx = bind_unix(SOCK_DGRAM, path);
    ck_assert_int_eq(output_write(o, "{\"c\":3}\n", 8), 0);
    char buf[64];
    ck_assert_int_eq(recv(rx, buf, sizeof buf, 0), 7);
    close(rx);
    output_close(o);
}
END_TEST

/* Read from a stream until `want` bytes or the deadline. */
static size_t read_some(int fd, char *buf, size_t want)
{
    size_t got = 0;
    uint64_t end = mono_ms() + WAIT_DEADLINE_MS;
    while (got < want && mono_ms() < end) {
        ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
        if (n > 0)
            got += (size_t)n;
        else
            sleep_ms(2);
    }
    return got;
}

/* The stream sink retries its connection with a back-off (250 ms, doubling) and drops
 * lines meanwhile: offer `line` until the sink takes it, i.e. until it has reconnected.
 * Returns how many offers were dropped before that. */
static uint64_t write_when_connected(struct output *o, const char *line)
{
    uint64_t end = mono_ms() + WAIT_DEADLINE_MS, refused = 0;
    while (output_write(o, line, strlen(line)) != 0) {
        refused++;
        ck_assert_msg(mono_ms() < end, "the stream sink did not reconnect within %u ms", WAIT_DEADLINE_MS);
        sleep_ms(5);
    }
    return refused;
}

START_TEST(test_unix_stream_reconnect)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/s.sock", dir);
    struct output_params p = { .kind = OUTPUT_UNIX_STREAM, .path = path, .buffer_size = 4096 };
    /* No reader yet: open works, lines are dropped and counted. */
    struct output *o = output_open(&p, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    ck_assert_int_eq(output_write(o, "{\"early\":1}\n", 12), -1);
    ck_assert_uint_eq(out_stats(o).dropped, 1);

    int ls = bind_unix(SOCK_STREAM, path);
    /* Refused until the first back-off step has passed; each refusal is a counted drop. */
    uint64_t refused = write_when_connected(o, "{\"n\":1}\n");
    ck_assert_uint_eq(out_stats(o).dropped, 1 + refused);
    ck_assert_int_eq(output_write(o, "{\"n\":2}\n", 8), 0);
    output_flush(o);
    int c1 = accept(ls, NULL, NULL);
    ck_assert_int_ge(c1, 0);
    char buf[256];
    ck_assert_uint_eq(read_some(c1, buf, 16), 16);
    ck_assert(memcmp(buf, "{\"n\":1}\n{\"n\":2}\n", 16) == 0);

    /* The reader goes away: the next flush fails, the line is dropped. */
    close(c1);
    ck_assert_int_eq(output_write(o, "{\"n\":3}\n", 8), 0);
    output_flush(o);
    struct out_stats s = out_stats(o);
    ck_assert_uint_eq(s.dropped, 2 + refused);
    ck_assert_uint_ge(s.write_errors, 1);

    /* After the back-off a new connection gets whole lines from the start: the first line
     * the sink takes again is the first one the new reader sees. */
    refused += write_when_connected(o, "{\"n\":4}\n");
    ck_assert_uint_eq(out_stats(o).dropped, 2 + refused);
    output_flush(o);
    int c2 = accept(ls, NULL, NULL);
    ck_assert_int_ge(c2, 0);
    ck_assert_uint_eq(read_some(c2, buf, 8), 8);
    ck_assert(memcmp(buf, "{\"n\":4}\n", 8) == 0);
    s = out_stats(o);
    ck_assert_uint_eq(s.lines, 3);

    /* A slow reader: back-pressure keeps whole lines, never a torn one. */
    int sb = 4096;
    setsockopt(c2, SOL_SOCKET, SO_RCVBUF, &sb, sizeof sb);
    char line[200];
    memset(line, 'y', sizeof line);
    memcpy(line, "{\"p\":\"", 6);
    memcpy(line + sizeof line - 3, "\"}\n", 3);
    int accepted = 0;
    for (int i = 0; i < 5000; i++)
        accepted += output_write(o, line, sizeof line) == 0;
    s = out_stats(o);
    ck_assert_uint_gt(s.dropped, 2 + refused); /* the socket filled up */
    size_t total = 0;
    uint64_t end = mono_ms() + WAIT_DEADLINE_MS;
    while (total < (size_t)accepted * sizeof line && mono_ms() < end) {
        char rb[65536];
        ssize_t n;
        while ((n = recv(c2, rb, sizeof rb, MSG_DONTWAIT)) > 0) {
            for (ssize_t k = 0; k < n; k++) {
                size_t pos = (total + (size_t)k) % sizeof line;
                ck_assert_int_eq(rb[k], line[pos]);
            }
            total += (size_t)n;
        }
        output_flush(o);
        sleep_ms(1);
    }
    ck_assert_uint_eq(total, (size_t)accepted * sizeof line);
    /* Nothing more than what was accepted ever arrives. */
    output_flush(o);
    char extra[16];
    ck_assert_int_lt(recv(c2, extra, sizeof extra, MSG_DONTWAIT), 1);
    s = out_stats(o);
    ck_assert_uint_eq(s.lines, 3 + (uint64_t)accepted);
    close(c2);
    close(ls);
    output_close(o);
}
END_TEST

START_TEST(test_open_errors)
{
    char err[256];
    struct output_params p = { .kind = OUTPUT_FILE, .path = "/nonexistent/dir/eve.json" };
    ck_assert_ptr_null(output_open(&p, err, sizeof err));
    ck_assert_str_eq(err, "eve output file /nonexistent/dir/eve.json: No such file or directory");
    char longp[200];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    struct output_params q = { .kind = OUTPUT_UNIX_STREAM, .path = longp };
    ck_assert_ptr_null(output_open(&q, err, sizeof err));
    ck_assert(strstr(err, "socket path longer than") != NULL);
    struct output_params r = { .kind = OUTPUT_FILE, .path = NULL };
    ck_assert_ptr_null(output_open(&r, err, sizeof err));
}
END_TEST

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_file_writes);
    tcase_add_test(tc, test_reopen_two_writers);
    tcase_add_test(tc, test_unix_dgram);
    tcase_add_test(tc, test_unix_stream_reconnect);
    tcase_add_test(tc, test_open_errors);
    suite_add_tcase(s, tc);
    return mw_check_run(s);
}
