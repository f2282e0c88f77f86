/* readlist.c - expand `-r` arguments into the capture files of one offline run.
 *
 * Directories are read in byte order of the names (strcmp, not the locale's collation),
 * the order rotated captures (`trace-00001.pcap`, `...-20261201T0900.pcap`) are named in,
 * so a run over a directory reads the way the files were written. Files named on the
 * command line are checked at start-up (a typo must not turn into a skipped file; a pipe
 * can only be read once, so it is checked when it is reached); the
 * files of a directory are checked as they are reached, so a stray README or a capture
 * still being written is a warning, not a failed run.
 */
#include "sensor/runtime/readlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sensor/capture/capture.h"

static int readlist_add(struct readlist *rl, size_t *cap, const char *path)
{
    if (rl->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nf = realloc(rl->files, nc * sizeof *nf);
        if (!nf)
            return -1;
        rl->files = nf;
        *cap = nc;
    }
    if (!(rl->files[rl->n] = strdup(path)))
        return -1;
    rl->n++;
    return 0;
}

static int readlist_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int readlist_dir(struct readlist *rl, size_t *cap, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    size_t first = rl->n;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* subdirectories, sockets, dangling links: not captures */
        if (readlist_add(rl, cap, path) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (rc == 0 && rl->n == first) {
        snprintf(err, errlen, "%s: no files to read in the directory", dir);
        rc = -1;
    }
    if (rc == 0)
        qsort(rl->files + first, rl->n - first, sizeof *rl->files, readlist_cmp);
    return rc;
}

int readlist_build(struct readlist *rl, const char *const *args, size_t nargs, char *err, size_t errlen)
{
    size_t cap = 0;
    int dlt = -1;
    memset(rl, 0, sizeof *rl);
    for (size_t i = 0; i < nargs; i++) {
        const char *a = args[i];
        struct stat st;
        if (strcmp(a, "-") == 0) {
            if (nargs > 1) {
                snprintf(err, errlen, "-r -: standard input cannot be read with other files");
                goto fail;
            }
        } else if (stat(a, &st) != 0) {
            snprintf(err, errlen, "%s: %s", a, strerror(errno));
            goto fail;
        } else if (S_ISDIR(st.st_mode)) {
            if (readlist_dir(rl, &cap, a, err, errlen) != 0)
                goto fail;
            continue;
        } else if (S_ISREG(st.st_mode)) { /* a pipe is read once: checked when it is read */
            int fd;
            if (capture_probe_file(a, &fd, err, errlen) != 0)
                goto fail;
            if (dlt >= 0 && fd != dlt) {
                snprintf(err, errlen, "%s: link type %d, not %d as %s", a, fd, dlt, args[0]);
                goto fail;
            }
            dlt = fd;
        }
        if (readlist_add(rl, &cap, a) != 0) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    return 0;
fail:
    readlist_free(rl);
    return -1;
}

void readlist_free(struct readlist *rl)
{
    for (size_t i = 0; i < rl->n; i++)
        free(rl->files[i]);
    free(rl->files);
    rl->files = NULL;
    rl->n = 0;
}
