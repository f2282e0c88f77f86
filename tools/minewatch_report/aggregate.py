"""Report: folds EVE events into per-host and per-pool records; host selection and order."""
import ipaddress
from datetime import datetime, timezone

from .records import (LEARNED_CAP, PROTOCOL_VARIANTS, SESSION_CAP, VERDICT_RANK, Host, Pool,
                      _int, _str, is_mining_alert, is_ours, other_pool)
from .text import parse_ts


# ---------------------------------------------------------------- aggregation
class Report:
    def __init__(self, args):
        self.args = args
        self.hosts = {}
        self.pools = {}
        self.learned = {}          # address -> listed name it was learned for (DNS answers)
        self.confirmed = {}        # address -> None: confirmed mining reached it
        self.changed = None        # follow mode: a list to note host changes in
        self.refused = 0
        self.lines = 0
        self.invalid = 0
        self.ignored = 0

    def _host(self, ip):
        h = self.hosts.get(ip)
        if h is None:
            if len(self.hosts) >= self.args.max_hosts:
                self.refused += 1
                return None
            h = self.hosts[ip] = Host(ip)
        return h

    def _in_window(self, t):
        if t is None:
            return self.args.since is None and self.args.until is None
        if self.args.since is not None and t < self.args.since:
            return False
        if self.args.until is not None and t >= self.args.until:
            return False
        return True

    def event(self, ev):
        if not isinstance(ev, dict):
            self.ignored += 1
            return
        et = ev.get("event_type")
        if et == "alert":
            self._alert(ev)
        elif et == "host":
            self._hostev(ev)
        elif et == "flow" and isinstance(ev.get("mining"), dict):
            self._flow(ev)
        else:
            self.ignored += 1

    def _pool(self, name, ev, t, ip):
        if not name or not self.args.pools:
            return
        p = self.pools.get(name)
        if p is None:
            if len(self.pools) >= self.args.max_hosts:
                self.refused += 1
                return
            p = self.pools[name] = Pool(name)
        if t is not None:
            p.first = t if p.first is None or t < p.first else p.first
            p.last = t if p.last is None or t > p.last else p.last
        p.hosts.add(ip)
        fid = ev.get("flow_id")
        if isinstance(fid, int) and (fid in p.sessions or len(p.sessions) < SESSION_CAP):
            p.sessions.add(fid)
        return p

    def _note(self, h, what):
        if self.changed is not None:
            self.changed.append((h, what))

    def _learn(self, ev, mining, variant, sev):
        """DNS answers for listed names teach addresses; confirmed mining sessions mark
        the addresses they reached (docs/rules.md, Exports)."""
        if not self.args.learned_addresses:
            return
        if variant == "dns":
            dns = ev.get("dns")
            name = _str(mining.get("pool_host"))
            for a in (dns.get("answers") or ()) if isinstance(dns, dict) else ():
                if (isinstance(a, dict) and a.get("rrtype") in ("A", "AAAA") and name
                        and isinstance(a.get("rdata"), str) and len(self.learned) < LEARNED_CAP):
                    self.learned.setdefault(a["rdata"], name)
        elif (variant in PROTOCOL_VARIANTS and mining.get("confirmed_by") in ("both", "pool")
              and _str(ev.get("dest_ip")) and len(self.confirmed) < LEARNED_CAP):
            self.confirmed[ev["dest_ip"]] = None

    def _flow(self, ev):
        """A flow event of an alerted flow: shares and duration, and what the session said
        after its alert (a worker logged in after subscribe is findable by --worker)."""
        ip = _str(ev.get("src_ip"))
        t = parse_ts(ev.get("timestamp"))
        if not ip or not self._in_window(t):
            return
        h = self.hosts.get(ip)
        if h is None:  # a flow event alone does not flag a host (its alert may be throttled)
            h = self._host(ip)
            if h is None:
                return
        mining, flow = ev["mining"], ev.get("flow")
        h.flows += 1
        got = [_int(mining.get(k)) or 0 for k in ("shares_submitted", "shares_accepted", "shares_rejected")]
        for i in range(3):
            h.shares[i] += got[i]
        if isinstance(flow, dict):
            h.mining_s += _int(flow.get("age")) or 0
        worker = _str(mining.get("worker"))
        if worker and worker not in h.workers.items:
            self._note(h, "worker " + worker)
        h.workers.add(worker)
        h.agents.add(_str(mining.get("agent")))
        # The flow's pool is the one its alert named: pool_host when the session told it,
        # else the pool record that already holds this flow (never the bare dest_ip, which
        # for a DNS flow is the resolver).
        pool = _str(mining.get("pool_host"))
        h.pools.add(pool)
        fid = ev.get("flow_id")
        p = self._pool(pool, ev, t, ip) if pool else next(
            (q for q in self.pools.values() if isinstance(fid, int) and fid in q.sessions), None)
        if p is not None:
            p.shares += got[1]
        if got[1] and _str(mining.get("variant")) in PROTOCOL_VARIANTS:
            h.protocol_alert = True  # accepted shares: the host mined (docs/analyst-guide.md)
        if got[1] and _str(mining.get("variant")) in PROTOCOL_VARIANTS and _str(ev.get("dest_ip")):
            if self.args.learned_addresses and len(self.confirmed) < LEARNED_CAP:
                self.confirmed[ev["dest_ip"]] = None

    def _alert(self, ev):
        alert = ev.get("alert")
        if not is_mining_alert(alert):
            self.ignored += 1
            return
        ip = _str(ev.get("src_ip"))
        t = parse_ts(ev.get("timestamp"))
        if not ip or not self._in_window(t):
            return
        new = ip not in self.hosts
        h = self._host(ip)
        if h is None:
            return
        h.seen(t)
        sid = _int(alert.get("signature_id"))
        if not is_ours(alert):
            # Another engine's coin-mining alert: counted and listed, but its protocol
            # claim is not ours to confirm, so it makes a host likely-miner at most.
            h.other += 1
            if sid is not None:
                h.sids.add(str(sid))
            pool = _str(other_pool(ev)) or _str(ev.get("dest_ip"))
            h.pools.add(pool)
            p = self._pool(pool, ev, t, ip)
            if p is not None:
                p.alerts += 1
            if new:
                self._note(h, "other engine: %s" % _str(alert.get("signature")))
            return
        h.alerts += 1
        sev = _int(alert.get("severity"))
        if sev in h.sev:
            h.sev[sev] += 1
        if sid is not None:
            h.sids.add(str(sid))
        mining = ev.get("mining")
        if not isinstance(mining, dict):
            mining = {}
        variant = _str(mining.get("variant"))
        h.variants.add(variant)
        before = h.final_verdict()
        if variant in PROTOCOL_VARIANTS and sev is not None and sev <= 2:
            h.protocol_alert = True
        pool = _str(mining.get("pool_host")) or _str(ev.get("dest_ip"))
        if new:
            self._note(h, "alert %s %s" % (variant or "?", pool or ""))
        elif h.final_verdict() != before:
            self._note(h, "now %s" % h.final_verdict())
        elif pool and pool not in h.pools.items:
            self._note(h, "pool " + pool)
        h.pools.add(pool)
        p = self._pool(pool, ev, t, ip)
        if p is not None:
            p.alerts += 1
        self._learn(ev, mining, variant, sev)
        h.workers.add(_str(mining.get("worker")))
        h.agents.add(_str(mining.get("agent")))
        rep = _int(mining.get("repeats"))
        if rep:
            h.repeats += rep
        # mining.geoip (minewatch); a top-level geoip as other engines and older logs write it
        geo = mining.get("geoip") if isinstance(mining.get("geoip"), dict) else ev.get("geoip")
        if isinstance(geo, dict):
            h.add_geo(_str(geo.get("country")), _int(geo.get("asn")), _str(geo.get("as_org")))

    def _hostev(self, ev):
        mh = ev.get("mining_host")
        if not isinstance(mh, dict):
            self.ignored += 1
            return
        ip = _str(ev.get("src_ip")) or _str(mh.get("ip"))
        t = parse_ts(ev.get("timestamp"))
        if not ip or not self._in_window(t):
            return
        h = self._host(ip)
        if h is None:
            return
        h.seen(t)
        for k in ("first_seen", "last_seen"):
            tk = parse_ts(mh.get(k))
            if tk is not None and self._in_window(tk):
                h.seen(tk)
        verdict = _str(mh.get("verdict"))
        # The latest verdict wins, by event time (rotated files may come in any order).
        if verdict and (h.verdict_ts is None or (t is not None and t >= h.verdict_ts)):
            if verdict != h.final_verdict() or h.verdict is None:
                self._note(h, "verdict " + verdict)
            h.verdict = verdict
            h.verdict_ts = t
            h.score = _int(mh.get("score"))
        for key, lst in (("pools", h.pools), ("workers", h.workers),
                         ("agents", h.agents), ("variants", h.variants)):
            vals = mh.get(key)
            if isinstance(vals, list):
                for v in vals:
                    lst.add(_str(v))
        # Pool geography (docs/eve.md): "POOL|IP|COUNTRY|CITY|ASN|AS_ORG" per pool, split
        # from the right because the pool name came from the wire; then the plain lists.
        for v in mh.get("pool_geoip") or ():
            parts = v.rsplit("|", 5) if isinstance(v, str) else []
            if len(parts) == 6:
                asn = int(parts[4]) if parts[4].isdigit() else None
                h.add_geo(parts[2], asn, parts[5])
        for v in mh.get("pool_countries") or ():
            h.countries.add(_str(v))
        geo = mh.get("geoip") if isinstance(mh.get("geoip"), dict) else ev.get("geoip")
        if isinstance(geo, dict):
            h.add_geo(_str(geo.get("country")), _int(geo.get("asn")), _str(geo.get("as_org")))
        known = {a.split(" ", 1)[0] for a in h.asns.items}
        for v in mh.get("pool_asns") or ():
            asn = _int(v)
            if asn and "AS%d" % asn not in known:
                h.add_geo(None, asn, None)

    # ------------------------------------------------------------ selection
    def selected(self):
        a = self.args
        out = []
        for h in self.hosts.values():
            if a.verdict and h.final_verdict() not in a.verdict:
                continue
            if a.host:
                try:
                    addr = ipaddress.ip_address(h.ip)
                except ValueError:
                    continue
                if not any(addr.version == n.version and addr in n for n in a.host):
                    continue
            if a.pool:
                pools = [p.lower().rstrip(".") for p in h.pools.items]
                if not any(p.endswith(s) for p in pools for s in a.pool):
                    continue
            if a.worker:
                if not any(w in x for x in h.workers.items for w in a.worker):
                    continue
            out.append(h)
        return sort_hosts(out, a.sort)


def _ip_key(ip):
    try:
        a = ipaddress.ip_address(ip)
        return (a.version, int(a), "")
    except ValueError:
        return (9, 0, ip)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def sort_hosts(hosts, key):
    if key == "host":
        return sorted(hosts, key=lambda h: _ip_key(h.ip))
    if key == "first":
        return sorted(hosts, key=lambda h: (h.first or _EPOCH, _ip_key(h.ip)))
    if key == "last":  # most recently active first
        return sorted(hosts, key=lambda h: (-(h.last or _EPOCH).timestamp(), _ip_key(h.ip)))
    if key == "alerts":
        return sorted(hosts, key=lambda h: (-h.alerts, _ip_key(h.ip)))
    return sorted(hosts, key=lambda h: (VERDICT_RANK.get(h.final_verdict(), 9),
                                        -h.alerts, _ip_key(h.ip)))
