/* test_output_enospc.c - a full disk drops and counts whole lines, never tears one,
 * and writing resumes by itself when space returns. Needs root to mount a 64 KiB
 * tmpfs; exits 77 (skipped) when that is not possible. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "output_test_util.h"
#include "sensor/eve/output.h"
#include "unit/check_main.h"

static char dir[64];

static void write_lines(struct output *o, int from, int to, int flush_every)
{
    for (int i = from; i < to; i++) {
        char line[128];
        int n = snprintf(line, sizeof line,
                         "{\"n\":%06d,\"pad\":\"0123456789012345678901234567890123456789012345678\"}\n", i);
        ck_assert_int_eq(output_write(o, line, (size_t)n), 0);
        if (flush_every && i % flush_every == 0)
            output_flush(o);
    }
    output_flush(o);
}

/* Every line in the file is whole and numbers increase; returns the count, sets *last. */
static size_t check_file(const char *path, int *last)
{
    size_t len;
    char *data = slurp(path, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_msg(len == 0 || data[len - 1] == '\n', "file ends inside a line");
    size_t lines = 0;
    int prev = -1;
    for (char *l = data; *l;) {
        char *nl = strchr(l, '\n');
        ck_assert_ptr_nonnull(nl);
        int n, used = 0;
        ck_assert_msg(sscanf(l, "{\"n\":%d,\"pad\":\"0123456789012345678901234567890123456789012345678\"}%n",
                             &n, &used) == 1 && l + used == nl,
                      "torn line: %.80s", l);
        ck_assert_int_gt(n, prev);
        prev = n;
        lines++;
        l = nl + 1;
    }
    free(data);
    *last = prev;
    return lines;
}

static void run(int buffer_size, int flush_every)
{
    char path[128], filler[128], err[256];
    snprintf(path, sizeof path, "%s/eve.json", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    unlink(path);
    FILE *f = fopen(filler, "wb");
    ck_assert_ptr_nonnull(f);
    static char zeros[16384];
    ck_assert_uint_eq(fwrite(zeros, 1, sizeof zeros, f), sizeof zeros);
    ck_assert_int_eq(fclose(f), 0);

    struct output_params p = { .kind = OUTPUT_FILE, .path = path, .buffer_size = (size_t)buffer_size };
    struct output *o = output_open(&p, err, sizeof err);
    ck_assert_msg(o != NULL, "%s", err);
    write_lines(o, 0, 2000, flush_every); /* ~150 KB into 64 KiB */
    struct out_stats s = out_stats(o);
    ck_assert_uint_gt(s.dropped, 0);
    ck_assert_uint_gt(s.write_errors, 0);
    ck_assert_uint_eq(s.lines + s.dropped, 2000);
    int last;
    ck_assert_uint_eq(check_file(path, &last), s.lines);

    /* Space returns: the next lines are written without any intervention. */
    ck_assert_int_eq(unlink(filler), 0);
    write_lines(o, 5000, 5050, 0);
    struct out_stats s2 = out_stats(o);
    ck_assert_uint_eq(s2.dropped, s.dropped);
    ck_assert_uint_eq(s2.lines, s.lines + 50);
    ck_assert_uint_eq(check_file(path, &last), s2.lines);
    ck_assert_int_eq(last, 5049);
    output_close(o);
}

START_TEST(test_enospc_big_buffer)
{
    run(16384, 0); /* multi-line flushes: the disk fills inside a buffer */
}
END_TEST

START_TEST(test_enospc_line_flushes)
{
    run(4096, 1);
}
END_TEST

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mw_enospc_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
        fprintf(stderr, "SKIP: cannot mount a small tmpfs on %s (%s); ENOSPC handling not tested\n",
                dir, strerror(errno));
        rmdir(dir);
        return 77;
    }
    Suite *s = suite_create("output_enospc");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_enospc_big_buffer);
    tcase_add_test(tc, test_enospc_line_flushes);
    suite_add_tcase(s, tc);
    int rc = mw_check_run(s);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    return rc;
}
