#!/usr/bin/env python3
"""docs/siem.md's Elastic ingest pipeline, applied offline to the sensor's own EVE output.

An Elasticsearch is not available to the test suite, so a small interpreter runs the
processor types and options the pipeline may use (set with value/copy_from, rename,
convert, append; the options ES documents for them) and refuses anything else (a script,
a condition, an unknown option), so the pipeline cannot grow beyond what is checked here.
Documents are shaped as the Suricata integration leaves them for its @custom pipeline:
the EVE event under suricata.eve. The ECS fields that must come out are asserted for the
demo capture's alerts, host and flow events.
"""
import copy
import json
import os
import re
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("MW_BINARY_DIR", "")
MARK = "<!-- minewatch-ingest-pipeline"

OPTIONS = {
    "set": {"field", "value", "copy_from", "override", "ignore_empty_value", "ignore_failure", "tag",
            "description"},
    "rename": {"field", "target_field", "ignore_missing", "ignore_failure", "tag", "description"},
    "convert": {"field", "target_field", "type", "ignore_missing", "ignore_failure", "tag", "description"},
    "append": {"field", "value", "allow_duplicates", "ignore_failure", "tag", "description"},
}
MISSING = object()


class PipelineError(Exception):
    pass


def get(doc, path):
    for p in path.split("."):
        if not isinstance(doc, dict) or p not in doc:
            return MISSING
        doc = doc[p]
    return doc


def put(doc, path, value):
    *parents, last = path.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
        if not isinstance(doc, dict):
            raise PipelineError("cannot set %s: a parent is not an object" % path)
    doc[last] = value


def delete(doc, path):
    *parents, last = path.split(".")
    for p in parents:
        doc = doc[p]
    del doc[last]


def render(template, doc):
    """Mustache {{{field}}} / {{field}} as ES renders them (missing: empty string)."""
    def sub(m):
        v = get(doc, m.group(1).strip())
        return "" if v is MISSING or v is None else str(v)
    return re.sub(r"\{\{\{?([^{}]+)\}?\}\}", sub, template)


def convert(v, typ):
    if isinstance(v, list):
        return [convert(x, typ) for x in v]
    if typ in ("integer", "long"):
        return int(v)
    if typ in ("float", "double"):
        return float(v)
    if typ == "string":
        return str(v)
    if typ == "boolean":
        if str(v).lower() not in ("true", "false"):
            raise PipelineError("not a boolean: %r" % v)
        return str(v).lower() == "true"
    raise PipelineError("convert type %s not supported" % typ)


def apply(pipeline, doc):
    doc = copy.deepcopy(doc)
    for proc in pipeline["processors"]:
        (kind, o), = proc.items()
        if kind not in OPTIONS:
            raise PipelineError("processor %s is not interpreted offline" % kind)
        unknown = set(o) - OPTIONS[kind]
        if unknown:
            raise PipelineError("%s: options %s are not interpreted offline" % (kind, sorted(unknown)))
        try:
            run_one(kind, o, doc)
        except PipelineError:
            if not o.get("ignore_failure"):
                raise
    return doc


def run_one(kind, o, doc):
    f = o["field"]
    if kind == "set":
        if ("value" in o) == ("copy_from" in o):
            raise PipelineError("set needs exactly one of value and copy_from")
        if "copy_from" in o:
            v = get(doc, o["copy_from"])
            if v is MISSING:
                raise PipelineError("field [%s] not present" % o["copy_from"])
            v = copy.deepcopy(v)
        else:
            v = render(o["value"], doc) if isinstance(o["value"], str) else o["value"]
        if o.get("ignore_empty_value") and (v is None or v == ""):
            return
        if not o.get("override", True) and get(doc, f) not in (MISSING, None):
            return
        put(doc, f, v)
    elif kind == "rename":
        v = get(doc, f)
        if v is MISSING:
            if o.get("ignore_missing"):
                return
            raise PipelineError("field [%s] not present" % f)
        if get(doc, o["target_field"]) is not MISSING:
            raise PipelineError("field [%s] already exists" % o["target_field"])
        delete(doc, f)
        put(doc, o["target_field"], v)
    elif kind == "convert":
        v = get(doc, f)
        if v is MISSING or v is None:
            if o.get("ignore_missing"):
                return
            raise PipelineError("field [%s] not present" % f)
        try:
            put(doc, o.get("target_field", f), convert(v, o["type"]))
        except (ValueError, TypeError) as e:
            raise PipelineError(str(e))
    elif kind == "append":
        vals = o["value"] if isinstance(o["value"], list) else [o["value"]]
        vals = [render(x, doc) if isinstance(x, str) else x for x in vals]
        cur = get(doc, f)
        cur = [] if cur is MISSING else (cur if isinstance(cur, list) else [cur])
        for x in vals:
            if o.get("allow_duplicates", True) or x not in cur:
                cur.append(x)
        put(doc, f, cur)


def pipeline_from_docs():
    with open(os.path.join(SRC, "docs", "siem.md"), encoding="utf-8") as f:
        text = f.read()
    at = text.index(MARK)
    m = re.compile(r"```json\n(.*?)```", re.S).search(text, at)
    return json.loads(m.group(1))


class SiemPipeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pipeline = pipeline_from_docs()
        mw = os.path.join(BIN, "minewatch")
        if not os.access(mw, os.X_OK):
            raise AssertionError("MW_BINARY_DIR=%r has no minewatch (run under ctest)" % BIN)
        out = subprocess.run([mw, "-r", os.path.join(SRC, "tests", "pcap", "data", "demo.pcap"),
                              "--eve", "-"], capture_output=True, text=True, check=True).stdout
        cls.events = [json.loads(l) for l in out.splitlines()]
        cls.docs = [apply(cls.pipeline, {"suricata": {"eve": e}}) for e in cls.events]
        cls.tmp = tempfile.TemporaryDirectory()
        cls.work = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def find(self, event_type, pred):
        got = [d for d in self.docs if d["suricata"]["eve"]["event_type"] == event_type
               and pred(d["suricata"]["eve"])]
        self.assertTrue(got, "no %s event matches" % event_type)
        return got[0]

    def test_interpreter_refuses_what_it_does_not_run(self):
        for bad in ({"script": {"source": "ctx.x = 1"}},
                    {"set": {"field": "x", "value": 1, "if": "ctx.a != null"}},
                    {"rename": {"field": "a", "target_field": "b", "override": True}}):
            with self.assertRaises(PipelineError):
                apply({"processors": [bad]}, {"a": 1})

    def test_interpreter_semantics(self):
        d = apply({"processors": [
            {"set": {"field": "a.b", "value": "{{{x.y}}}!"}},
            {"set": {"field": "c", "copy_from": "x", "ignore_failure": True}},
            {"set": {"field": "d", "copy_from": "nope", "ignore_failure": True}},
            {"rename": {"field": "x.y", "target_field": "z"}},
            {"convert": {"field": "n", "type": "float"}},
            {"append": {"field": "l", "value": ["p", "p"], "allow_duplicates": False}}]},
            {"x": {"y": "v"}, "n": "3"})
        self.assertEqual(d, {"x": {}, "n": 3.0, "a": {"b": "v!"}, "c": {"y": "v"}, "z": "v", "l": ["p"]})

    def test_alerts_get_ecs_fields(self):
        dns = self.find("alert", lambda e: e["mining"]["variant"] == "dns")
        self.assertEqual(dns["destination"]["domain"], "xmr-eu1.nanopool.org")
        self.assertEqual(dns["related"]["hosts"], "xmr-eu1.nanopool.org")
        st = self.find("alert", lambda e: e["mining"]["variant"] == "stratum1")
        self.assertEqual(st["user_agent"]["original"], "cgminer/4.10.0")
        self.assertNotIn("destination", st)  # no pool name on the wire: nothing invented
        xmr = self.find("alert", lambda e: e["mining"]["variant"] == "cryptonote")
        self.assertTrue(xmr["user"]["name"].endswith(".demo"))
        for d in (dns, st, xmr):
            self.assertEqual(d["threat"], {"tactic": {"id": ["TA0040"], "name": ["Impact"]},
                                           "technique": {"id": ["T1496"], "name": ["Resource_Hijacking"]}})

    def test_host_events_get_ecs_fields(self):
        h = self.find("host", lambda e: e["mining_host"]["verdict"] == "miner" and e["src_ip"] == "10.20.8.83")
        self.assertEqual(h["related"]["hosts"], h["suricata"]["eve"]["mining_host"]["pools"])
        self.assertEqual(h["related"]["ip"], "10.20.8.83")
        self.assertIsInstance(h["event"]["risk_score"], float)
        self.assertNotIn("threat", h)

    def test_http_object_gets_ecs_fields(self):
        # Findings carried by HTTP (mwgen scenarios): Suricata's http object to ECS url.*,
        # http.* and user_agent.original (the miner software, when named, stays there).
        for scenario, method, ua in (("http-connect-proxy", "CONNECT", "cgminer/4.10.0"),
                                     ("getwork-http", "POST", "cgminer 2.7.2")):
            pcap = os.path.join(self.work, scenario + ".pcap")
            subprocess.run([os.path.join(BIN, "mwgen"), scenario, pcap], check=True, capture_output=True)
            out = subprocess.run([os.path.join(BIN, "minewatch"), "-r", pcap, "--eve", "-"],
                                 capture_output=True, text=True, check=True).stdout
            docs = [apply(self.pipeline, {"suricata": {"eve": json.loads(l)}}) for l in out.splitlines()]
            alerts = [d for d in docs if d["suricata"]["eve"]["event_type"] == "alert"
                      and "http" in d["suricata"]["eve"]]
            self.assertTrue(alerts, scenario)
            for d in alerts:
                h = d["suricata"]["eve"]["http"]
                self.assertEqual(d["url"]["domain"], h["hostname"])
                self.assertEqual(d["url"]["original"], h["url"])
                self.assertEqual(d["http"]["request"]["method"], method)
                self.assertEqual(d["user_agent"]["original"], ua)
            flows = [d for d in docs if d["suricata"]["eve"]["event_type"] == "flow"]
            self.assertTrue(flows, scenario)
            self.assertEqual(flows[0]["http"]["response"]["status_code"], 200)
        self.assertEqual(d["http"]["response"]["body"]["bytes"], 591)

    def test_flow_difficulty_stays_a_float(self):
        f = self.find("flow", lambda e: "difficulty" in e["mining"])
        self.assertIsInstance(f["suricata"]["eve"]["mining"]["difficulty"], float)


if __name__ == "__main__":
    unittest.main(verbosity=2)
