"""The bench's figures as tables: aligned text for the terminal, and markdown (with the machine
they were measured on) for docs/benchmark.md. Each table is built once and rendered either way.
"""

import os
import platform
import sqlite3
import time
from pathlib import Path

PAGE_LABELS = {
    "baseline": "baseline (`/health/`)",
    "reader-lesson": "lesson page, reader without an account",
    "lesson": "lesson page, logged-in learner",
    "overview": "overview, logged-in learner",
    "your-thoughts": "Your Thoughts, logged-in learner",
    "knowledge-check": "knowledge check, logged-in learner",
}
WRITE_LABELS = {
    "complete": "complete a lesson",
    "vote": "vote at Your Thoughts",
    "submit": "submit the knowledge check",
    "claim": "claim credit",
}


class Table:
    def __init__(self, title, headers, rows):
        self.title, self.headers, self.rows = title, headers, rows

    def text(self):
        cells = [self.headers, *self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.headers))]

        def line(row):
            cells = zip(row[1:], widths[1:], strict=True)
            return "  ".join([row[0].ljust(widths[0]), *(c.rjust(w) for c, w in cells)])

        return "\n".join([self.title, *("   " + line(row) for row in cells)])

    def markdown(self):
        rule = ["---", *("---:" for _ in self.headers[1:])]
        rows = [self.headers, rule, *self.rows]
        return "\n".join([f"**{self.title}**", "", *(f"| {' | '.join(r)} |" for r in rows)])


def number(value):
    return f"{value:,}"


def size(count):
    return f"{count / 2**20:,.1f} MB" if count >= 2**20 else f"{count / 1024:,.0f} KB"


def ms(seconds):
    return f"{seconds * 1000:,.0f}"


def growth_tables(result):
    steps = result["steps"]
    results = Table(
        "Results page as the data grows (test client as staff; ms)",
        ["poll answers", "learners", "attempts", "seeded in", "first view", "median", "p95"],
        [
            [
                number(s["counts"]["poll_answers"]),
                number(s["counts"]["learners"]),
                number(s["counts"]["attempts"]),
                f"{s['seeded']:.0f} s",
                ms(s["results"]["first"]),
                ms(s["results"]["median"]),
                f"{ms(s['results']['p95'])} ({s['results']['views']} views)",
            ]
            for s in steps
        ],
    )
    exports = Table(
        "CSV exports, each streamed to /dev/null by a process of its own (MB: 2^20 bytes)",
        ["poll answers", "export", "time", "size", "MB/s", "peak RSS", "over baseline"],
        [
            [
                number(s["counts"]["poll_answers"]),
                name,
                f"{e['seconds']:.1f} s",
                size(e["bytes"]),
                f"{e['mb_per_s']:.1f}",
                f"{e['peak_mb']:.0f} MB",
                f"{e['peak_mb'] - e['baseline_mb']:+.0f} MB",
            ]
            for s in steps
            for name, e in s["exports"].items()
        ],
    )
    return [results, exports]


def served_tables(result, page_gates):
    served = result["served"]
    cache = "Redis" if served["redis"] else "each worker's memory"
    at = number(result["steps"][-1]["counts"]["poll_answers"])
    pages = Table(
        f"Pages at {at} poll answers: gunicorn, 2 workers, DEBUG off, cache and sessions in "
        f"{cache}; wrk, 8 connections, 4 s each",
        ["page", "req/s", "p50 ms", "p99 ms", "errors", "vs baseline", "gate"],
        [
            [
                PAGE_LABELS[page],
                f"{p['rps']:.0f}",
                f"{p['p50']:.1f}",
                f"{p['p99']:.1f}",
                number(p["errors"]),
                f"{p['ratio']:.0%}",
                f"≥ {page_gates[page]:.0%}" if page in page_gates else "",
            ]
            for page, p in served["pages"].items()
        ],
    )
    writes = Table(
        "Writes, 20 learners at once (locust, up to 10 s each; each request a learner's first)",
        ["write", "learners", "requests", "req/s", "p50 ms", "p95 ms", "failed", "rows stored"],
        [
            [
                WRITE_LABELS[write],
                number(w["learners"]),
                number(w["requests"]),
                f"{w['rps']:.0f}",
                f"{w['p50']:.0f}",
                f"{w['p95']:.0f}",
                number(w["errors"]),
                number(w["stored"]),
            ]
            for write, w in served["writes"].items()
        ],
    )
    return [pages, writes]


def notes(result):
    ask, weight = result["ask"], result["served"]["weight"]
    parts = ", ".join(f"{name} {size / 1024:.1f}" for name, size in weight.items())
    return [
        f"Ask the commentary ({'words and meaning' if ask['model'] else 'words alone'}): "
        f"median {ask['median'] * 1000:.1f} ms, p95 {ask['p95'] * 1000:.1f} ms, "
        f"slowest {ask['max'] * 1000:.1f} ms over {ask['answers']} answers.",
        f"Lesson page weight, compressed: {sum(weight.values()) / 1024:.1f} KB ({parts} KB).",
    ]


def text(result, page_gates):
    tables = growth_tables(result) + served_tables(result, page_gates)
    lines = [f"\n== {result['title']} (in {result['seconds'] / 60:.1f} min)"]
    for table in tables:
        lines += ["", table.text()]
    return "\n".join([*lines, "", *notes(result)])


def machine():
    def field(path, name):
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return next(line.split(":", 1)[1].strip() for line in lines if line.startswith(name))

    model = field("/proc/cpuinfo", "model name")
    kib = int(field("/proc/meminfo", "MemTotal").split()[0])
    return (
        f"{len(os.sched_getaffinity(0))} cores (nproc), {model}, {kib / 2**20:.1f} GB RAM; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def markdown(results, page_gates, sizes, seconds, failures):
    lines = [
        f"## Recorded run, {time.strftime('%Y-%m-%d')}",
        "",
        f"Machine: {machine()}.",
        f"Sizes asked: {', '.join(number(s) for s in sizes)} poll answers; "
        f"the whole run took {seconds / 60:.1f} min.",
    ]
    for result in results:
        lines += ["", f"### {result['title']}"]
        for table in growth_tables(result) + served_tables(result, page_gates):
            lines += ["", table.markdown()]
        lines += ["", *(f"- {note}" for note in notes(result))]
    lines += ["", "Gates: " + ("all passed." if not failures else "failed:")]
    lines += [f"- {failure}" for failure in failures]
    return "\n".join(lines) + "\n"
