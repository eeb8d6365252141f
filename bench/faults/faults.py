#!/usr/bin/env python3
"""Portero's fault suite (issue 13): a real process, loopback only, bounded.

  python3 bench/faults/faults.py BINARY --db sqlite|postgres [--pg-url URL]

Scenarios (each stops by itself; the figures go to stdout as one JSON line
per scenario, prefixed "FIGURES"):

  sigterm  ROUNDS rounds: WORKERS buyers purchase on keep-alive connections;
           SIGTERM mid-load. Checks: no 5xx at all; every acknowledged sale
           is in the database; every sale in the database was acknowledged
           or its client saw the connection drop (never a 5xx).
  kill9    ROUNDS rounds: buyers purchase with an Idempotency-Key each;
           SIGKILL mid-load; the server is restarted and every purchase
           whose answer was lost is retried with its key. Checks: one sale
           per key, the stock matches, every sale has its sale_create event.
  slow     SLOW_CONNECTIONS (1,100) clients each send one header byte every
           2 s (reconnecting whenever the server closes them) for
           SLOW_SECONDS, against a server started at an open-file soft limit
           of 1,024; meanwhile GET /healthz and GET /api/me are timed on
           fresh connections. Checks: both p99 under 100 ms, every probe
           answered, the slow connections are closed (header-read timeout).
  outage   A throw-away PostgreSQL cluster this script starts (initdb in a
           temporary folder, its own port; never the shared one). Portero
           is started while it is down: /healthz 200 and /readyz 503 with
           Retry-After until it comes up, then ready without a restart.
           Then 4 buyers under light load; the cluster is stopped for
           OUTAGE_SECONDS (20) and started again. Checks: no 5xx but 503,
           every 503 has Retry-After and came within 2.5 s, the first
           success comes < 1 s after the cluster is back.

Exit status 1 when a check fails.
"""

import argparse
import glob
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

PASSWORD = "fault-suite-password"
FAILURES = []


def check(what, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}{': ' + str(detail) if detail and not ok else ''}")
    if not ok:
        FAILURES.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Db:
    """The database under test: a fresh SQLite file or PostgreSQL database."""

    def __init__(self, kind, pg_url, work):
        self.kind = kind
        self.pg_url = pg_url
        if kind == "sqlite":
            self.path = os.path.join(work, f"faults-{uuid.uuid4().hex[:8]}.db")
            self.url = f"sqlite://{self.path}"
        else:
            self.name = f"portero_faults_{uuid.uuid4().hex[:8]}"
            subprocess.run(["psql", pg_url, "-qc", f"CREATE DATABASE {self.name}"], check=True)
            base = pg_url.rsplit("/", 1)[0]
            self.url = f"{base}/{self.name}"

    def scalar(self, sql):
        if self.kind == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return conn.execute(sql).fetchone()[0]
        out = subprocess.run(["psql", self.url, "-Atqc", sql], check=True, capture_output=True, text=True)
        return int(out.stdout.strip() or 0)

    def column(self, sql):
        if self.kind == "sqlite":
            with sqlite3.connect(self.path) as conn:
                return [row[0] for row in conn.execute(sql)]
        out = subprocess.run(["psql", self.url, "-Atqc", sql], check=True, capture_output=True, text=True)
        return [int(line) for line in out.stdout.split()]

    def drop(self):
        if self.kind == "postgres":
            subprocess.run(["psql", self.pg_url, "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"],
                           capture_output=True)


class Server:
    def __init__(self, binary, db, work, grace=5, soft_files=None, extra_env=None):
        self.binary, self.db, self.work, self.grace = binary, db, work, grace
        self.soft_files, self.extra_env = soft_files, extra_env or {}
        self.port = free_port()
        self.proc = None

    def env(self):
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.db.url,
            "ROCKET_PORT": str(self.port),
            "ROCKET_ADDRESS": "127.0.0.1",
            "ROCKET_ARGON2_MEMORY_KIB": "1024",
            "ROCKET_ARGON2_ITERATIONS": "1",
            "ROCKET_SECRET_KEY": "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=",
            "ROCKET_SHUTDOWN": f"{{grace={self.grace},mercy=2}}",
            "ROCKET_LOG_LEVEL": "critical",
            "RUST_LOG": "warn",
        })
        env.update(self.extra_env)
        return env

    def limit_files(self):
        if self.soft_files:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.soft_files, hard))

    def start(self):
        log = open(os.path.join(self.work, "server.log"), "ab")
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env(), stdout=log, stderr=log,
                                     cwd=self.work, preexec_fn=self.limit_files)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = request(self.port, "GET", "/readyz")
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("portero exited at start; see server.log")
            time.sleep(0.1)
        raise SystemExit("portero did not become ready")

    def cli(self, *args, env=None):
        full = self.env()
        full.update(env or {})
        subprocess.run([self.binary, *args], env=full, check=True, capture_output=True, cwd=self.work)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=30):
        return self.proc.wait(timeout=timeout)


