"""The per-host and per-pool records and what makes an alert a mining alert."""
import re

from .text import fmt_ts

MINING_CATEGORY = "Crypto Currency Mining Activity Detected"
SID_MIN, SID_MAX = 8100000, 8199999
PROTOCOL_VARIANTS = frozenset(("stratum1", "ethstratum", "ethproxy", "cryptonote", "getwork",
                               "gbt", "stratum2", "webminer"))
VERDICT_RANK = {"miner": 0, "likely-miner": 1, "authorised": 2, "none": 3}
VERDICTS = tuple(VERDICT_RANK)
LIST_CAP = 64             # entries kept per list and host; the rest is counted
SESSION_CAP = 1 << 16     # distinct flow ids remembered per pool (then counted without dedup)
DEFAULT_MAX_POOLS = 10000
LEARNED_CAP = 1 << 16     # DNS-learned addresses remembered for --learned-addresses
LINE_MAX = 1 << 20        # a longer "line" is not EVE (our lines are < 16 KiB): skipped
DEFAULT_MAX_HOSTS = 100000
NAME_RE = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")


# ---------------------------------------------------------------- per-host record
class CappedList:
    """Insertion-ordered distinct strings, at most LIST_CAP kept, the rest counted."""
    __slots__ = ("items", "more")

    def __init__(self):
        self.items = {}
        self.more = 0

    def add(self, v):
        if not isinstance(v, str) or not v or v in self.items:
            return
        if len(self.items) < LIST_CAP:
            self.items[v] = None
        else:
            self.more += 1

    def values(self):
        out = list(self.items)
        if self.more:
            out.append("(+%d more)" % self.more)
        return out


class Host:
    __slots__ = ("ip", "verdict", "verdict_ts", "score", "first", "last", "alerts", "sev",
                 "protocol_alert", "pools", "workers", "agents", "countries", "asns",
                 "variants", "sids", "repeats", "flows", "shares", "mining_s", "other")

    def __init__(self, ip):
        self.ip = ip
        self.verdict = None         # from host events only
        self.verdict_ts = None
        self.score = None
        self.first = self.last = None
        self.alerts = 0
        self.sev = {1: 0, 2: 0, 3: 0}
        self.protocol_alert = False
        self.pools = CappedList()
        self.workers = CappedList()
        self.agents = CappedList()
        self.countries = CappedList()
        self.asns = CappedList()
        self.variants = CappedList()
        self.sids = CappedList()
        self.repeats = 0
        self.flows = 0              # flow events of alerted flows
        self.shares = [0, 0, 0]     # submitted, accepted, rejected (flow events)
        self.mining_s = 0           # seconds of those flows
        self.other = 0              # other engines' coin-mining alerts (e.g. Suricata ET)

    def seen(self, t):
        if t is None:
            return
        if self.first is None or t < self.first:
            self.first = t
        if self.last is None or t > self.last:
            self.last = t

    def add_geo(self, country, asn, org):
        self.countries.add(country)
        if org:  # host events write a database's '|' as '/' (docs/eve.md): one spelling
            org = org.replace("|", "/")
        if asn:
            self.asns.add("AS%d %s" % (asn, org) if org else "AS%d" % asn)

    def final_verdict(self):
        if self.verdict:
            return self.verdict
        return "miner" if self.protocol_alert else "likely-miner"

    def as_dict(self):
        return {
            "host": self.ip,
            "verdict": self.final_verdict(),
            "verdict_source": "host-event" if self.verdict else "alerts",
            "score": self.score,
            "first_seen": fmt_ts(self.first),
            "last_seen": fmt_ts(self.last),
            "alerts": self.alerts,
            "alerts_by_severity": {str(k): v for k, v in self.sev.items()},
            "repeats": self.repeats,
            "pools": self.pools.values(),
            "workers": self.workers.values(),
            "agents": self.agents.values(),
            "countries": self.countries.values(),
            "as": self.asns.values(),
            "variants": self.variants.values(),
            "signature_ids": [int(s) for s in self.sids.items],
            "flows": self.flows,
            "shares_submitted": self.shares[0],
            "shares_accepted": self.shares[1],
            "shares_rejected": self.shares[2],
            "flow_seconds": self.mining_s,
            "other_engine_alerts": self.other,
        }


def _str(v):
    return v if isinstance(v, str) else None


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def is_ours(alert):
    sid = _int(alert.get("signature_id")) if isinstance(alert, dict) else None
    return sid is not None and SID_MIN <= sid <= SID_MAX


def is_mining_alert(alert):
    """Ours, or another engine's coin-mining alert in the same file: Suricata's ET
    COINMINER/POLICY rules (classtype coin-mining) carry the same category."""
    if not isinstance(alert, dict):
        return False
    return is_ours(alert) or alert.get("category") == MINING_CATEGORY


def other_pool(ev):
    """The pool name another engine's alert carries in Suricata's own objects."""
    for obj, key in (("tls", "sni"), ("http", "hostname"), ("dns", "rrname")):
        o = ev.get(obj)
        if isinstance(o, dict) and _str(o.get(key)):
            return o[key]
        if obj == "dns" and isinstance(o, dict) and isinstance(o.get("query"), list):
            for q in o["query"]:
                if isinstance(q, dict) and _str(q.get("rrname")):
                    return q["rrname"]
    return None


class Pool:
    """Per-pool record (--pools): hosts, time span, sessions, shares."""
    __slots__ = ("name", "hosts", "first", "last", "sessions", "shares", "alerts")

    def __init__(self, name):
        self.name = name
        self.hosts = CappedList()
        self.first = self.last = None
        self.sessions = set()       # flow ids (capped at SESSION_CAP, then counted)
        self.shares = 0
        self.alerts = 0
