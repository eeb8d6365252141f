#!/usr/bin/env python3
"""Driver for bench/scaleout.sh: three Portero processes behind nginx.

Checks that the processes behave as one service (sessions, logout,
deactivation, login throttling), then runs a bounded load through the proxy,
kills one process with SIGKILL in the middle, and reports what the clients
saw. Standard library only. Prints a JSON summary on the last line.
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import sys
import threading
import time

PASSWORD = "demo-password"


class Client:
    """One user agent: its own cookie, one connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookie = None

    def request(self, method, path, body=None, port=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=30)
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(body)
        if self.cookie:
            headers["Cookie"] = self.cookie
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("portero_session="):
                    pair = value.split(";", 1)[0]
                    self.cookie = None if pair == "portero_session=" else pair
            try:
                payload = json.loads(data) if data else None
            except ValueError:
                payload = None
            return response.status, payload
        finally:
            conn.close()


FAILURES = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f" ({detail})" if detail else ""), flush=True)
    if not ok:
        FAILURES.append(what)


def one_service_checks(ports, admin_password):
    """Sessions, logout, deactivation and throttling across the processes."""
    a, b, c = ports
    user = Client(a)
    status, _ = user.request("POST", "/api/auth/login", {"login": "user0000001", "password": PASSWORD})
    check("login through process A", status == 200, status)
    seen = [user.request("GET", "/api/me", port=p)[0] for p in (a, b, c)]
    check("a session made on A works on A, B and C", seen == [200, 200, 200], seen)
    cookie = user.cookie
    status, _ = user.request("POST", "/api/auth/logout", port=b)
    check("logout through B", status == 204, status)
    user.cookie = cookie
    seen = [user.request("GET", "/api/me", port=p)[0] for p in (a, c)]
    check("the logout on B is seen by A and C on the next request", seen == [401, 401], seen)

    victim = Client(a)
    status, me = victim.request("POST", "/api/auth/login", {"login": "user0000002", "password": PASSWORD})
    victim_id = me["id"] if status == 200 else None
    check("a second user logs in through A", status == 200, status)
    admin = Client(c)
    status, _ = admin.request("POST", "/api/auth/login", {"login": "admin", "password": admin_password})
    check("the administrator logs in through C", status == 200, status)
    status, _ = admin.request("PATCH", f"/api/users/{victim_id}", {"is_active": False})
    check("the administrator deactivates that user through C", status == 200, status)
    seen = [victim.request("GET", "/api/me", port=p)[0] for p in (b, a)]
    check("the deactivation on C ends the session on B and A", seen == [401, 401], seen)

    wrong = [
        Client(p).request("POST", "/api/auth/login", {"login": "user0000003", "password": "wrong password"})[0]
        for p in (a, b, c, a, b)
    ]
    check("five wrong passwords, spread over A, B, C, A, B", wrong == [401] * 5, wrong)
    status, _ = Client(c).request("POST", "/api/auth/login", {"login": "user0000003", "password": PASSWORD})
    check("the per-account limit counts them all: the right password on C gets 429", status == 429, status)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (start, end, kind, status)
        self.sales = []  # (sale id, [(product id, quantity)])

    def add(self, start, kind, status):
        with self.lock:
            self.rows.append((start, time.monotonic(), kind, status))


