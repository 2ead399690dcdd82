"""Shared helpers of the dialogue tests (this module holds no tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kgqa import Engine
from kgqa.ontology import bundled_ontology

ROOT = Path(__file__).resolve().parents[1]
R = "https://w3id.org/kgqa/resource/"
SF = "https://w3id.org/kgqa/scifi#"


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """An in-memory engine over the sample graph (no translator)."""
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    engine.load([ROOT / "data/sample/graph.ttl"])
    yield engine
    engine.close()
