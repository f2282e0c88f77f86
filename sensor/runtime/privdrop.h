/* privdrop.h - give up root once the capture and the outputs are open. */
#ifndef MW_PRIVDROP_H
#define MW_PRIVDROP_H

#include <stddef.h>

/* Switch to user (and group, default the user's primary group), clear supplementary
 * groups and set no_new_privs. With no user while running as root: refuse unless
 * allow_root. Returns 0, or -1 with a message in err. */
int privdrop(const char *user, const char *group, int allow_root, char *err, size_t errlen);

#endif
