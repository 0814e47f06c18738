#!/usr/bin/env python3
"""SQL statements an anonymous `changes(after: <head>, first: 1)` costs over N draft revisions.

The visibility review measured 4,021 statements over 2,010 draft revisions (issue 13). This
reproduces it against any exodus binary: a fresh SQLite database, the shipped dataset, one
draft organization edited N-1 times, then the anonymous query, counted by
exodus_db_statements_total (the least of three runs).

    python3 bench/feed_cost.py target/debug/exodus [N]
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 2010
PORT = 18931
URL = f"http://127.0.0.1:{PORT}"


def post(query, variables=None, token=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(URL + "/graphql", body, {"content-type": "application/json"})
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        answer = json.load(r)
    if answer.get("errors"):
        raise SystemExit(f"errors: {answer['errors']}")
    return answer["data"]


def statements():
    with urllib.request.urlopen(URL + "/metrics") as r:
        for line in r.read().decode().splitlines():
            if line.startswith("exodus_db_statements_total "):
                return int(float(line.split()[1]))
    raise SystemExit("no exodus_db_statements_total in /metrics")


def main():
    work = tempfile.mkdtemp()
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite://{work}/feed.db?mode=rwc",
        EXODUS_LISTEN=f"127.0.0.1:{PORT}",
        EXODUS_JWT_SECRET="feed-cost-secret-feed-cost-secret-0123",
        EXODUS_RATE_LIMIT_ANONYMOUS="1000000",
        EXODUS_RATE_LIMIT_EDITOR="1000000",
        EXODUS_EDITOR_PASSWORD="feed cost password 1",
        EXODUS_LOG="warn",
        EXODUS_RESPONSE_CACHE_MB="0",
    )
    subprocess.run([BINARY, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BINARY, "seed"], env=env, check=True, capture_output=True)
    subprocess.run([BINARY, "editor", "add", "--email", "cost@example.org", "--name", "Cost"],
                   env=env, check=True, capture_output=True)
    token = subprocess.run([BINARY, "token", "--email", "cost@example.org"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip().split()[-1]
    server = subprocess.Popen([BINARY, "serve"], env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(URL + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        # The public head: the last event of the public feed.
        after = None
        while True:
            page = post("query($a: String) { changes(after: $a, first: 100) { edges { cursor } pageInfo { hasNextPage } } }",
                        {"a": after})["changes"]
            if page["edges"]:
                after = page["edges"][-1]["cursor"]
            if not page["pageInfo"]["hasNextPage"]:
                break
        org = {"slug": "feed-cost-draft", "name": "Draft", "kind": "OTHER",
               "digitalRelevance": "NONE", "description": "Edit 0."}
        draft = post("mutation($i: OrganizationInput!) { createOrganization(input: $i) { id } }",
                     {"i": org}, token)["createOrganization"]["id"]
        for v in range(1, N):
            org["description"] = f"Edit {v}."
            post("mutation($id: ID!, $v: Int!, $i: OrganizationInput!) { updateOrganization(id: $id, expectedVersion: $v, input: $i) { version } }",
                 {"id": draft, "v": v, "i": org}, token)
        costs = []
        for _ in range(3):
            before = statements()
            page = post("query($a: String) { changes(after: $a, first: 1) { edges { cursor } } }", {"a": after})
            assert page["changes"]["edges"] == [], page
            costs.append(statements() - before)
        print(json.dumps({"binary": BINARY, "draft_revisions": N, "statements": min(costs), "runs": costs}))
    finally:
        server.terminate()
        server.wait()


main()
