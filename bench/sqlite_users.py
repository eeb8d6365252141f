"""Fill a migrated Portero SQLite database with the demo users that
`portero seed-demo --users N --products 0` would create, row for row (same
names, e-mails, first/last names, created and verified dates, one shared
argon2id hash of `demo-password`), but through Python's sqlite3 with `?`
placeholders: seconds instead of the tens of minutes that seed-demo needs on
SQLite at 1,000,000 users (see RESULTS.md, "seed time"). A measurement aid for
the 1M-user search benchmark only; it is not how Portero seeds.

Usage: python3 bench/sqlite_users.py DB_FILE N PASSWORD_HASH
"""

import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone

FIRST_NAMES = [
    "Ana", "Luis", "María", "Carlos", "Lucía", "Javier", "Elena", "Pablo", "Sofía", "Diego",
    "Laura", "Miguel", "Carmen", "Andrés", "Isabel", "Jorge", "Paula", "Raúl", "Marta", "Hugo",
    "Olivia", "Noah", "Emma", "Liam", "Mia", "Lucas", "Chloe", "Mateo", "Zoe", "Leo", "Amelia",
    "Ethan", "Grace", "Samuel", "Nora", "Daniel", "Alice", "Tomás", "Irene", "Adrián", "Sara",
    "Iván", "Julia", "Bruno", "Alba", "Omar", "Nuria", "Víctor",
]
LAST_NAMES = [
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Romero",
    "Navarro", "Torres", "Domínguez", "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller",
    "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright",
    "Scott", "Green", "Baker", "Adams", "Nelson", "Carter",
]


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(path, users, password_hash):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    span = int(timedelta(days=730).total_seconds())
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")

    def rows():
        for n in range(1, users + 1):
            created = rfc3339(now - timedelta(seconds=span - (span * n) // users))
            yield (
                f"user{n:07}", f"user{n:07}@example.com", password_hash,
                FIRST_NAMES[(n * 7) % len(FIRST_NAMES)],
                LAST_NAMES[(n * 13 + n // 7) % len(LAST_NAMES)],
                "user", 1, created if n % 10 < 7 else None, created, created,
            )

    started = time.perf_counter()
    with con:
        con.executemany(
            "INSERT INTO users (username, email, password_hash, first_name, last_name, role, "
            "is_active, email_verified_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows(),
        )
    con.close()
    print(f"inserted {users} users in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