def request(port, method, path, body=None, cookie=None, headers=None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = dict(headers or {})
    if body is not None:
        sent["Content-Type"] = "application/json"
        body = json.dumps(body)
    if cookie:
        sent["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        try:
            payload = json.loads(data) if data else None
        except ValueError:
            payload = None
        if method == "POST" and path == "/api/auth/login":
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("portero_session="):
                    payload = {"cookie": value.split(";", 1)[0]}
        return response.status, payload
    finally:
        if own:
            conn.close()


def setup_shop(server, buyers):
    """An administrator, one product with plenty of stock, `buyers` users; returns cookies."""
    server.cli("create-admin", "--username", "keeper", "--email", "keeper@example.com",
               env={"PORTERO_ADMIN_PASSWORD": PASSWORD})
    _, admin = request(server.port, "POST", "/api/auth/login", {"login": "keeper", "password": PASSWORD})
    admin_cookie = admin["cookie"]
    status, product = request(server.port, "POST", "/api/products",
                              {"sku": "FAULT-1", "name": "Fault", "price_cents": 100, "stock": 1_000_000},
                              cookie=admin_cookie)
    assert status == 201, (status, product)
    cookies = []
    for i in range(buyers):
        name = f"buyer{i:03d}"
        status, body = request(server.port, "POST", "/api/auth/signup", {
            "username": name, "email": f"{name}@example.com", "password": PASSWORD,
            "first_name": "B", "last_name": "Uyer"})
        assert status == 201, (status, body)
        _, login = request(server.port, "POST", "/api/auth/login", {"login": name, "password": PASSWORD})
        cookies.append(login["cookie"])
    return product["id"], cookies


class Outcomes:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []          # sale ids answered 201
        self.statuses = {}       # status -> count
        self.dropped = 0         # connection errors (no answer)
        self.lost_keys = []      # (cookie, key) whose answer never came
        self.latencies = []

    def add(self, status, sale_id=None, latency=None):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 201 and sale_id is not None:
                self.acked.append(sale_id)
            if latency is not None:
                self.latencies.append(latency)


def buyer_loop(port, cookie, product, stop, outcomes, with_keys):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        key = uuid.uuid4().hex if with_keys else None
        headers = {"Idempotency-Key": key} if key else None
        started = time.time()
        try:
            status, body = request(port, "POST", "/api/sales", {"items": [{"product_id": product, "quantity": 1}]},
                                   cookie=cookie, headers=headers, conn=conn)
            outcomes.add(status, (body or {}).get("id"), time.time() - started)
        except (OSError, http.client.HTTPException):
            with outcomes.lock:
                outcomes.dropped += 1
                if key:
                    outcomes.lost_keys.append((cookie, key))
            conn.close()
            # A new connection: refused once the server has gone.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.05)


def run_load(server, product, cookies, signal_at, sig, with_keys):
    outcomes, stop = Outcomes(), threading.Event()
    threads = [threading.Thread(target=buyer_loop, args=(server.port, c, product, stop, outcomes, with_keys))
               for c in cookies]
    for t in threads:
        t.start()
    time.sleep(signal_at)
    signalled = time.time()
    server.signal(sig)
    server.wait(timeout=30)
    exited = time.time() - signalled
    stop.set()
    for t in threads:
        t.join(timeout=40)
    return outcomes, exited


def sigterm(args, work):
    print(f"sigterm on {args.db}: {args.rounds} rounds, {args.workers} buyers")
    figures = {"scenario": "sigterm", "db": args.db, "rounds": []}
    for round_ in range(args.rounds):
        db = Db(args.db, args.pg_url, work)
        try:
            server = Server(args.binary, db, work)
            server.start()
            product, cookies = setup_shop(server, args.workers)
            outcomes, exited = run_load(server, product, cookies, args.signal_at, signal.SIGTERM, False)
            five = sum(n for s, n in outcomes.statuses.items() if s >= 500)
            stored = set(db.column("SELECT id FROM sales"))
            acked = set(outcomes.acked)
            unacked = stored - acked
            check(f"round {round_ + 1}: no 5xx ({outcomes.statuses})", five == 0)
            check(f"round {round_ + 1}: every acknowledged sale stored", acked <= stored, acked - stored)
            check(f"round {round_ + 1}: every unacknowledged sale met a dropped connection",
                  len(unacked) <= outcomes.dropped, (len(unacked), outcomes.dropped))
            figures["rounds"].append({"answered": sum(outcomes.statuses.values()), "statuses": outcomes.statuses,
                                      "connection_errors": outcomes.dropped, "stored": len(stored),
                                      "unacknowledged_stored": len(unacked), "exit_seconds": round(exited, 2)})
        finally:
            db.drop()
    print("FIGURES " + json.dumps(figures))


def kill9(args, work):
    print(f"kill9 on {args.db}: {args.rounds} rounds, {args.workers} buyers, retries with Idempotency-Key")
    figures = {"scenario": "kill9", "db": args.db, "rounds": []}
    for round_ in range(args.rounds):
        db = Db(args.db, args.pg_url, work)
        try:
            server = Server(args.binary, db, work)
            server.start()
            product, cookies = setup_shop(server, args.workers)
            outcomes, _ = run_load(server, product, cookies, args.signal_at, signal.SIGKILL, True)
            server.start()
            retried, replayed = 0, 0
            for cookie, key in outcomes.lost_keys:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                status, body = request(server.port, "POST", "/api/sales",
                                       {"items": [{"product_id": product, "quantity": 1}]},
                                       cookie=cookie, headers={"Idempotency-Key": key}, conn=conn)
                conn.close()
                retried += 1
                check_ok = status == 201
                if not check_ok:
                    check(f"round {round_ + 1}: retry answered 201", False, (status, body))
                if status == 201:
                    outcomes.acked.append(body["id"])
            replayed = db.scalar("SELECT COUNT(*) FROM idempotency_keys") - len(set(outcomes.acked))
            server.signal(signal.SIGTERM)
            server.wait()
            sales = db.scalar("SELECT COUNT(*) FROM sales")
            sold = 1_000_000 - db.scalar(f"SELECT stock FROM products WHERE id = {product}")
            keys = db.scalar("SELECT COUNT(*) FROM idempotency_keys")
            orphans = db.scalar(
                "SELECT COUNT(*) FROM sales s WHERE NOT EXISTS (SELECT 1 FROM audit_events a "
                "WHERE a.action = 'sale_create' AND a.target = 'sale:' || s.id)")
            check(f"round {round_ + 1}: one sale per key ({sales} sales, {keys} keys)", sales == keys)
            check(f"round {round_ + 1}: every retried key answered", len(set(outcomes.acked)) == sales,
                  (len(set(outcomes.acked)), sales))
            check(f"round {round_ + 1}: stock matches the sales", sold == sales, (sold, sales))
            check(f"round {round_ + 1}: every sale has its audit event", orphans == 0, orphans)
            figures["rounds"].append({"sales": sales, "lost_answers": len(outcomes.lost_keys), "retried": retried,
                                      "orphans": orphans})
        finally:
            db.drop()
    print("FIGURES " + json.dumps(figures))


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def open_files(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def slow(args, work):
    count, seconds = args.slow_connections, args.slow_seconds
    print(f"slow on {args.db}: {count} clients sending a header byte every 2 s for {seconds} s, "
          f"server soft limit 1024")
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    db = Db(args.db, args.pg_url, work)
    server = Server(args.binary, db, work, soft_files=1024,
                    extra_env={"ROCKET_HEADER_READ_TIMEOUT": str(args.header_timeout)})
    try:
        server.start()
        server.cli("create-admin", "--username", "keeper", "--email", "keeper@example.com",
                   env={"PORTERO_ADMIN_PASSWORD": PASSWORD})
        _, login = request(server.port, "POST", "/api/auth/login", {"login": "keeper", "password": PASSWORD})
        cookie = login["cookie"]
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
        stop = threading.Event()
        stats = {"connects": 0, "closed_by_server": 0, "connect_errors": 0, "max_fds": 0}

        def connect():
            sock = socket.socket()
            sock.settimeout(5)
            try:
                sock.connect(("127.0.0.1", server.port))
            except OSError:
                stats["connect_errors"] += 1
                sock.close()
                return None
            sock.setblocking(False)
            stats["connects"] += 1
            return [sock, 0]

        def attacker():
            slots = [connect() for _ in range(count)]
            while not stop.is_set():
                for i, slot in enumerate(slots):
                    if slot is not None:
                        sock, sent = slot
                        try:
                            if sock.recv(1) == b"":
                                raise ConnectionResetError
                        except BlockingIOError:
                            try:
                                sock.send(head[sent % len(head):sent % len(head) + 1])
                                slot[1] += 1
                                continue
                            except OSError:
                                pass
                        except OSError:
                            pass
                        stats["closed_by_server"] += 1
                        sock.close()
                    if not stop.is_set():
                        slots[i] = connect()
                stats["max_fds"] = max(stats["max_fds"], open_files(server.proc.pid) or 0)
                stop.wait(2)
            for slot in slots:
                if slot is not None:
                    slot[0].close()

        latencies = {"/healthz": [], "/api/me": []}
        failures = []

        def prober():
            while not stop.is_set():
                for path in latencies:
                    started = time.time()
                    try:
                        status, _ = request(server.port, "GET", path, cookie=cookie if path == "/api/me" else None)
                        if status != 200:
                            failures.append((path, status))
                    except (OSError, http.client.HTTPException) as error:
                        failures.append((path, repr(error)))
                        continue
                    latencies[path].append(time.time() - started)
                stop.wait(0.05)

        attack = threading.Thread(target=attacker)
        attack.start()
        time.sleep(3)  # every slow connection is open
        probe = threading.Thread(target=prober)
        probe.start()
        time.sleep(seconds)
        stop.set()
        attack.join(timeout=30)
        probe.join(timeout=30)
        with open(os.path.join(work, "server.log"), "rb") as log:
            text = log.read().decode(errors="replace")
        figures = {"scenario": "slow", "db": args.db, "slow_connections": count, "seconds": seconds,
                   "header_read_timeout": args.header_timeout, **stats, "probe_failures": len(failures)}
        for path, values in latencies.items():
            p50, p99 = percentile(values, 50), percentile(values, 99)
            figures[path] = {"probes": len(values), "p50_ms": round(p50 * 1000, 1) if p50 else None,
                             "p99_ms": round(p99 * 1000, 1) if p99 else None,
                             "max_ms": round(max(values) * 1000, 1) if values else None}
            check(f"{path} p99 under 100 ms ({figures[path]})", p99 is not None and p99 < 0.1)
        check(f"every probe answered 200 ({len(failures)} not)", not failures, failures[:5])
        check(f"{count} slow connections held at once (max {stats['max_fds']} descriptors)",
              stats["max_fds"] >= count)
        check(f"slow connections closed by the server ({stats['closed_by_server']})",
              stats["closed_by_server"] >= count if seconds > args.header_timeout + 2 else True)
        check("no accept error in the log", "Too many open files" not in text)
        print("FIGURES " + json.dumps(figures))
    finally:
        if server.proc and server.proc.poll() is None:
            server.signal(signal.SIGTERM)
            server.wait()
        db.drop()


class Cluster:
    """A throw-away PostgreSQL cluster: its own folder and port."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        if not bins:
            raise SystemExit("outage: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        self.bin = bins[-1]
        self.dir = tempfile.mkdtemp(prefix="portero-outage-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", self.dir], check=True)
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust")
        conf = (f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\nfsync = off\n")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as out:
            out.write(conf)

    def run(self, tool, *args):
        command = [os.path.join(self.bin, tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "pg.log"), "-w", "-t", "30", "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop")

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class ClusterDb:
    """The cluster's own database, as the scenario's `Db`."""

    def __init__(self, url):
        self.kind, self.url = "postgres", url

    def drop(self):
        pass


def timed(port, method, path, body=None, cookie=None):
    """(start, seconds, status or error name, Retry-After) of one request."""
    started = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {"Cookie": cookie} if cookie else {}
        if body is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        response.read()
        return started, time.time() - started, response.status, response.getheader("Retry-After")
    except (OSError, http.client.HTTPException) as error:
        return started, time.time() - started, type(error).__name__, None
    finally:
        conn.close()


def outage(args, work):
    print(f"outage: a throw-away PostgreSQL cluster, down at start, then stopped for {args.outage_seconds} s")
    cluster = Cluster()
    server = None
    try:
        server = Server(args.binary, ClusterDb(cluster.url), work)
        log = open(os.path.join(work, "server.log"), "ab")
        server.proc = subprocess.Popen([args.binary, "serve"], env=server.env(), stdout=log, stderr=log,
                                       cwd=work)
        deadline = time.time() + 30
        while timed(server.port, "GET", "/healthz")[2] != 200:
            if time.time() > deadline or server.proc.poll() is not None:
                raise SystemExit("outage: no /healthz while the database is down; see server.log")
            time.sleep(0.1)
        _, _, ready, retry = timed(server.port, "GET", "/readyz")
        check(f"while down at start: /healthz 200, /readyz 503 with Retry-After ({ready}, {retry})",
              ready == 503 and retry is not None)
        cluster.start()
        back = time.time()
        while timed(server.port, "GET", "/readyz")[2] != 200:
            if time.time() - back > 30:
                raise SystemExit("outage: not ready 30 s after the database started")
            time.sleep(0.05)
        ready_after = time.time() - back
        check(f"started while down, ready {ready_after:.1f} s after the database came up, no restart",
              server.proc.poll() is None)

        product, cookies = setup_shop(server, 4)
        results, stop = [], threading.Event()

        def buyer(cookie):
            while not stop.is_set():
                results.append(timed(server.port, "POST", "/api/sales",
                                     {"items": [{"product_id": product, "quantity": 1}]}, cookie))
                results.append(timed(server.port, "GET", "/api/products", cookie=cookie))
                stop.wait(0.05)

        threads = [threading.Thread(target=buyer, args=(c,)) for c in cookies]
        for t in threads:
            t.start()
        time.sleep(2)
        cluster.stop()
        down = time.time()
        time.sleep(args.outage_seconds)
        cluster.start()
        up = time.time()
        time.sleep(5)
        stop.set()
        for t in threads:
            t.join(timeout=40)

        during = [r for r in results if down <= r[0] + r[1] and r[0] <= up]
        failures = [r for r in results if r[2] not in (200, 201)]
        bad = [r for r in failures if r[2] != 503 or r[3] is None]
        slow_failures = [r for r in failures if r[1] > 2.5]
        after = sorted((r for r in results if r[0] >= up and r[2] in (200, 201)), key=lambda r: r[0] + r[1])
        first_success = after[0][0] + after[0][1] - up if after else None
        statuses = {}
        for r in results:
            statuses[r[2]] = statuses.get(r[2], 0) + 1
        check(f"every failure is 503 with Retry-After ({statuses})", not bad, bad[:5])
        worst = max((r[1] for r in failures), default=0)
        check(f"every 503 within 2.5 s (slowest {worst:.2f} s)", not slow_failures)
        check(f"first success under 1 s after the database is back ({first_success})",
              first_success is not None and first_success < 1.0)
        check("503s during the outage", any(r[2] == 503 for r in during))
        figures = {"scenario": "outage", "db": "postgres (throw-away cluster)",
                   "ready_after_start_seconds": round(ready_after, 2), "outage_seconds": args.outage_seconds,
                   "requests": len(results), "statuses": statuses,
                   "slowest_failure_seconds": round(worst, 2),
                   "first_success_after_return_seconds": round(first_success, 3) if first_success else None}
        print("FIGURES " + json.dumps(figures))
    finally:
        if server and server.proc and server.proc.poll() is None:
            server.signal(signal.SIGTERM)
            server.wait()
        cluster.remove()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--scenario", action="append", choices=["sigterm", "kill9", "slow", "outage"])
    parser.add_argument("--outage-seconds", type=float, default=20)
    parser.add_argument("--slow-connections", type=int, default=1100)
    parser.add_argument("--slow-seconds", type=float, default=16)
    parser.add_argument("--header-timeout", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--signal-at", type=float, default=1.5)
    args = parser.parse_args()
    args.binary = os.path.realpath(args.binary)
    with tempfile.TemporaryDirectory() as work:
        try:
            for scenario in args.scenario or ["sigterm", "kill9"]:
                {"sigterm": sigterm, "kill9": kill9, "slow": slow, "outage": outage}[scenario](args, work)
        finally:
            if FAILURES and os.path.exists(os.path.join(work, "server.log")):
                with open(os.path.join(work, "server.log"), "rb") as log:
                    sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
