/* privdrop.c - setgroups/setgid/setuid after the privileged opens, then clear every
 * capability set explicitly.
 *
 * setuid() from root to another user empties the capability sets by itself, but not when
 * the process never was uid 0: a binary given file capabilities (setcap cap_net_raw,...+ep)
 * and started by an ordinary user keeps its permitted set across setresuid() between
 * non-zero uids. So the sets are cleared with capset() and checked with capget(). */
#include "sensor/runtime/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Empty the effective, permitted, inheritable and ambient sets; 0 when none is left. */
static int privdrop_clear_caps(void)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof data);
    /* Ambient capabilities need Linux 4.3; EINVAL on older kernels means there are none. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return -1;
    if (syscall(SYS_capset, &hdr, data) != 0)
        return -1;
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    hdr.pid = 0;
    if (syscall(SYS_capget, &hdr, data) != 0)
        return -1;
    for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        if (data[i].effective || data[i].permitted || data[i].inheritable)
            return -1;
    return 0;
}

int privdrop(const char *user, const char *group, int allow_root, char *err, size_t errlen)
{
    if (!user) {
        if (geteuid() == 0 && !allow_root) {
            snprintf(err, errlen, "refusing to capture as root: give --user (and --group), or --allow-root");
            return -1;
        }
        /* Root by explicit choice keeps its powers; anyone else (a user running a binary with
         * file capabilities) loses them now that the capture handle is open. */
        if (geteuid() != 0 && privdrop_clear_caps() != 0) {
            snprintf(err, errlen, "cannot clear capabilities: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "unknown user \"%s\"", user);
        return -1;
    }
    gid_t gid = pw->pw_gid;
    if (group) {
        struct group *gr = getgrnam(group);
        if (!gr) {
            snprintf(err, errlen, "unknown group \"%s\"", group);
            return -1;
        }
        gid = gr->gr_gid;
    }
    /* Also without uid 0: a process holding CAP_SETGID from file capabilities can and must
     * shed its supplementary groups; one without it gets EPERM and keeps only its own. */
    if (setgroups(0, NULL) != 0 && (geteuid() == 0 || errno != EPERM)) {
        snprintf(err, errlen, "setgroups: %s", strerror(errno));
        return -1;
    }
    if (setresgid(gid, gid, gid) != 0 || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
        snprintf(err, errlen, "cannot switch to %s: %s", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && privdrop_clear_caps() != 0) {
        snprintf(err, errlen, "cannot clear capabilities after switching to %s: %s", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) { /* must not be able to get root back */
        snprintf(err, errlen, "privilege drop to %s did not stick", user);
        return -1;
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}
