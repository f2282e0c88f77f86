"""Output: the host table, CSV and JSON, the per-pool summary and the learned addresses."""
import csv
import ipaddress
import json

from .aggregate import _ip_key
from .records import NAME_RE
from .text import csv_cell, fmt_ts, parse_ts, safe_text, show_ts


# ---------------------------------------------------------------- output
COLUMNS = (("HOST", "host"), ("VERDICT", "verdict"), ("SCORE", "score"),
           ("FIRST SEEN", "first_seen"), ("LAST SEEN", "last_seen"), ("ALERTS", "alerts"),
           ("SEV 1/2/3", "sev"), ("OTHER", "other"), ("FLOWS", "flows"),
           ("SHARES S/A/R", "shares"), ("POOLS", "pools"), ("WORKERS", "workers"),
           ("AGENTS", "agents"), ("GEO", "geo"))


def table_cells(d):
    sev = d["alerts_by_severity"]
    short = lambda ts: show_ts(parse_ts(ts)) if ts else ""
    return {
        "host": d["host"], "verdict": d["verdict"],
        "score": "" if d["score"] is None else str(d["score"]),
        "first_seen": short(d["first_seen"]), "last_seen": short(d["last_seen"]),
        "alerts": str(d["alerts"]), "sev": "%d/%d/%d" % (sev["1"], sev["2"], sev["3"]),
        "other": str(d["other_engine_alerts"]) if d["other_engine_alerts"] else "",
        "flows": ("%d (%ds)" % (d["flows"], d["flow_seconds"])) if d["flows"] else "",
        "shares": ("%d/%d/%d" % (d["shares_submitted"], d["shares_accepted"], d["shares_rejected"]))
                  if d["flows"] else "",
        "pools": ", ".join(d["pools"]), "workers": ", ".join(d["workers"]),
        "agents": ", ".join(d["agents"]), "geo": ", ".join(d["countries"] + d["as"]),
    }


def truncate(s, width):
    if width and len(s) > width:
        return s[:max(width - 1, 0)] + "\u2026"
    return s


def write_table(out, dicts, width, cells=None, columns=COLUMNS, keep=("host", "verdict", "alerts")):
    rows = [{k: truncate(safe_text(v), width) for k, v in (cells or table_cells)(d).items()} for d in dicts]
    widths = {key: max([len(title)] + [len(r[key]) for r in rows]) for title, key in columns}
    # Columns that are empty for every row are left out rather than printed blank.
    cols = [(t, k) for t, k in columns if k in keep or any(r[k] for r in rows)]
    out.write("  ".join(t.ljust(widths[k]) for t, k in cols).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(r[k].ljust(widths[k]) for t, k in cols).rstrip() + "\n")


CSV_FIELDS = ("host", "verdict", "score", "first_seen", "last_seen", "alerts", "sev1", "sev2",
              "sev3", "repeats", "pools", "workers", "agents", "countries", "as", "variants",
              "signature_ids", "flows", "flow_seconds", "shares_submitted", "shares_accepted",
              "shares_rejected", "other_engine_alerts")


def write_csv(out, dicts):
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for d in dicts:
        sev = d["alerts_by_severity"]
        row = [d["host"], d["verdict"], "" if d["score"] is None else d["score"], d["first_seen"],
               d["last_seen"], d["alerts"], sev["1"], sev["2"], sev["3"], d["repeats"]]
        row += [";".join(d[k]) for k in ("pools", "workers", "agents", "countries", "as",
                                          "variants")]
        row.append(";".join(str(s) for s in d["signature_ids"]))
        row += [d[k] for k in CSV_FIELDS[-6:]]
        w.writerow([csv_cell(c) for c in row])


# ---------------------------------------------------------------- per pool
POOL_COLUMNS = (("POOL", "pool"), ("HOSTS", "nhosts"), ("FIRST SEEN", "first_seen"),
                ("LAST SEEN", "last_seen"), ("SESSIONS", "sessions"), ("ALERTS", "alerts"),
                ("SHARES ACCEPTED", "shares"), ("HOST LIST", "hosts"))


def pool_dicts(report):
    out = []
    for p in report.pools.values():
        if report.args.pool and not any(p.name.lower().rstrip(".").endswith(x) for x in report.args.pool):
            continue
        out.append({"pool": p.name, "hosts": p.hosts.values(), "nhosts": len(p.hosts.items) + p.hosts.more,
                    "first_seen": fmt_ts(p.first), "last_seen": fmt_ts(p.last),
                    "sessions": len(p.sessions), "alerts": p.alerts, "shares_accepted": p.shares})
    return sorted(out, key=lambda d: (-d["nhosts"], -d["sessions"], d["pool"]))


def pool_cells(d):
    return {"pool": d["pool"], "nhosts": str(d["nhosts"]), "first_seen": show_ts(parse_ts(d["first_seen"])),
            "last_seen": show_ts(parse_ts(d["last_seen"])), "sessions": str(d["sessions"]),
            "alerts": str(d["alerts"]), "shares": str(d["shares_accepted"]), "hosts": ", ".join(d["hosts"])}


def write_pools(out, dicts, args):
    if args.json:
        write_json(out, dicts)
    elif args.csv:
        w = csv.writer(out, lineterminator="\n")
        keys = ("pool", "nhosts", "first_seen", "last_seen", "sessions", "alerts", "shares_accepted", "hosts")
        w.writerow(keys)
        for d in dicts:
            w.writerow([csv_cell(";".join(d[k]) if k == "hosts" else d[k]) for k in keys])
    else:
        write_table(out, dicts, args.width, pool_cells, POOL_COLUMNS, keep=tuple(k for _, k in POOL_COLUMNS))


def write_learned(out, report):
    """--learned-addresses: "ADDRESS NAME" for minewatch-update --learned."""
    out.write("# DNS-learned pool addresses that carried confirmed mining (minewatch-report)\n")
    for addr in sorted(report.confirmed, key=_ip_key):
        name = report.learned.get(addr)
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            continue
        if name and NAME_RE.fullmatch(name.rstrip(".")):
            out.write("%s %s\n" % (safe_text(addr), safe_text(name).rstrip(".")))


def write_json(out, dicts):
    # ensure_ascii: every non-ASCII and control character is a \u escape, safe on a terminal.
    out.write(json.dumps(dicts, ensure_ascii=True, indent=1) + "\n")
