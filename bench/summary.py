"""Renders a benchmark report as Markdown tables and checks it against the targets."""

import json
import sys

SERVERS = ["exodus", "exodus_uncached", "postgraphile5", "postgraphile", "raw_sql"]


def render(report):
    c = report["compare"]
    s = report["settings"]
    lines = [f"## Side by side ({c['units']} units: {c['rows']['organization']} organizations, "
             f"{c['rows']['withdrawal']} withdrawals, {c['rows']['reaction']} reactions, "
             f"{c['rows']['pact']} pacts; {s['clients']} clients, {s['duration']} s each)", "",
             "| query | server | req/s | p50 ms | p99 ms | CPU ms/req (server + db) | bad |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, q in c["queries"].items():
        for server in SERVERS:
            if server in q:
                r = q[server]
                cpu = f"{r['cpu_ms_per_request']} ({r['server_cpu_ms_per_request']} + {r['db_cpu_ms_per_request']})"
                lines.append(f"| {name} | {server} | {r['throughput_rps']} | {r['p50_ms']} | "
                             f"{r['p99_ms']} | {cpu} | {r.get('bad_answers', 0) + r.get('socket_errors', 0)} |")
    lines += ["", "Ratios (Exodus with its response cache off, against each peer):", "",
              "| query | CPU / PostGraphile 5 | p99 / PostGraphile 5 | req/s / PostGraphile 5 | "
              "CPU / PostGraphile 4 | CPU / raw SQL | as shipped: req/s / PostGraphile 5 |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for name, q in c["queries"].items():
        r = q.get("ratios", {})
        cells = [r.get(f"exodus_uncached_{m}", "-") for m in
                 ["vs_postgraphile5_cpu", "vs_postgraphile5_p99", "vs_postgraphile5_throughput",
                  "vs_postgraphile_cpu", "vs_raw_sql_cpu"]]
        cells.append(r.get("exodus_vs_postgraphile5_throughput", "-"))
        lines.append(f"| {name} | " + " | ".join(str(x) for x in cells) + " |")
    lines += ["", f"Resident memory: Exodus idle {c.get('exodus_idle_rss_mib')} MiB, after the load "
                  f"{c.get('exodus_loaded_rss_mib')} MiB; PostGraphile 5 idle "
                  f"{c.get('postgraphile5_idle_rss_mib', '-')} MiB, PostGraphile 4 idle "
                  f"{c.get('postgraphile_idle_rss_mib', '-')} MiB (all their processes)."]
    if c.get("fanout"):
        lines += ["", "## Subscription fan-out (one change, every subscriber)", "",
                  "| subscribers | connected | failed | received | missed | p50 ms | p99 ms | max ms | "
                  "KiB/subscriber | MiB added |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for f in c["fanout"]:
            lines.append(f"| {f['subscribers']} | {f['connected']} | {f['failed_connections']} | "
                         f"{f['received']} | {f['missed']} | {f['latency_ms']['p50']} | "
                         f"{f['latency_ms']['p99']} | {f['latency_ms']['max']} | "
                         f"{f['rss_kib_per_subscriber']} | {f['rss_kib_added'] / 1024:.0f} |")
        lines += ["", "p99 of each run (median shown): " + "; ".join(
            f"{f['subscribers']}: {f.get('p99_ms_of_each_run')}" for f in c["fanout"]) +
            ". KiB per subscriber of each run: " + "; ".join(
            f"{f['subscribers']}: {f.get('rss_kib_per_subscriber_of_each_run')}" for f in c["fanout"]) + "."]
    if report.get("growth"):
        names = list(report["growth"][0]["queries"])
        lines += ["", "## Cost growth (Exodus without its response cache: p50 ms, req/s, CPU ms/req)", "",
                  "| units | withdrawals | reactions | " + " | ".join(names) + " |",
                  "|---:|---:|---:|" + "---:|" * len(names)]
        for g in report["growth"]:
            cells = [f"{g['queries'][n]['p50_ms']} ms, {g['queries'][n]['throughput_rps']}/s, "
                     f"{g['queries'][n]['cpu_ms_per_request']}" for n in names]
            lines.append(f"| {g['units']} | {g['rows']['withdrawal']} | {g['rows']['reaction']} | "
                         + " | ".join(cells) + " |")
    lines += ["", "## Targets (issues 6 and 17; one 2-core machine, one run)", ""]
    lines += [f"- {'PASS' if ok else 'MISS'}: {text}" for ok, text in targets(report)]
    return "\n".join(lines)


def targets(report):
    c = report["compare"]
    out = []
    page = c["queries"].get("page", {})
    r = page.get("ratios", {})
    for key, label in [("exodus", "as shipped"), ("exodus_uncached", "response cache off")]:
        if f"{key}_vs_postgraphile_throughput" in r:
            t, p = r[f"{key}_vs_postgraphile_throughput"], r[f"{key}_vs_postgraphile_p99"]
            out.append((t >= 2 and p <= 1, f"nested page ({label}) {t}x PostGraphile's throughput "
                                            f"(>= 2) at {p}x its p99 (<= 1)"))
        if f"{key}_vs_raw_sql_cpu" in r:
            v = r[f"{key}_vs_raw_sql_cpu"]
            out.append((v <= 1.5, f"nested page ({label}) costs {v}x the CPU of the raw SQL (<= 1.5)"))
        if key in page:
            p99 = page[key]["p99_ms"]
            out.append((p99 < 25, f"nested page ({label}) p99 {p99} ms at "
                                  f"{report['settings']['clients']} clients (< 25)"))
    # Issue 17: with the response cache off, against PostGraphile 5 and the raw SQL.
    for name, most in [("page", 0.5), ("filtered", 0.5), ("record", 0.5)]:
        r = c["queries"].get(name, {}).get("ratios", {})
        if "exodus_uncached_vs_postgraphile5_cpu" in r:
            v = r["exodus_uncached_vs_postgraphile5_cpu"]
            out.append((v <= most, f"{name} (cache off) costs {v}x PostGraphile 5's CPU per request (<= {most})"))
        if name == "page" and "exodus_uncached_vs_raw_sql_cpu" in r:
            v = r["exodus_uncached_vs_raw_sql_cpu"]
            out.append((v <= 2, f"page (cache off) costs {v}x the raw SQL's CPU (<= 2)"))
        if name == "page" and "exodus_uncached_vs_postgraphile5_p99" in r:
            v = r["exodus_uncached_vs_postgraphile5_p99"]
            out.append((v < 1, f"page (cache off) p99 is {v}x PostGraphile 5's (< 1)"))
    stats = c["queries"].get("stats", {}).get("exodus_uncached")
    if stats:
        out.append((stats["cpu_ms_per_request"] < 1, f"stats (cache off) at {c['units']} units: "
                    f"{stats['cpu_ms_per_request']} ms CPU per request (< 1)"))
    search = c["queries"].get("search", {}).get("exodus_uncached")
    if search:
        out.append((search["p99_ms"] < 50, f"search (cache off) at {c['units']} units: p99 "
                    f"{search['p99_ms']} ms (< 50)"))
    for g in report.get("growth", []):
        st = g["queries"].get("stats")
        if st:
            out.append((st["cpu_ms_per_request"] < 1, f"stats (cache off) at {g['units']} units: "
                        f"{st['cpu_ms_per_request']} ms CPU per request (< 1)"))
    for f in c.get("fanout", []):
        if f["subscribers"] >= 10000:
            ok = f["missed"] == 0 and f["failed_connections"] == 0 and f["latency_ms"]["p99"] < 500
            out.append((ok, f"{f['subscribers']} subscribers: p99 {f['latency_ms']['p99']} ms (< 500), "
                            f"{f['missed']} missed, {f['failed_connections']} failed"))
            # The limits are in MB (10^6 bytes): stricter than the same number in MiB.
            added_mb = f["rss_kib_added"] * 1024 / 1e6
            out.append((added_mb < 300, f"{f['subscribers']} idle subscribers add "
                                        f"{f['rss_kib_added'] / 1024:.0f} MiB = {added_mb:.0f} MB (< 300 MB)"))
    idle = c.get("exodus_idle_rss_mib")
    if idle is not None:
        idle_mb = idle * 1048576 / 1e6
        out.append((idle_mb < 50, f"idle server {idle} MiB = {idle_mb:.1f} MB resident (< 50 MB)"))
    if report.get("growth") and len(report["growth"]) > 1:
        first, last = report["growth"][0], report["growth"][-1]
        for name in ["page", "filtered", "record"]:
            if name in first["queries"]:
                ratio = last["queries"][name]["cpu_ms_per_request"] / max(first["queries"][name]["cpu_ms_per_request"], 1e-9)
                out.append((ratio < 1.5, f"{name} CPU per request at {last['units']} units is {ratio:.2f}x "
                                         f"that at {first['units']} (flat: < 1.5)"))
    return out


if __name__ == "__main__":
    print(render(json.load(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"))))
