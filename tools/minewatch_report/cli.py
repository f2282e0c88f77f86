"""Command line: options, and main() tying reading, aggregation and rendering together."""
import argparse
import ipaddress
import os
import sys
from datetime import datetime

from .aggregate import Report
from .follow import follow
from .reading import Progress, distinct_inputs, read_file
from .records import DEFAULT_MAX_HOSTS, VERDICTS
from .render import pool_dicts, write_csv, write_json, write_learned, write_pools, write_table
from .text import parse_bound, safe_text, set_display_tz

PROG = "minewatch-report"


# ---------------------------------------------------------------- command line
def csv_list(s):
    return [x.strip() for x in s.split(",") if x.strip()]


def verdict_list(s):
    v = csv_list(s)
    bad = [x for x in v if x not in VERDICTS]
    if bad or not v:
        raise argparse.ArgumentTypeError("unknown verdict %r (choose from %s)"
                                         % (",".join(bad) or s, ", ".join(VERDICTS)))
    return v


def network(s):
    try:
        return ipaddress.ip_network(s.strip(), strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError("not an address or CIDR prefix: %r" % s)


def positive(s):
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer: %r" % s)
    return n


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Summarise minewatch EVE files per host: verdict, time span, pools, "
                    "workers, miner software, pool countries/AS and alert counts.",
        epilog="Files may be plain or gzip-compressed (detected by content), '-' is standard "
               "input. Exit status: 0 success, 1 no input could be read, 2 usage error.")
    p.add_argument("files", nargs="+", metavar="EVE_FILE")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON array of host objects")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row, lists joined by ';'")
    p.add_argument("--since", type=lambda s: parse_bound(s, False), metavar="TIME",
                   help="events at or after TIME (ISO 8601 or YYYY-MM-DD, UTC when no offset)")
    p.add_argument("--until", type=lambda s: parse_bound(s, True), metavar="TIME",
                   help="events before TIME (a bare date includes that whole day)")
    p.add_argument("--verdict", type=verdict_list, metavar="LIST",
                   help="only these verdicts, comma-separated (%s)" % ",".join(VERDICTS))
    p.add_argument("--host", type=network, action="append", metavar="CIDR_OR_IP",
                   help="only hosts inside this address or prefix (repeatable)")
    p.add_argument("--pool", action="append", metavar="SUFFIX",
                   help="only hosts that used a pool whose name ends with SUFFIX (repeatable)")
    p.add_argument("--worker", action="append", metavar="SUBSTRING",
                   help="only hosts with a worker/wallet login containing SUBSTRING (repeatable)")
    p.add_argument("--sort", choices=("host", "first", "last", "alerts", "verdict"),
                   default="verdict", help="order of the hosts (default: verdict, then alerts)")
    p.add_argument("--width", type=int, default=40, metavar="N",
                   help="truncate table cells at N characters (0: never; default 40)")
    p.add_argument("--max-hosts", type=positive, default=DEFAULT_MAX_HOSTS, metavar="N",
                   help="hosts (and pools) kept in memory (default %d); further ones are counted"
                   % DEFAULT_MAX_HOSTS)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--pools", action="store_true",
                      help="one row per pool: hosts, first/last seen, sessions, alerts, accepted shares")
    mode.add_argument("--learned-addresses", action="store_true",
                      help="print the DNS-learned pool addresses that carried confirmed mining as "
                           "'ADDRESS NAME' lines (for minewatch-update --learned)")
    mode.add_argument("--follow", "-f", action="store_true",
                      help="follow one live EVE file: a line per host change as events arrive")
    p.add_argument("--exit-after", type=positive, metavar="N", help="--follow: stop after N lines")
    p.add_argument("--exit-at-eof", action="store_true", help="--follow: stop at the end of the file")
    p.add_argument("--localtime", action="store_true",
                   help="show table times in this machine's zone (default UTC; the offset is always shown)")
    a = p.parse_args(argv)
    if a.follow and (len(a.files) != 1 or a.files[0] == "-"):
        p.error("--follow takes exactly one file (not standard input)")
    if (a.exit_after or a.exit_at_eof) and not a.follow:
        p.error("--exit-after and --exit-at-eof need --follow")
    if a.pool:
        a.pool = [s.lower().rstrip(".") for s in a.pool]
    if a.since and a.until and a.since >= a.until:
        p.error("--since must be before --until")
    if a.width < 0:
        p.error("--width must be 0 or more")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def warn(msg):
        progress.done()
        sys.stderr.write("%s: %s\n" % (PROG, safe_text(msg)))

    if args.localtime:
        set_display_tz(datetime.now().astimezone().tzinfo)
    progress = Progress(sys.stderr.isatty() and not args.follow)
    report = Report(args)
    if args.follow:
        try:
            return follow(args, report, warn, sys.stdout)
        except KeyboardInterrupt:
            return 0
    ok = 0
    for name in distinct_inputs(args.files, warn):
        ok += read_file(name, report, progress, warn)
    progress.done()
    if not ok:
        return 1
    if report.refused:
        warn("more than %d hosts: %d events of further hosts were not summarised "
             "(raise --max-hosts or narrow with --host/--since)" % (args.max_hosts, report.refused))
    out = sys.stdout
    dicts = [] if args.pools or args.learned_addresses else [h.as_dict() for h in report.selected()]
    try:
        if args.learned_addresses:
            write_learned(out, report)
        elif args.pools:
            write_pools(out, pool_dicts(report), args)
        elif args.json:
            write_json(out, dicts)
        elif args.csv:
            write_csv(out, dicts)
        else:
            write_table(out, dicts, args.width)
        out.flush()
    except BrokenPipeError:
        # `minewatch-report ... | head`: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0