def worker(proxy_port, username, products, deadline, recorder, rng):
    client = Client(proxy_port)

    def call(kind, method, path, body=None):
        start = time.monotonic()
        try:
            status, payload = client.request(method, path, body)
        except OSError:
            status, payload = 599, None  # the proxy itself failed us
        recorder.add(start, kind, status)
        return status, payload

    while time.monotonic() < deadline:
        status, _ = call("login", "POST", "/api/auth/login", {"login": username, "password": PASSWORD})
        if status != 200:
            time.sleep(0.05)
            continue
        for _ in range(rng.randint(2, 6)):
            if time.monotonic() >= deadline:
                break
            if rng.random() < 0.5:
                call("me", "GET", "/api/me")
            else:
                product, quantity = rng.choice(products), rng.randint(1, 3)
                status, sale = call(
                    "buy", "POST", "/api/sales", {"items": [{"product_id": product, "quantity": quantity}]}
                )
                if status == 201:
                    with recorder.lock:
                        recorder.sales.append((sale["id"], [(i["product_id"], i["quantity"]) for i in sale["items"]]))
        if rng.random() < 0.3:
            call("logout", "POST", "/api/auth/logout")


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy-port", type=int, required=True)
    parser.add_argument("--ports", type=int, nargs=3, required=True)
    parser.add_argument("--victim-pid", type=int, required=True)
    parser.add_argument("--products", type=int, nargs="+", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kill-at", type=float, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    one_service_checks(args.ports, args.admin_password)

    recorder = Recorder()
    started = time.monotonic()
    deadline = started + args.seconds
    # Users 1-3 were used (and one deactivated) by the checks above.
    names = [f"user{n:07d}" for n in range(4, 4 + args.users)]
    threads = [
        threading.Thread(
            target=worker,
            args=(args.proxy_port, names[i % len(names)], args.products, deadline, recorder, random.Random(i)),
            daemon=True,
        )
        for i in range(args.workers)
    ]
    for thread in threads:
        thread.start()
    time.sleep(args.kill_at)
    killed_at = time.monotonic()
    os.kill(args.victim_pid, signal.SIGKILL)
    print(f"killed process {args.victim_pid} (SIGKILL) at t={killed_at - started:.1f}s", flush=True)
    for thread in threads:
        thread.join(timeout=args.seconds + 60)

    rows = recorder.rows
    failed = [r for r in rows if r[3] >= 500]
    before = [r for r in rows if r[0] < killed_at]
    after = [r for r in rows if r[0] >= killed_at]
    # A request in flight at the kill started before it and ended after it.
    in_flight = [r for r in rows if r[0] < killed_at <= r[1]]  # on any process
    ended_after = [r for r in rows if r[1] >= killed_at]
    failed_after_kill = [r for r in failed if r[1] >= killed_at]
    last_failure = max((r[1] for r in failed_after_kill), default=None)
    elapsed = max(r[1] for r in rows) - started if rows else 0.0
    kinds = {}
    for r in rows:
        kinds.setdefault(r[2], []).append((r[1] - r[0]) * 1000)
    summary = {
        "requests": len(rows),
        "seconds": round(elapsed, 1),
        "throughput_rps": round(len(rows) / elapsed, 1) if elapsed else 0,
        "by_kind": {
            kind: {
                "count": len(ms),
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(percentile(ms, 0.95), 1),
            }
            for kind, ms in sorted(kinds.items())
        },
        "statuses": {str(s): sum(1 for r in rows if r[3] == s) for s in sorted({r[3] for r in rows})},
        "failed_before_kill": len([r for r in failed if r[1] < killed_at]),
        "in_flight_at_kill": len(in_flight),
        "failed_in_flight_at_kill": len([r for r in failed if r[0] < killed_at <= r[1]]),
        "failed_sent_after_kill": len([r for r in failed if r[0] >= killed_at]),
        "failed_after_kill": len(failed_after_kill),
        "error_rate_after_kill": round(len(failed_after_kill) / len(ended_after), 4) if ended_after else 0,
        "last_failure_after_kill_s": round(last_failure - killed_at, 2) if last_failure else None,
        "acknowledged_sales": len(recorder.sales),
        "acknowledged_units": {},
    }
    for _, items in recorder.sales:
        for product, quantity in items:
            key = str(product)
            summary["acknowledged_units"][key] = summary["acknowledged_units"].get(key, 0) + quantity
    with open(args.out, "w") as out:
        json.dump({"summary": summary, "sale_ids": [s for s, _ in recorder.sales], "failed": failed}, out)
    print(json.dumps(summary), flush=True)
    print(
        f"load: {summary['requests']} requests in {summary['seconds']} s "
        f"({summary['throughput_rps']} req/s) by {args.workers} clients through nginx"
    )
    for kind, figures in summary["by_kind"].items():
        print(f"  {kind:<7} {figures['count']:>5}  p50 {figures['p50_ms']:>6} ms  p95 {figures['p95_ms']:>6} ms")
    print(
        f"kill -9 at {args.kill_at:.0f} s: {summary['failed_after_kill']} requests failed "
        f"({summary['error_rate_after_kill'] * 100:.2f} % of the {len(ended_after)} answered after it): "
        f"{summary['failed_in_flight_at_kill']} in flight at the kill, "
        f"{summary['failed_sent_after_kill']} of the {len(after)} sent after it; "
        f"last failure {summary['last_failure_after_kill_s']} s after the kill; "
        f"{summary['failed_before_kill']} failed before it"
    )
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
