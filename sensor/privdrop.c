/* privdrop.c - setgroups/setgid/setuid after the privileged opens; no capability survives
 * setuid() to a non-root user without PR_SET_KEEPCAPS, which we never set. */
#include "sensor/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int privdrop(const char *user, const char *group, int allow_root, char *err, size_t errlen)
{
    if (!user) {
        if (geteuid() == 0 && !allow_root) {
            snprintf(err, errlen, "refusing to capture as root: give --user (and --group), or --allow-root");
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
    if (geteuid() == 0 && setgroups(0, NULL) != 0) {
        snprintf(err, errlen, "setgroups: %s", strerror(errno));
        return -1;
    }
    if (setresgid(gid, gid, gid) != 0 || setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
        snprintf(err, errlen, "cannot switch to %s: %s", user, strerror(errno));
        return -1;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) { /* must not be able to get root back */
        snprintf(err, errlen, "privilege drop to %s did not stick", user);
        return -1;
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}
