/* eve_fixture.h - an EVE writer into a fresh temporary file, for tests that read back the
 * lines the sensor's own output module wrote. Header-only so each test stays one file. */
#ifndef MW_TEST_EVE_FIXTURE_H
#define MW_TEST_EVE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/eve/eve.h"
#include "sensor/eve/output.h"

struct eve_fixture {
    char path[64];
    struct output *out;
    struct eve *eve;
};

/* A new file /tmp/mw_test_<tag>XXXXXX each time, so a test run beside another never reads
 * the other's lines. */
static inline void eve_fixture_open(struct eve_fixture *fx, const char *tag)
{
    int w = snprintf(fx->path, sizeof fx->path, "/tmp/mw_test_%sXXXXXX", tag);
    ck_assert(w > 0 && (size_t)w < sizeof fx->path);
    int fd = mkstemp(fx->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct output_params op;
    memset(&op, 0, sizeof op);
    op.kind = OUTPUT_FILE;
    op.path = fx->path;
    char err[256];
    fx->out = output_open(&op, err, sizeof err);
    ck_assert_msg(fx->out != NULL, "output_open: %s", err);
    struct eve_params ep = { "sensor-test", NULL, 0, 0 };
    fx->eve = eve_new(&ep, fx->out);
    ck_assert_ptr_nonnull(fx->eve);
}

static inline void eve_fixture_close(struct eve_fixture *fx)
{
    eve_free(fx->eve);
    output_close(fx->out);
    unlink(fx->path);
    fx->eve = NULL;
    fx->out = NULL;
}

#endif
