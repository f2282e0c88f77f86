/* check_main.h - the end of every Check suite's main(), and the optional shared data.
 *
 * ctest reads three exit codes: 0 passed, 1 failed, 77 skipped (SKIP_RETURN_CODE in
 * tests/CMakeLists.txt). A suite whose optional part could not run (../shared absent, no
 * python3) still runs everything else, and reports 77 only once all of that has passed, so a
 * failure is never hidden behind a skip. Header-only so each test stays one file.
 */
#ifndef MW_TEST_CHECK_MAIN_H
#define MW_TEST_CHECK_MAIN_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

/* "$MW_SHARED_DIR/<sub>" into buf when that directory exists, else NULL. ../shared is
 * third-party data that tests read in place and may be missing on a clone. */
static inline const char *mw_shared_dir(const char *sub, char *buf, size_t n)
{
    const char *shared = getenv("MW_SHARED_DIR");
    if (!shared || !*shared)
        return NULL;
    int w = snprintf(buf, n, "%s/%s", shared, sub);
    if (w < 0 || (size_t)w >= n)
        return NULL;
    DIR *d = opendir(buf);
    if (!d)
        return NULL;
    closedir(d);
    return buf;
}

/* Runs the suite (Check frees it). skip_reason is NULL when every part of the suite could run;
 * otherwise it is printed as "SKIP: ..." and the suite reports 77 if nothing failed. */
static inline int mw_check_run_or_skip(Suite *s, const char *skip_reason)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (failed)
        return EXIT_FAILURE;
    if (skip_reason) {
        fprintf(stderr, "SKIP: %s\n", skip_reason);
        return 77;
    }
    return EXIT_SUCCESS;
}

static inline int mw_check_run(Suite *s)
{
    return mw_check_run_or_skip(s, NULL);
}

#endif
