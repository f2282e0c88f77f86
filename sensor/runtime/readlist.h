/* readlist.h - what `minewatch -r` reads: the files and directories named on the command
 * line, in that order, a directory standing for its capture files in name order. */
#ifndef MW_READLIST_H
#define MW_READLIST_H

#include <stddef.h>

struct readlist {
    char **files;  /* paths, in reading order */
    size_t n;
};

/* Expand args (files, directories, or "-" alone for standard input). A directory adds its
 * regular files whose names do not start with '.', sorted bytewise by name; what they hold
 * is checked when they are read (capture.h: a file that is not a capture is skipped with a
 * warning). A named file must exist and open as a capture, all with one link type: 0, or
 * -1 with err (a directory with no file in it is an error too). */
int readlist_build(struct readlist *rl, const char *const *args, size_t nargs, char *err, size_t errlen);
void readlist_free(struct readlist *rl);

#endif
