#!/usr/bin/env python3
"""check_eve.py - check a minewatch EVE file against a pcap regression case (stdlib only).

usage: check_eve.py EVE_FILE CASE.json

Every line of EVE_FILE must be valid UTF-8, one JSON object (no NaN/Infinity, no duplicate
keys), with "timestamp" as YYYY-MM-DDTHH:MM:SS.uuuuuu+0000 and a string "event_type".

CASE.json:
  "expect": [PATTERN, ...]  each must match at least one line (default), or
                            "count": N / "min_count": N / "max_count": N lines;
  "forbid": [PATTERN, ...]  must match no line.
  "truncated": {PATH: MAX_BYTES, ...}  every string at the dotted PATH (lists are walked)
                            is at most MAX_BYTES input bytes, not counting a trailing
                            "[truncated]" (an escaped invalid byte \\xHH counts as one),
                            and at least one of them carries the marker.
Every line must also be free of raw control bytes (below 0x20 and DEL: docs/eve.md).
A numeric field may be matched with {"$ge": N} or {"$le": N} (counters in stats).
A PATTERN is an object matched as a SUBSET: every key it names must be present with a
matching value, other fields are ignored, nested objects compare recursively, a list
matches when each of its elements matches some element of the actual list. The counting
keys may sit beside the pattern's fields or the pattern may be given as {"match": {...},
"count": N}. Strings that are both IP addresses compare as addresses, so "2001:db8::1"
matches "2001:0db8:0000:0000:0000:0000:0000:0001". true/false never equal 1/0.

Exit status: 0 pass, 1 fail (with a diff-like explanation), 2 usage or case-file error.
"""
import ipaddress
import json
import re
import sys

TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+0000$")
COUNT_KEYS = ("count", "min_count", "max_count")


class CaseError(Exception):
    pass


def _no_constants(name):
    raise ValueError("non-standard JSON constant %s" % name)


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate key %r" % k)
        obj[k] = v
    return obj


def parse_json(text):
    return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)


def load_eve(path):
    """Returns (events, errors): events as (line_no, object), errors as strings."""
    with open(path, "rb") as f:
        data = f.read()
    events, errors = [], []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        errors.append("line %d: file does not end with a newline" % len(lines))
    for no, raw in enumerate(lines, 1):
        if raw.endswith(b"\r"):
            errors.append("line %d: CRLF line ending" % no)
            raw = raw[:-1]
        bad = [b for b in raw if b < 0x20 or b == 0x7f]
        if bad:
            errors.append("line %d: raw control byte 0x%02x in the line" % (no, bad[0]))
        try:
            text = raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            errors.append("line %d: invalid UTF-8 (%s)" % (no, e))
            continue
        try:
            obj = parse_json(text)
        except ValueError as e:
            errors.append("line %d: invalid JSON (%s): %s" % (no, e, text[:200]))
            continue
        if not isinstance(obj, dict):
            errors.append("line %d: not a JSON object" % no)
            continue
        ts = obj.get("timestamp")
        if not isinstance(ts, str) or not TS_RE.match(ts):
            errors.append("line %d: bad or missing timestamp %r (want YYYY-MM-DDTHH:MM:SS.uuuuuu+0000)" % (no, ts))
        et = obj.get("event_type")
        if not isinstance(et, str) or not et:
            errors.append("line %d: bad or missing event_type %r" % (no, et))
        events.append((no, obj))
    return events, errors


def _as_ip(s):
    try:
        return ipaddress.ip_address(s)
    except ValueError:
        return None


NUM_OPS = {"$ge": lambda a, b: a >= b, "$le": lambda a, b: a <= b}


def mismatches(pattern, actual, path=""):
    """List of human-readable differences; empty when actual matches pattern."""
    if isinstance(pattern, dict) and len(pattern) == 1 and next(iter(pattern)) in NUM_OPS:
        op, bound = next(iter(pattern.items()))
        if isinstance(actual, bool) or not isinstance(actual, (int, float)) or not NUM_OPS[op](actual, bound):
            return ["%s: expected %s %s, got %s" % (path, op, json.dumps(bound), json.dumps(actual))]
        return []
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return ["%s: expected an object, got %s" % (path or ".", json.dumps(actual))]
        out = []
        for k, v in pattern.items():
            p = "%s.%s" % (path, k) if path else k
            if k not in actual:
                out.append("%s: missing (expected %s)" % (p, json.dumps(v)))
            else:
                out.extend(mismatches(v, actual[k], p))
        return out
    if isinstance(pattern, list):
        if not isinstance(actual, list):
            return ["%s: expected a list, got %s" % (path, json.dumps(actual))]
        out = []
        for i, v in enumerate(pattern):
            if not any(not mismatches(v, a, path) for a in actual):
                out.append("%s[%d]: no element matches %s (got %s)" % (path, i, json.dumps(v), json.dumps(actual)))
        return out
    if isinstance(pattern, bool) or isinstance(actual, bool):
        ok = isinstance(pattern, bool) and isinstance(actual, bool) and pattern == actual
    elif isinstance(pattern, str) and isinstance(actual, str):
        ok = pattern == actual
        if not ok and (":" in pattern or "." in pattern):
            a, b = _as_ip(pattern), _as_ip(actual)
            ok = a is not None and a == b
    elif isinstance(pattern, (int, float)) and isinstance(actual, (int, float)):
        ok = pattern == actual
    else:
        ok = pattern is None and actual is None
    return [] if ok else ["%s: expected %s, got %s" % (path, json.dumps(pattern), json.dumps(actual))]


