"""Renders a benchmark report as Markdown tables and checks it against the targets."""

import json
import sys

TARGETS_NOTE = "targets from issue 6, on one 2-core machine"


def _q(entry, server, key):
    r = entry.get(server)
    return "-" if r is None else r[key]


def render(report):
    c = report["compare"]
    lines = [f"## Side by side ({c['units']} units: {c['rows']['withdrawal']} withdrawals, "
             f"{c['rows']['reaction']} reactions; {report['settings']['clients']} clients)", "",
             "| query | server | req/s | p50 ms | p99 ms | bad |", "|---|---|---:|---:|---:|---:|"]
    for name, q in c["queries"].items():
        for server in ["exodus", "postgraphile", "raw_sql"]:
            if server in q:
                r = q[server]
                lines.append(f"| {name} | {server} | {r['throughput_rps']} | {r['p50_ms']} | "
                             f"{r['p99_ms']} | {r.get('bad_answers', 0) + r.get('socket_errors', 0)} |")
    lines += ["", "| query | Exodus/PostGraphile req/s | Exodus/PostGraphile p99 | Exodus/raw SQL cost |",
              "|---|---:|---:|---:|"]
    for name, q in c["queries"].items():
        lines.append(f"| {name} | {q.get('exodus_vs_postgraphile_throughput', '-')} | "
                     f"{q.get('exodus_vs_postgraphile_p99', '-')} | {q.get('exodus_vs_raw_sql_cost', '-')} |")
    lines += ["", f"Exodus resident memory: idle {c.get('exodus_idle_rss_mib')} MiB, "
                  f"after the load {c.get('exodus_loaded_rss_mib')} MiB; PostGraphile idle "
                  f"{c.get('postgraphile_idle_rss_mib', '-')} MiB."]
    if c.get("fanout"):
        lines += ["", "## Subscription fan-out", "",
                  "| subscribers | connected | failed | received | missed | p50 ms | p99 ms | max ms | KiB/subscriber |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for f in c["fanout"]:
            lines.append(f"| {f['subscribers']} | {f['connected']} | {f['failed_connections']} | "
                         f"{f['received']} | {f['missed']} | {f['latency_ms']['p50']} | "
                         f"{f['latency_ms']['p99']} | {f['latency_ms']['max']} | "
                         f"{f['rss_kib_per_subscriber']} |")
    if report.get("growth"):
        names = list(report["growth"][0]["queries"])
        lines += ["", "## Cost growth (Exodus; p50 ms and req/s)", "",
                  "| units | withdrawals | reactions | " + " | ".join(names) + " |",
                  "|---:|---:|---:|" + "---:|" * len(names)]
        for g in report["growth"]:
            cells = [f"{g['queries'][n]['p50_ms']} ms, {g['queries'][n]['throughput_rps']}/s" for n in names]
            lines.append(f"| {g['units']} | {g['rows']['withdrawal']} | {g['rows']['reaction']} | "
                         + " | ".join(cells) + " |")
    lines += ["", f"## Targets ({TARGETS_NOTE})", ""]
    lines += [f"- {'PASS' if ok else 'MISS'}: {text}" for ok, text in targets(report)]
    return "\n".join(lines)


def targets(report):
    c = report["compare"]
    out = []
    page = c["queries"].get("page", {})
    if "postgraphile" in page:
        t, p = page["exodus_vs_postgraphile_throughput"], page["exodus_vs_postgraphile_p99"]
        out.append((t >= 2 and p <= 1, f"nested page {t}x PostGraphile's throughput (>= 2), p99 ratio {p} (<= 1)"))
    if "raw_sql" in page:
        r = page["exodus_vs_raw_sql_cost"]
        out.append((r <= 1.5, f"nested page costs {r}x the raw SQL (<= 1.5)"))
    if "exodus" in page:
        p99 = page["exodus"]["p99_ms"]
        out.append((p99 < 25, f"nested page p99 {p99} ms at {report['settings']['clients']} clients (< 25)"))
    for f in c.get("fanout", []):
        if f["subscribers"] >= 10000:
            ok = f["missed"] == 0 and f["failed_connections"] == 0 and f["latency_ms"]["p99"] < 500
            out.append((ok, f"{f['subscribers']} subscribers: p99 {f['latency_ms']['p99']} ms (< 500), "
                            f"{f['missed']} missed, {f['failed_connections']} failed"))
            extra = f["rss_kib_added"] / 1024
            out.append((extra < 300, f"{f['subscribers']} idle subscribers add {extra:.0f} MiB (< 300)"))
    idle = c.get("exodus_idle_rss_mib")
    if idle is not None:
        out.append((idle < 50, f"idle server {idle} MiB resident (< 50)"))
    if report.get("growth") and len(report["growth"]) > 1:
        first, last = report["growth"][0], report["growth"][-1]
        for name in ["page", "filtered", "record"]:
            if name in first["queries"]:
                ratio = last["queries"][name]["p50_ms"] / first["queries"][name]["p50_ms"]
                out.append((ratio < 1.5, f"{name} p50 at {last['units']} units is {ratio:.2f}x that at "
                                         f"{first['units']} (flat: < 1.5)"))
    return out


if __name__ == "__main__":
    print(render(json.load(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"))))
