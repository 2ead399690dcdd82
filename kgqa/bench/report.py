"""Shared pieces of the benchmarks: timing, memory, the machine, tables and JSON.

Example:
    >>> from kgqa.bench.report import Report
    >>> r = Report("demo", columns=["case", "ms"])
    >>> r.add_row("one", 1.5)
    >>> r.figures["rows"]
    [{'case': 'one', 'ms': 1.5}]
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def machine() -> dict[str, Any]:
    """The machine the figures come from: CPU model, cores, memory, Python, OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(fn: Callable[[], Any], repeat: int = 20, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    for _ in range(warmup):
        fn()
    return statistics.median(timed_ms(fn) for _ in range(repeat))


def timed_ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Report:
    """A benchmark's figures: table rows plus free-form extras, printed and saved alike."""

    def __init__(self, name: str, columns: Sequence[str]) -> None:
        self.name = name
        self.columns = list(columns)
        self.figures: dict[str, Any] = {"benchmark": name, "machine": machine(), "rows": []}

    def add_row(self, *values: Any) -> None:
        self.figures["rows"].append(dict(zip(self.columns, values)))

    def set(self, key: str, value: Any) -> None:
        """Record a figure outside the table (it is printed below the table)."""
        self.figures[key] = value

    def print(self, console: Console | None = None) -> None:
        console = console or Console()
        table = Table(*self.columns, title=f"kgqa bench {self.name}")
        for row in self.figures["rows"]:
            table.add_row(*(_fmt(row.get(c)) for c in self.columns))
        console.print(table)
        for key, value in self.figures.items():
            if key not in ("benchmark", "rows", "machine"):
                console.print(f"{key}: {_fmt(value)}")
        m = self.figures["machine"]
        console.print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}")

    def write_json(self, path: str | Path | None) -> None:
        if path:
            write_json(path, self.figures)


def write_json(path: str | Path, figures: Any) -> None:
    """Write a benchmark's figures as pretty JSON."""
    Path(path).write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return "" if value is None else str(value)