def split_entry(entry, where):
    if not isinstance(entry, dict):
        raise CaseError("%s: must be an object" % where)
    counts = {k: entry[k] for k in COUNT_KEYS if k in entry}
    for k, v in counts.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise CaseError("%s: %s must be a non-negative integer" % (where, k))
    if "match" in entry:
        pattern = entry["match"]
        extra = set(entry) - set(COUNT_KEYS) - {"match"}
        if extra or not isinstance(pattern, dict):
            raise CaseError("%s: with \"match\" only count keys may accompany it" % where)
    else:
        pattern = {k: v for k, v in entry.items() if k not in COUNT_KEYS}
    if not pattern:
        raise CaseError("%s: empty pattern matches everything" % where)
    if "count" in counts:
        lo = hi = counts["count"]
    else:
        lo, hi = counts.get("min_count", 1), counts.get("max_count")
    return pattern, lo, hi


def closest(pattern, events, n=3):
    scored = sorted(((len(mismatches(pattern, obj)), no, obj) for no, obj in events), key=lambda t: (t[0], t[1]))
    return scored[:n]


def check(events, case):
    failures = []
    for i, entry in enumerate(case.get("expect", [])):
        pattern, lo, hi = split_entry(entry, "expect[%d]" % i)
        hits = [no for no, obj in events if not mismatches(pattern, obj)]
        if len(hits) >= lo and (hi is None or len(hits) <= hi):
            continue
        want = "exactly %d" % lo if hi == lo else ("at least %d" % lo if hi is None else "%d..%d" % (lo, hi))
        msg = ["expect[%d]: wanted %s matching line(s), found %d %s" % (i, want, len(hits), hits[:10]),
               "  pattern: " + json.dumps(pattern, sort_keys=True)]
        if not hits:
            for score, no, obj in closest(pattern, events):
                msg.append("  nearest line %d (%d difference(s)):" % (no, score))
                for d in mismatches(pattern, obj):
                    msg.append("    - " + d)
            if not events:
                msg.append("  (the EVE file has no lines)")
        failures.append("\n".join(msg))
    for i, entry in enumerate(case.get("forbid", [])):
        pattern, _, _ = split_entry(entry, "forbid[%d]" % i)
        hits = [(no, obj) for no, obj in events if not mismatches(pattern, obj)]
        if hits:
            msg = ["forbid[%d]: %d line(s) match a forbidden pattern" % (i, len(hits)),
                   "  pattern: " + json.dumps(pattern, sort_keys=True)]
            for no, obj in hits[:3]:
                msg.append("  + line %d: %s" % (no, json.dumps(obj, sort_keys=True)[:400]))
            failures.append("\n".join(msg))
    return failures


MARKER = "[truncated]"
ESCAPED_BYTE = re.compile(r"\\x[0-9a-f]{2}")


def values_at(obj, keys):
    if not keys:
        if isinstance(obj, list):
            for v in obj:
                yield v
        else:
            yield obj
        return
    if isinstance(obj, list):
        for v in obj:
            yield from values_at(v, keys)
    elif isinstance(obj, dict) and keys[0] in obj:
        yield from values_at(obj[keys[0]], keys[1:])


def wire_len(text):
    """Input bytes a written value stands for: UTF-8 length, an escaped byte counts one."""
    return len(ESCAPED_BYTE.sub("?", text).encode("utf-8"))


def check_truncated(events, spec):
    failures = []
    if not isinstance(spec, dict):
        raise CaseError("truncated must be an object of PATH: MAX_BYTES")
    for path, limit in spec.items():
        marked, total = 0, 0
        for no, obj in events:
            for v in values_at(obj, path.split(".")):
                if not isinstance(v, str):
                    continue
                total += 1
                body = v[:-len(MARKER)] if v.endswith(MARKER) else v
                marked += v.endswith(MARKER)
                if wire_len(body) > limit:
                    failures.append("truncated: line %d %s is %d bytes > %d: %r" % (no, path, wire_len(body), limit, v[:80]))
        if not marked:
            failures.append("truncated: no value at %s carries %s (%d values)" % (path, MARKER, total))
    return failures


def load_case(path):
    with open(path, "rb") as f:
        try:
            case = parse_json(f.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise CaseError("%s: %s" % (path, e))
    if not isinstance(case, dict):
        raise CaseError("%s: not a JSON object" % path)
    for k in ("expect", "forbid"):
        if not isinstance(case.get(k, []), list):
            raise CaseError("%s: %s must be a list" % (path, k))
    if not case.get("expect") and not case.get("forbid") and not case.get("truncated"):
        raise CaseError("%s: neither expect nor forbid: the case would assert nothing" % path)
    return case


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    try:
        case = load_case(argv[2])
        events, errors = load_eve(argv[1])
        failures = check(events, case) + check_truncated(events, case.get("truncated", {}))
    except CaseError as e:
        sys.stderr.write("check_eve: case error: %s\n" % e)
        return 2
    except OSError as e:
        sys.stderr.write("check_eve: %s\n" % e)
        return 2
    if errors:
        failures.insert(0, "malformed EVE output:\n" + "\n".join("  " + e for e in errors[:20]))
    name = case.get("scenario", argv[2])
    if failures:
        sys.stdout.write("FAIL %s (%d EVE lines)\n%s\n" % (name, len(events), "\n".join(failures)))
        return 1
    sys.stdout.write("PASS %s: %d EVE lines, %d expect, %d forbid\n"
                     % (name, len(events), len(case.get("expect", [])), len(case.get("forbid", []))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
