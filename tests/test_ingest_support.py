"""Shared by the ingestion tests (test_ingest_*.py): paths, a project fixture, a SPARQL ASK helper.

No tests here; the other modules import from it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kgqa import Engine
from kgqa.ontology import bundled_ontology

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
PREFIXES = (
    "PREFIX sf: <https://w3id.org/kgqa/scifi#> PREFIX res: <https://w3id.org/kgqa/resource/> "
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)


@pytest.fixture()
def engine(tmp_path: Path):
    """A project on disk with the sample ontology."""
    with Engine.init(tmp_path / ".kgqa", ontologies=[bundled_ontology("scifi.ttl")]) as eng:
        yield eng


def ask(engine: Engine, pattern: str) -> bool:
    """ASK { pattern } with the sf:, res:, rdf:, rdfs: and skos: prefixes."""
    return bool(engine.sparql(PREFIXES + "ASK { " + pattern + " }"))
