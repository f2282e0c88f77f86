/* test_privdrop.c - after privdrop() no uid 0, no supplementary group and no capability is
 * left, also when the process starts as a non-root user holding capabilities (the
 * setcap'd-binary case). Each case runs in a forked child; needs root (exit 77 otherwise). */
#include <check.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sensor/runtime/privdrop.h"

static const char *drop_user; /* an existing non-root account */

/* The value of a "Name:\t<hex>" line of /proc/self/status, or ~0 when absent. */
static unsigned long long status_hex(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return ~0ull;
    char line[256];
    unsigned long long v = ~0ull;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            v = strtoull(line + n + 1, NULL, 16);
            break;
        }
    fclose(f);
    return v;
}

static unsigned long long status_dec(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return ~0ull;
    char line[256];
    unsigned long long v = ~0ull;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            v = strtoull(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* Child exit codes name the first property that failed. */
enum { OK = 0, E_DROP = 10, E_UID, E_GROUPS, E_CAPS, E_ROOT_BACK, E_NNP, E_SETUP, E_PRECOND };

static int check_dropped(uid_t uid)
{
    if (getuid() != uid || geteuid() != uid)
        return E_UID;
    if (getgroups(0, NULL) != 0)
        return E_GROUPS;
    if (status_hex("CapEff") != 0 || status_hex("CapPrm") != 0 || status_hex("CapInh") != 0 ||
        status_hex("CapAmb") != 0)
        return E_CAPS;
    if (setuid(0) == 0 || seteuid(0) == 0)
        return E_ROOT_BACK;
    if (status_dec("NoNewPrivs") != 1)
        return E_NNP;
    return OK;
}

static int run_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int st = -1;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static int child_root_to_user(void)
{
    gid_t extra = 4242; /* a supplementary group that must not survive */
    if (setgroups(1, &extra) != 0)
        return E_SETUP;
    char err[256];
    if (privdrop(drop_user, NULL, 0, err, sizeof err) != 0)
        return E_DROP;
    return check_dropped(getpwnam(drop_user)->pw_uid);
}

START_TEST(root_to_user)
{
    ck_assert_int_eq(run_child(child_root_to_user), OK);
}
END_TEST

/* Become drop_user while keeping a full permitted and effective capability set: the state
 * of a binary with file capabilities started by that user. */
static int become_user_with_caps(void)
{
    struct passwd *pw = getpwnam(drop_user);
    gid_t extra = 4242;
    if (!pw || setgroups(1, &extra) != 0 || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
        setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0)
        return E_SETUP;
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) != 0)
        return E_SETUP;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        data[i].effective = data[i].permitted;
    if (syscall(SYS_capset, &hdr, data) != 0)
        return E_SETUP;
    if (geteuid() == 0 || status_hex("CapPrm") == 0 || status_hex("CapEff") == 0)
        return E_PRECOND;
    return OK;
}

static int child_caps_with_user(void)
{
    int rc = become_user_with_caps();
    if (rc != OK)
        return rc;
    char err[256];
    if (privdrop(drop_user, NULL, 0, err, sizeof err) != 0)
        return E_DROP;
    return check_dropped(getpwnam(drop_user)->pw_uid);
}

START_TEST(file_caps_user_loses_caps)
{
    ck_assert_int_eq(run_child(child_caps_with_user), OK);
}
END_TEST

static int child_caps_no_user(void)
{
    int rc = become_user_with_caps();
    if (rc != OK)
        return rc;
    char err[256];
    if (privdrop(NULL, NULL, 0, err, sizeof err) != 0)
        return E_DROP;
    if (status_hex("CapEff") != 0 || status_hex("CapPrm") != 0 || status_hex("CapAmb") != 0)
        return E_CAPS;
    return OK;
}

START_TEST(file_caps_no_user_loses_caps)
{
    ck_assert_int_eq(run_child(child_caps_no_user), OK);
}
END_TEST

START_TEST(refusals)
{
    char err[256];
    /* Still root here: the refusals must not change anything. */
    ck_assert_int_eq(privdrop(NULL, NULL, 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "refusing to capture as root"));
    ck_assert_int_eq(privdrop("no-such-user-mw", NULL, 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown user"));
    ck_assert_int_eq(privdrop(drop_user, "no-such-group-mw", 0, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown group"));
    ck_assert_int_eq(geteuid(), 0);
    /* Root by explicit choice stays root. */
    ck_assert_int_eq(privdrop(NULL, NULL, 1, err, sizeof err), 0);
    ck_assert_int_eq(geteuid(), 0);
}
END_TEST

int main(void)
{
    if (geteuid() != 0) {
        printf("test_privdrop: skipped: needs root to test dropping it\n");
        return 77;
    }
    static const char *const users[] = { "nobody", "daemon", "bin" };
    for (size_t i = 0; i < sizeof users / sizeof users[0] && !drop_user; i++) {
        struct passwd *pw = getpwnam(users[i]);
        if (pw && pw->pw_uid != 0)
            drop_user = users[i];
    }
    if (!drop_user) {
        printf("test_privdrop: skipped: no non-root account (nobody, daemon, bin) to drop to\n");
        return 77;
    }
    Suite *s = suite_create("privdrop");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, root_to_user);
    tcase_add_test(tc, file_caps_user_loses_caps);
    tcase_add_test(tc, file_caps_no_user_loses_caps);
    tcase_add_test(tc, refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
