#!/usr/bin/env python3
"""The report's figures for the fixture of report.inc, worked out without
loaxa: from the JSON lines with python's json, and the plan from the two
timetables written out here by hand (not by loaxa's scheduler). Then one
report output is checked against them; each check prints "ok NAME" or
"MISMATCH NAME: report X, expected Y", so the golden pins both.

usage: report_expect.py FORMAT REPORT FROM TO [--unverified-from SEQ] DIR...
  FORMAT  json | csv | text | html | logbook
  DIR     an airing log of report.inc (run 1 and 2, or only run 2)
"""
import csv
import datetime as dt
import html
import io
import json
import os
import re
import sys

D = dt.date


def day(ts):
    return D(int(ts[0:4]), int(ts[5:7]), int(ts[8:10]))


def minutes(ts):
    return int(ts[11:13]) * 60 + int(ts[14:16])


def plan(d, cfg):
    """(session, start minute, length minutes, period) of day d under config A or B."""
    if d == D(2026, 9, 2):
        return []  # exceptions: National Day is silent
    harvest = D(2026, 9, 1) <= d <= D(2026, 10, 31)
    scale = 1.5 if harvest else 1.0
    period = "harvest" if harvest else "normal"
    out = [("morning", 6 * 60, 15)]
    if cfg == "B":
        out.append(("trua", 12 * 60, 5))
    if d.weekday() != 6:
        out.append(("evening", 17 * 60 + 30, 15))
    if d.weekday() == 6 and (1 <= d.day <= 7 or 15 <= d.day <= 21):
        out.append(("market", 7 * 60 + 30, 10))
    if d.weekday() == 4 and ((d - D(2026, 1, 9)).days // 7) % 2 == 0:
        out.append(("review", 19 * 60, 10))
    return [(s, m, n * scale, period) for s, m, n in out]


def figures(log, lo, hi, unv_from):
    recs = []
    for name in sorted(os.listdir(log)):
        if name.endswith(".jsonl"):
            with open(os.path.join(log, name), encoding="utf-8") as f:
                recs += [json.loads(line) for line in f]
    f = {"airings": 0, "airtime_ms": 0, "missed": 0, "topic": {}, "period": {}, "month": {}, "em": 0,
         "em_ms": 0, "complete": 0, "interrupted": 0, "shas": set(), "unv_airings": 0, "unv_missed": 0,
         "misses": 0, "missed_recs": 0}
    sessions = {}  # (day, minute, session) -> aired complete
    for r in recs:
        if r["type"] not in ("airing", "missed"):
            continue
        when = r.get("start") if r["type"] == "airing" else r.get("scheduled")
        d = day(when)
        if not lo <= d <= hi:
            continue
        unv = unv_from is not None and r["seq"] >= unv_from
        emergency = r["session"] == "emergency"
        if r["type"] == "airing" and r["outcome"] in ("complete", "interrupted"):
            if emergency:
                f["em"] += 1
                f["em_ms"] += r["duration_ms"]
                continue
            f["airings"] += 1
            f["airtime_ms"] += r["duration_ms"]
            f[r["outcome"]] += 1
            f["shas"].add(r["sha256"])
            f["unv_airings"] += unv
            for k, v in (("topic", r["topic"]), ("period", r["period"]), ("month", when[:7])):
                c = f[k].setdefault(v, [0, 0])
                c[0] += 1
                c[1] += r["duration_ms"]
        else:
            f["misses"] += 1
            f["missed_recs"] += r["type"] == "missed"
            if emergency:
                continue
            if r["type"] == "airing" or r.get("bulletin"):
                f["missed"] += 1
                f["unv_missed"] += unv
        if not emergency and "slot" in r:
            k = (day(r["slot"]), minutes(r["slot"]), r["session"])
            sessions[k] = sessions.get(k, False) or (r["type"] == "airing" and r["outcome"] == "complete")
    # the plan: from the first config record to the last record, each day by the config in force
    configs = [(r["ts"], r["serial"]) for r in recs if r["type"] == "config"]
    first = configs[0][0]
    last = max(r["ts"] for r in recs)
    f["planned_sessions"] = f["aired_sessions"] = f["unaccounted"] = 0
    f["period_sessions"] = {}
    d = max(lo, day(first))
    while d <= min(hi, day(last)):
        cfg = "B" if any(day(ts) <= d and serial == 2026083101 for ts, serial in configs) else "A"
        for s, m, n, p in plan(d, cfg):
            start = "%sT%02d:%02d" % (d.isoformat(), m // 60, m % 60)
            end_min = m + n
            end = "%sT%02d:%02d:%02d" % (d.isoformat(), int(end_min) // 60, int(end_min) % 60,
                                         round((end_min % 1) * 60))
            k = (d, m, s)
            if k not in sessions and (start < first[:16] or end > last[:19]):
                continue
            f["planned_sessions"] += 1
            ps = f["period_sessions"].setdefault(p, [0, 0])
            ps[0] += 1
            if sessions.get(k):
                f["aired_sessions"] += 1
                ps[1] += 1
            elif k not in sessions:
                f["unaccounted"] += 1
        d += dt.timedelta(days=1)
    return f


def total(fs):
    t = {}
    for f in fs:
        for k, v in f.items():
            if isinstance(v, int):
                t[k] = t.get(k, 0) + v
            elif isinstance(v, set):
                t[k] = t.get(k, set()) | v
            else:
                d = t.setdefault(k, {})
                for kk, vv in v.items():
                    d[kk] = [a + b for a, b in zip(d.get(kk, [0, 0]), vv)]
    return t


def secs(ms):
    return (ms + 500) // 1000


def pct10(part, whole):
    return None if whole == 0 else (part * 2000 + whole) // (2 * whole)


def hm_vi(ms):
    m = (ms + 30000) // 60000
    return "%d giờ %02d phút" % (m // 60, m % 60)


def num_vi(n):
    return "{:,}".format(n).replace(",", ".")


class Check:
    def __init__(self):
        self.bad = 0

    def __call__(self, name, got, want):
        if got == want:
            print("ok", name)
        else:
            print("MISMATCH %s: report %r, expected %r" % (name, got, want))
            self.bad += 1


def check_json(text, f, check, unv_from):
    o = json.loads(text)
    check("airings", o["airings"], f["airings"])
    check("airtime_s", o["airtime_s"], secs(f["airtime_ms"]))
    check("bulletins", o["bulletins"], len(f["shas"]))
    check("missed", o["missed"], f["missed"])
    check("planned", o["planned"], f["airings"] + f["missed"])
    check("by_topic", {k: [v["airings"], v["airtime_s"]] for k, v in o["by_topic"].items() if v["airings"]},
          {k: [v[0], secs(v[1])] for k, v in f["topic"].items()})
    check("by_period", {k: [v["airings"], v["airtime_s"]] for k, v in o["by_period"].items() if v["airings"]},
          {k: [v[0], secs(v[1])] for k, v in f["period"].items()})
    check("by_month", {k: [v["airings"], v["airtime_s"]] for k, v in o["by_month"].items() if v["airings"]},
          {k: [v[0], secs(v[1])] for k, v in f["month"].items()})
    check("emergency", [o["emergency"]["airings"], o["emergency"]["airtime_s"]], [f["em"], secs(f["em_ms"])])
    check("sessions planned", o["sessions"]["planned"], f["planned_sessions"])
    check("sessions aired", o["sessions"]["aired"], f["aired_sessions"])
    check("sessions unaccounted", o["sessions"]["unaccounted"], f["unaccounted"])
    p = pct10(f["aired_sessions"], f["planned_sessions"])
    check("compliance_pct", o["sessions"]["compliance_pct"], None if p is None else p / 10)
    check("sessions by period", {k: [v["planned"], v["aired"]] for k, v in o["sessions_by_period"].items()
                                 if v["planned"]}, f["period_sessions"])
    if "sites" not in o:
        check("not_aired listed", len(o["not_aired"]), f["misses"])
        if unv_from is not None:
            u = o.get("unverified", {})
            check("unverified from", u.get("from_record"), unv_from)
            check("unverified airings", u.get("airings"), f["unv_airings"])
            check("unverified missed", u.get("missed"), f["unv_missed"])


def check_csv(text, f, check):
    check("BOM", text[0], "\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    site = rows[-1]["site"] if rows[-1]["site"] == "*" else rows[0]["site"]
    get = {(r["section"], r["key"]): r for r in rows if r["site"] == site}
    check("airings", int(get[("summary", "airings")]["airings"]), f["airings"])
    check("airtime_s", int(get[("summary", "airings")]["airtime_s"]), secs(f["airtime_ms"]))
    check("bulletins", int(get[("summary", "bulletins")]["value"]), len(f["shas"]))
    check("missed", int(get[("summary", "missed")]["value"]), f["missed"])
    check("sessions", [int(get[("summary", "sessions")]["sessions_planned"]),
                       int(get[("summary", "sessions")]["sessions_aired"])],
          [f["planned_sessions"], f["aired_sessions"]])
    check("by_topic", {r["key"]: [int(r["airings"]), int(r["airtime_s"])] for r in rows
                       if r["site"] == site and r["section"] == "topic" and r["airings"] != "0"},
          {k: [v[0], secs(v[1])] for k, v in f["topic"].items()})
    check("by_month", {r["key"]: [int(r["airings"]), int(r["airtime_s"])] for r in rows
                       if r["site"] == site and r["section"] == "month" and r["airings"] != "0"},
          {k: [v[0], secs(v[1])] for k, v in f["month"].items()})
    p = pct10(f["aired_sessions"], f["planned_sessions"])
    check("compliance_pct", get[("summary", "compliance_pct")]["value"], "%d.%d" % (p // 10, p % 10))


def check_text(text, f, check):
    def kv(label):
        m = re.search(r"^  %s +(.+)$" % re.escape(label), text, re.M)
        return m.group(1) if m else None
    check("Số lượt phát", kv("Số lượt phát"), num_vi(f["airings"]))
    check("Thời lượng phát", kv("Thời lượng phát"), hm_vi(f["airtime_ms"]))
    check("Số tin, bài đã phát", kv("Số tin, bài đã phát"), num_vi(len(f["shas"])))
    check("Số buổi phát theo kế hoạch", kv("Số buổi phát theo kế hoạch"), num_vi(f["planned_sessions"]))
    check("Số buổi đã phát", kv("Số buổi đã phát"), num_vi(f["aired_sessions"]))
    p = pct10(f["aired_sessions"], f["planned_sessions"])
    check("Tỷ lệ thực hiện", kv("Tỷ lệ thực hiện (buổi đã phát / kế hoạch)"), "%d,%d %%" % (p // 10, p % 10))
    check("Không phát", kv("Không phát (bỏ lỡ hoặc lỗi)"), num_vi(f["missed"]))


def check_html(text, f, check):
    cells = dict(re.findall(r"<tr(?: class=\"big\")?><th>([^<]+)</th><td class=\"n\">([^<]+)</td></tr>", text))
    cells = {html.unescape(k): html.unescape(v) for k, v in cells.items()}
    check("Số lượt phát", cells.get("Số lượt phát"), num_vi(f["airings"]))
    check("Thời lượng phát", cells.get("Thời lượng phát"), hm_vi(f["airtime_ms"]))
    check("Số buổi phát theo kế hoạch", cells.get("Số buổi phát theo kế hoạch"), num_vi(f["planned_sessions"]))
    check("Số buổi đã phát", cells.get("Số buổi đã phát"), num_vi(f["aired_sessions"]))
    check("no script, nothing fetched", re.findall(r"<script|src=|href=|@import|url\(", text), [])
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)" fill=', text)
    check("chart has bars", len(bars) > 0, True)


def check_logbook(text, f, check):
    rows = re.findall(r"^  (?:T[2-7]|CN) \d\d/\d\d/\d{4} .*$", text, re.M)
    aired = [r for r in rows if "trọn vẹn" in r or "bị ngắt" in r]
    aired = [r for r in aired if "[khẩn cấp]" not in r]
    check("log book airing lines", len(aired), f["airings"])
    check("log book not-aired lines", len([r for r in rows if "không phát" in r]), f["missed_recs"])
    weeks = [int(x) for x in re.findall(r"^  Cộng tuần: (\d+) lượt phát", text, re.M)]
    check("week totals add up", sum(weeks), f["airings"])


def main():
    fmt, report, lo, hi = sys.argv[1], sys.argv[2], D.fromisoformat(sys.argv[3]), D.fromisoformat(sys.argv[4])
    args = sys.argv[5:]
    unv_from = None
    if args[0] == "--unverified-from":
        unv_from = int(args[1])
        args = args[2:]
    fs = [figures(a, lo, hi, unv_from) for a in args]
    f = fs[0] if len(fs) == 1 else total(fs)
    with open(report, encoding="utf-8") as fp:
        text = fp.read()
    check = Check()
    {"json": lambda: check_json(text, f, check, unv_from), "csv": lambda: check_csv(text, f, check),
     "text": lambda: check_text(text, f, check), "html": lambda: check_html(text, f, check),
     "logbook": lambda: check_logbook(text, f, check)}[fmt]()
    sys.exit(1 if check.bad else 0)


main()
