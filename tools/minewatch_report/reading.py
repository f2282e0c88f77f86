"""Input: plain or gzip files and standard input, read line by line in bounded steps."""
import gzip
import json
import os
import sys
import time
import zlib

from .records import LINE_MAX
from .text import safe_text


# ---------------------------------------------------------------- input
class Progress:
    def __init__(self, enabled):
        self.enabled = enabled
        self.next = 0.0
        self.start = time.monotonic()
        self.lines = 0
        self.shown = False

    def tick(self, name, raw, total):
        self.lines += 1
        if not self.enabled or self.lines & 1023:
            return
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + 0.5
        try:
            pos = raw.tell()
        except (OSError, ValueError):
            pos = None
        rate = self.lines / max(now - self.start, 1e-6)
        where = "%s: %.1f MB" % (safe_text(name), (pos or 0) / 1e6)
        if total and pos is not None:
            where += " / %.1f MB (%d%%)" % (total / 1e6, 100 * pos // total)
        sys.stderr.write("\r\x1b[K%s, %.0f lines/s" % (where, rate))
        sys.stderr.flush()
        self.shown = True

    def done(self):
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def open_input(name):
    """(line reader, raw file for progress, total bytes or None)."""
    if name == "-":
        raw = sys.stdin.buffer
        head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
        total = None
    else:
        raw = open(name, "rb")
        head = raw.read(2)
        raw.seek(0)
        try:
            st = os.fstat(raw.fileno())
            total = st.st_size if st.st_size > 0 else None
        except OSError:
            total = None
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw, total
    return raw, raw, total


def read_file(name, report, progress, warn):
    try:
        reader, raw, total = open_input(name)
    except OSError as e:
        warn("%s: %s" % (name, e.strerror or e))
        return False
    return read_lines(name, reader, raw, total, report, progress, warn)


def read_lines(name, reader, raw, total, report, progress, warn):
    shown = safe_text(name)
    invalid = 0
    first_invalid = None
    lineno = 0
    try:
        while True:
            try:
                line = reader.readline(LINE_MAX)
            except EOFError:
                warn("%s: compressed stream ends early (rotation still running?); kept what was read"
                     % shown)
                break
            except (OSError, zlib.error) as e:
                warn("%s: read error after line %d: %s" % (shown, lineno, e))
                break
            if not line:
                break
            lineno += 1
            progress.tick(name, raw, total)
            complete = line.endswith(b"\n")
            if not complete and len(line) >= LINE_MAX:
                # An overlong line: skip to its end in bounded steps.
                while True:
                    rest = reader.readline(LINE_MAX)
                    if not rest or rest.endswith(b"\n"):
                        break
                invalid += 1
                first_invalid = first_invalid or lineno
                continue
            stripped = line.strip()
            if not stripped:
                continue
            report.lines += 1
            try:
                ev = json.loads(stripped)
            except ValueError:  # includes invalid UTF-8
                if not complete:
                    warn("%s: last line is truncated (file still being written?); ignored" % shown)
                    report.lines -= 1
                    break
                invalid += 1
                first_invalid = first_invalid or lineno
                continue
            report.event(ev)
    finally:
        if reader is not sys.stdin.buffer:
            reader.close()
        if raw is not reader and raw is not sys.stdin.buffer:
            raw.close()
    if invalid:
        report.invalid += invalid
        warn("%s: %d invalid line%s skipped (first at line %d)"
             % (shown, invalid, "" if invalid == 1 else "s", first_invalid))
    return True


def distinct_inputs(files, warn):
    """The inputs with a file given twice (or through a link) kept once."""
    seen, out = {}, []
    for name in files:
        key = None
        if name != "-":
            try:
                st = os.stat(name)
                key = (st.st_dev, st.st_ino)
            except OSError:
                key = None  # read_file reports it
        if key is not None and key in seen:
            warn("%s is the same file as %s: read once" % (name, seen[key]))
            continue
        if key is not None:
            seen[key] = name
        out.append(name)
    return out
