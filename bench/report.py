"""Turn bench/run's raw runs into the Markdown table that the README includes.

Usage: python3 bench/report.py META.tsv RAW.tsv > bench/results.md

META.tsv holds `key<TAB>value` lines (date, cpu, cores, mem_kb, server, psql, conn,
cluster, commit, binary, runs, rows, quick); RAW.tsv one line per timed run (task, label,
contender, run, microseconds, rss_kb, status).  Standard library only.
"""

import csv
import statistics
import sys

CONTENDERS = ("new", "floor", "old")


def read_meta(path):
    with open(path, encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line)


def read_runs(path):
    """{task: {"label": str, "new"|"floor"|"old": [row, ...]}}, in the order run."""
    tasks = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            task = tasks.setdefault(row["task"], {"label": row["label"]})
            task.setdefault(row["contender"], []).append(row)
    return tasks


def summary(rows):
    """(median seconds, peak RSS in KB, failure) for one contender on one task."""
    if not rows:
        return None
    failed = [r["status"] for r in rows if r["status"] != "ok"]
    if failed:
        return (None, None, f"{len(failed)}/{len(rows)} runs {failed[0]}")
    seconds = statistics.median(int(r["microseconds"]) / 1e6 for r in rows)
    return (seconds, max(int(r["rss_kb"]) for r in rows), None)


def seconds(s):
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def ratio(a, b):
    r = a / b
    if r >= 10:
        return f"{r:.0f}×"
    if r >= 0.1:
        return f"{r:.2f}×"
    return f"{r:.2g}×"


def mib(kb):
    return f"{kb / 1024:.1f}"


def duration(s):
    if s >= 3600:
        return f"{s / 3600:.1f} hours"
    if s >= 60:
        return f"{s / 60:.0f} minutes"
    return f"{s:.0f} s"


def main(meta_path, raw_path):
    meta = read_meta(meta_path)
    tasks = read_runs(raw_path)
    rows = int(meta["rows"])
    out = []

    gib = int(meta["mem_kb"]) / 1024 / 1024
    commit = meta["commit"]
    if "binary" in meta:
        commit += f" (binary timed: `{meta['binary']}`)"
    quick = " **QUICK mode: a trial, not the published numbers.**" if meta["quick"] == "1" else ""
    out.append(
        f"Measured {meta['date']} by `bench/run` on {meta['cpu']} ({meta['cores']} cores, "
        f"{gib:.1f} GiB RAM), {meta['server']} on {meta['cluster']}, psql connecting by "
        f"{meta['conn']}; insta485db {commit}. "
        f"Median of {meta['runs']} runs of each contender, interleaved.{quick}"
    )
    out.append("")
    out.append(
        "| task | insta485db (median s) | floor (s) | old way (s) | vs floor | vs old "
        "| peak RSS MiB insta485db / floor / old |"
    )
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    notes = {}  # footnote mark -> text, in order of first use

    def mark(key, text):
        notes.setdefault(key, text)
        return "<sup>" + str(list(notes).index(key) + 1) + "</sup>"

    failures = []
    for task, data in tasks.items():
        result = {who: summary(data.get(who, [])) for who in CONTENDERS}
        cells = {}
        for who in CONTENDERS:
            r = result[who]
            if r is None:
                cells[who] = "—"
            elif r[2]:
                cells[who] = "failed"
                failures.append(f"{data['label']}, {who}: {r[2]}")
            else:
                cells[who] = seconds(r[0])

        if result["old"] is None:
            if task == "random-n":
                cells["old"] = "—" + old_random_note(tasks, rows, mark)
            elif task.startswith("dump-n-"):
                cells["old"] = "—" + mark(
                    "old-dump",
                    "The old script had one dump, every table in expanded layout, "
                    "so it is timed on the expanded row only (all five tables, one `psql` each, "
                    "after scraping the table names from `\\dt`).",
                )

        def vs(who):
            a, b = result["new"], result[who]
            if a is None or b is None or a[2] or b[2]:
                return "—"
            return ratio(a[0], b[0])

        rss = " / ".join(
            mib(r[1]) if r and not r[2] else "—" for r in (result[w] for w in CONTENDERS)
        )
        out.append(
            f"| {data['label']} | {cells['new']} | {cells['floor']} | {cells['old']} "
            f"| {vs('floor')} | {vs('old')} | {rss} |"
        )

    out.append("")
    out.append(
        "*insta485db*: `target/release/insta485db -d NAME <task>`, run from a scratch copy of the "
        "project. *floor*: the same work sent by one `psql` session "
        "(`bench/floor/`: one session for the SQL of create, destroy and reset plus `rm`/`cp` of "
        "the uploads; `INSERT … SELECT … FROM generate_series` for random; `COPY … TO STDOUT` for "
        "csv and json; `psql`'s own aligned or `-x` output for table and expanded). "
        "*old way*: `bench/old-insta485db`, the bash script insta485db replaces "
        "(`createdb`, `dropdb` and one `psql` per step; `random` is 100 `psql` processes). "
        "*vs floor*, *vs old*: insta485db's median divided by the other's; "
        "below 1× insta485db is faster. "
        "*Peak RSS*: the largest maximum resident set size over the runs of the largest single "
        "client process (GNU time); the server's memory is not included. "
        "All output goes to `/dev/null`; each dump's output was checked once beforehand, and "
        "each create, destroy, reset and random was checked after every run."
    )
    for i, text in enumerate(notes.values(), 1):
        out.append("")
        out.append(f"<sup>{i}</sup> {text}")
    if failures:
        out.append("")
        out.append("Failed runs (see bench/run's output for their stderr):")
        out.append("")
        out.extend(f"- {f}" for f in failures)
    print("\n".join(out))


def old_random_note(tasks, rows, mark):
    text = "The old script had no row count: it always inserted 100 posts, one `psql` each."
    r = summary(tasks.get("random", {}).get("old", []))
    if r and not r[2]:
        text += (
            f" At its measured {r[0]:.2f} s per 100 rows, {rows:,} rows would take about "
            f"{duration(r[0] / 100 * rows)} (an extrapolation, not a measurement)."
        )
    return mark("old-random", text)


if __name__ == "__main__":
    main(*sys.argv[1:3])
