"""`kgqa bench serve`: both servers measured on the same data, and kgqa serve's runaway query stopped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_bench_serve_compares_both_servers_and_stops_the_runaway(tmp_path: Path) -> None:
    out = tmp_path / "serve.json"
    args = ["bench", "serve", "--triples", "10000", "--clients", "4", "--seconds", "1", "--timeout", "2", "--json", str(out)]
    done = subprocess.run([sys.executable, "-m", "kgqa", *args], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    rows = {row["server"]: row for row in figures["rows"]}
    assert set(rows) == {"kgqa serve", "oxigraph serve"}
    for row in rows.values():
        assert row["requests"] > 0 and row["errors"] == 0 and row["p95 ms"] >= row["p50 ms"] > 0
    assert figures["gil"]["releases_gil"] is True
    runaway = figures["runaway"]
    assert runaway["status"] == 503 and runaway["answered_after_s"] < 4
    assert runaway["server_cpu_s_in_second_second_after"] < 0.3
