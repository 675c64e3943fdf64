#!/usr/bin/env python3
"""Time `random --count 1000000` and 1,000,000-row dumps against the server's own floor.

For each task it runs every contender RUNS times, alternating, and prints a Markdown table of
medians: wall time, the server backend's CPU time (far steadier than wall time on a shared
machine) and the client's peak memory.

Usage: tools/measure-scale.py [RUNS]      (default 5)
Needs: `cargo build --release` first, psql, GNU time (/usr/bin/time), and a local server that the PG* variables point
at (the backend's CPU time is read from /proc, so the server must run on this machine).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "insta485db")
DB = f"insta485_scale_{os.getpid()}"
TICK = os.sysconf("SC_CLK_TCK")
IMAGES = (
    "ARRAY['122a7d27ca1d7420a1072f695d9290fad4501a41.jpg', "
    "'ad7790405c539894d25ab8dcf0b79eed3341e109.jpg', "
    "'9887e06812ef434d291e4936417d125cd594b38a.jpg', "
    "'2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg']"
)
FLOOR_INSERT = (
    f"INSERT INTO posts (filename, owner) SELECT ({IMAGES})[1 + floor(random() * 4)::int], "
    "'awdeorio' FROM generate_series(1, 1000000)"
)


def psql(*args):
    return ["psql", "-X", "-q", "-d", DB, *args]


def backends():
    out = subprocess.run(
        ["psql", "-X", "-Atq", "-d", "postgres", "-c",
         f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB}' "
         "AND pid <> pg_backend_pid()"],
        capture_output=True, text=True, check=True,
    ).stdout
    return [int(pid) for pid in out.split()]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run(command):
    """(wall seconds, server backend CPU seconds, client peak RSS in MB)."""
    # GNU time reports the peak memory: a child forked from Python would start with Python's.
    report = os.path.join(tempfile.gettempdir(), f"measure-scale-{os.getpid()}")
    start = time.monotonic()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", report, *command],
                             stdout=subprocess.DEVNULL)
    seen = {}
    while child.poll() is None:
        for backend in backends():
            seen.setdefault(backend, 0.0)
        for backend in list(seen):
            try:
                seen[backend] = cpu_seconds(backend)
            except OSError:
                pass
        time.sleep(0.02)
    wall = time.monotonic() - start
    if child.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}")
    with open(report) as peak:
        rss_kb = int(peak.read().split()[-1])
    return wall, sum(seen.values()), rss_kb / 1024


def measure(contenders, prepare=None):
    results = {name: [] for name, _ in contenders}
    for _ in range(RUNS):
        for name, command in contenders:
            if prepare:
                prepare()
            results[name].append(run(command))
    for name, runs in results.items():
        wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB |", flush=True)


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit("build first: cargo build --release")
    work = tempfile.mkdtemp()
    shutil.copytree(os.path.join(ROOT, "sql"), os.path.join(work, "sql"))
    os.chdir(work)
    try:
        reset = lambda: subprocess.run([BIN, "-q", "-d", DB, "reset"], check=True)
        reset()
        version = subprocess.run(psql("-Atc", "SHOW server_version"), capture_output=True,
                                 text=True, check=True).stdout.strip()
        print(f"PostgreSQL {version}, {os.cpu_count()} CPUs, median of {RUNS} runs\n")
        print("| task | wall time | server CPU | client peak memory |")
        print("| --- | --- | --- | --- |")
        measure([
            ("insta485db random --count 1000000",
             [BIN, "-q", "-d", DB, "random", "--count", "1000000"]),
            ("floor: psql INSERT ... SELECT ... generate_series", psql("-c", FLOOR_INSERT)),
        ], prepare=reset)

        reset()
        subprocess.run([BIN, "-q", "-d", DB, "random", "--count", "1000000", "--seed", "1"],
                       check=True)
        subprocess.run(psql("-c", "VACUUM ANALYZE posts"), check=True)
        dump = lambda fmt: [BIN, "-d", DB, "dump", "--table", "posts", "--format", fmt]
        measure([
            ("insta485db dump --format table", dump("table")),
            ("psql -c 'SELECT * FROM posts'", psql("-c", "SELECT * FROM posts")),
            ("psql -c 'SELECT * FROM posts ORDER BY postid'",
             psql("-c", "SELECT * FROM posts ORDER BY postid")),
        ])
        measure([
            ("insta485db dump --format expanded", dump("expanded")),
            ("psql -x -c 'SELECT * FROM posts ORDER BY postid'",
             psql("-x", "-c", "SELECT * FROM posts ORDER BY postid")),
        ])
        measure([
            ("insta485db dump --format csv", dump("csv")),
            ("floor: psql -c 'COPY (SELECT * FROM posts ORDER BY postid) TO STDOUT csv'",
             psql("-c", "COPY (SELECT * FROM posts ORDER BY postid) TO STDOUT "
                        "WITH (FORMAT csv, HEADER)")),
        ])
        measure([("insta485db dump --format json", dump("json"))])
    finally:
        subprocess.run(["dropdb", "--if-exists", DB], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
