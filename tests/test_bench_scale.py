"""`kgqa bench scale`'s synthetic graph: a valid plain OWL ontology, the size asked for, heavy-tailed degrees."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kgqa.bench.scale import PROPERTIES, generate, parse_size
from kgqa.ontology import Ontology, bundled_ontology
from kgqa.ontology.validate import validate_file


def test_the_generated_graph_has_its_size_schema_and_a_heavy_tail(tmp_path: Path) -> None:
    assert [parse_size(t) for t in ("1M", "250k", "10M", "5000")] == [1_000_000, 250_000, 10_000_000, 5_000]
    figures = generate(tmp_path, 20_000, seed=7)
    validate_file(tmp_path / "ontology.ttl", known=Ontology.from_files([bundled_ontology("kgqa.ttl")])).raise_for_errors()
    assert len(Ontology.from_files([tmp_path / "ontology.ttl"]).properties) == PROPERTIES == figures["properties"]
    lines = (tmp_path / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == figures["triples"] and 15_000 < figures["triples"] < 25_000
    objects = Counter(line.split(" ")[2] for line in lines if "/p" in line.split(" ")[1] and line.split(" ")[2].startswith("<"))
    in_degrees = sorted(objects.values(), reverse=True)
    assert in_degrees[0] > 20 * (sum(in_degrees) / len(in_degrees))  # hubs, as in real graphs
    labels = Counter(line.split(" ", 2)[2] for line in lines if "rdf-schema#label" in line)
    assert max(labels.values()) > 1  # common names repeat
