"""Shared helpers of the question-answering tests (this module holds no tests).

Training a translator costs seconds, so each domain's is trained once per test
session (small settings: few phrasings per structure, few epochs) and copied into
every engine that needs it. Engines are in memory, loaded from the sample graph or
from the second test domain in ``tests/fixtures/companies``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from kgqa import Engine
from kgqa.answer.context import translator_dir
from kgqa.ontology import bundled_ontology
from kgqa.translate.train import train_translator

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_GRAPH = ROOT / "data" / "sample" / "graph.ttl"
COMPANIES = ROOT / "tests" / "fixtures" / "companies"
GOLD2 = ROOT / "data" / "gold2"
#: Small but real training: every structure gets a few phrasings (the defaults give 60).
TEST_CONFIG = {"translator": {"per_structure": 8, "max_three_hop": 40, "epochs": 30}}
DOMAINS = {
    "sample": (bundled_ontology("scifi.ttl"), SAMPLE_GRAPH, TEST_CONFIG),
    "companies": (COMPANIES / "ontology.ttl", COMPANIES / "graph.ttl",
                  {"translator": {"per_structure": 6, "max_three_hop": 15, "epochs": 30}}),
    # The second gold domain: a plain OWL ontology (no kgqa:template or question phrases).
    "gold2": (GOLD2 / "ontologies" / "mountaineering.ttl", GOLD2 / "graph.ttl",
              {"translator": {"per_structure": 6, "max_three_hop": 15, "epochs": 30}}),
}


def domain_engine(domain: str) -> Engine:
    """An in-memory engine with a domain's ontology and facts (no translator)."""
    ontology, graph, config = DOMAINS[domain]
    engine = Engine.memory(ontologies=[ontology], config=config)
    engine.load([graph])
    return engine


@lru_cache(maxsize=None)
def trained_translator(domain: str) -> Path:
    """The directory of a translator trained on ``domain`` alone (once per session)."""
    scratch = Path(tempfile.mkdtemp(prefix=f"kgqa-test-{domain}-"))
    atexit.register(shutil.rmtree, scratch, True)
    engine = domain_engine(domain)
    try:
        train_translator(engine, directory=scratch / "translator", progress=False)
    finally:
        engine.close()
    return scratch / "translator"


def answering_engine(domain: str) -> Engine:
    """An in-memory engine of ``domain`` with its trained translator in place."""
    engine = domain_engine(domain)
    shutil.copytree(trained_translator(domain), translator_dir(engine))
    return engine
