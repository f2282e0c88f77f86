"""Escaping for terminals and spreadsheets, and time parsing/formatting.

Every string the report prints may have come from the wire (pool names, worker logins,
user agents, other engines' signatures): it goes through safe_text() (terminal) or
csv_cell() (CSV) on its way out, never raw.
"""
import argparse
from datetime import datetime, timedelta, timezone


# ---------------------------------------------------------------- escaping
def _escape_char(c):
    o = ord(c)
    if o < 0x100:
        return "\\x%02x" % o
    return "\\u%04x" % o


# C0, DEL, C1, line/paragraph separators and the bidi controls that can reorder what a
# terminal shows (Trojan Source style): the data came from the wire.
_UNSAFE = set(range(0x00, 0x20)) | set(range(0x7f, 0xa0)) | {0x2028, 0x2029} \
    | set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a)) | {0x200e, 0x200f, 0x061c}
_ESCAPE_TABLE = {o: _escape_char(chr(o)) for o in _UNSAFE}


def safe_text(s):
    """The string with every control character shown as an escape, safe for a terminal."""
    return str(s).translate(_ESCAPE_TABLE)


def csv_cell(s):
    s = safe_text(s)
    # A spreadsheet runs cells that begin with these as formulas (CSV injection).
    if s and s[0] in "=+-@":
        s = "'" + s
    return s


# ---------------------------------------------------------------- time
def parse_ts(s):
    """EVE timestamp (or any ISO 8601 time) -> aware datetime; None when unusable."""
    if not isinstance(s, str):
        return None
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t


def parse_bound(s, end):
    """--since/--until: ISO 8601 or YYYY-MM-DD (a bare --until date includes that whole day)."""
    s = s.strip()
    if len(s) == 10:
        try:
            d = datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        except ValueError:
            raise argparse.ArgumentTypeError("not a date: %r" % s)
        return d + timedelta(days=1) if end else d
    t = parse_ts(s)
    if t is None:
        raise argparse.ArgumentTypeError("not an ISO 8601 time: %r" % s)
    return t


def fmt_ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+0000") if t else ""


DISPLAY_TZ = timezone.utc   # --localtime: the machine's zone (set_display_tz)


def show_ts(t):
    """A table time, always with its zone (a bare 10:00 is ambiguous in a ticket)."""
    return t.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S%z") if t else ""


def set_display_tz(tz):
    global DISPLAY_TZ
    DISPLAY_TZ = tz
