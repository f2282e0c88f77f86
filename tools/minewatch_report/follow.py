"""--follow: a line per host change as events are appended to a live EVE file."""
import json
import os
import time

from .records import LINE_MAX
from .text import safe_text, show_ts


def follow(args, report, warn, out, poll=0.2):
    """--follow: read FILE to its end, then print a line for every change of a host (new
    host, verdict, pool, worker) as lines are appended, like tail -F: a rotated or truncated
    file is reopened from its start. --exit-after N stops after N change lines, --exit-at-eof
    at the first end of file once the file has been read (both for scripts and tests)."""
    name = args.files[0]
    report.changed = []
    printed = 0
    fh, ino, pos, partial = None, None, 0, b""
    while True:
        if fh is None:
            try:
                fh = open(name, "rb")
                ino, pos, partial = os.fstat(fh.fileno()).st_ino, 0, b""
            except OSError as e:
                if args.exit_at_eof:
                    warn("%s: %s" % (name, e.strerror or e))
                    return 1
                time.sleep(poll)
                continue
        chunk = fh.read(1 << 16)
        if chunk:
            pos += len(chunk)
            lines = (partial + chunk).split(b"\n")
            partial = lines.pop()
            if len(partial) > LINE_MAX:
                partial = b""
            for line in lines:
                try:
                    ev = json.loads(line)
                except ValueError:
                    if line.strip():
                        report.invalid += 1
                    continue
                report.lines += 1
                report.event(ev)
                for h, what in report.changed:
                    # The verdict too came from an EVE line (a host event): escaped like the rest.
                    out.write("%s  %-15s  %-12s  %s\n" % (show_ts(h.last), safe_text(h.ip),
                                                           safe_text(h.final_verdict()), safe_text(what)))
                    printed += 1
                    if args.exit_after and printed >= args.exit_after:
                        out.flush()
                        return 0
                report.changed.clear()
            out.flush()
            continue
        if args.exit_at_eof:
            return 0
        try:
            st = os.stat(name)
            if st.st_ino != ino or st.st_size < pos:  # rotated or truncated
                fh.close()
                fh = None
                continue
        except OSError:
            pass
        time.sleep(poll)
