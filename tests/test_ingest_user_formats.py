"""Inputs a user test brought in: gzip files that are not gzip, JSON with a byte-order mark, TOML dotted
keys in a mapping, ill-typed JSON values, a PDF without a text layer, and a POST body of the wrong type
sent to `kgqa serve`. Each must end in a one-line message (or a skip with its reason), never a traceback.
"""

from __future__ import annotations

import gzip
import logging
import subprocess
from pathlib import Path

import httpx
import pytest
from conftest import BIN, FIXTURES, start_kgqa_server, stop

from kgqa import Engine
from kgqa.ontology import bundled_ontology

from ingest.pipeline import ingest_paths
from test_ingest_support import ask, engine  # noqa: F401 (a fixture)


def _kgqa(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "kgqa"), "--project", str(project), *args], capture_output=True, text=True, timeout=120
    )


def test_a_gz_file_that_is_not_gzip_or_is_cut_short_is_a_one_line_error(tmp_path: Path) -> None:
    Engine.init(tmp_path / "proj").close()
    fake = tmp_path / "fake.ttl.gz"
    fake.write_bytes(b"not gzip at all")
    cut = tmp_path / "cut.nt.gz"
    cut.write_bytes(gzip.compress((FIXTURES / "books.ttl").read_bytes())[:20])
    for path, why in ((fake, "Not a gzipped file"), (cut, "end-of-stream marker")):
        done = _kgqa(tmp_path / "proj", "load", str(path))
        # A truncated .gz raised EOFError, which click turns into "aborted" with exit code 130.
        assert done.returncode == 1, done.stderr
        assert done.stderr.startswith(f"error: {path}: cannot read the file:") and why in done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1

    with Engine.open(tmp_path / "proj") as engine:
        summary = ingest_paths(engine, [fake, cut])  # planning used to raise on the first one
        assert [(i.status, "cannot read the file" in (i.reason or "")) for i in summary.items] == [(
            "failed", True
        )] * 2


MAPPING = """files = ["*.json", "*.jsonl"]
[subject]
column = "title"
class = "book"
[columns]
info.year = { property = "publicationYear", datatype = "xsd:gYear" }
meta.author.name = "author"
"""


def _table(folder: Path, name: str, text: str, mapping: str = MAPPING) -> Path:
    (folder / "mappings").mkdir(parents=True, exist_ok=True)
    (folder / "mappings" / "books.toml").write_text(mapping)
    path = folder / name
    path.write_bytes(text.encode("utf-8-sig"))  # with a byte-order mark, as Windows editors write it
    return path


def test_json_with_a_bom_and_a_mapping_with_dotted_keys(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    rows = '[{"title": "Fiasco", "info": {"year": 1986}, "meta": {"author": {"name": "Stanislaw Lem"}}}]'
    lines = '{"title": "Eden", "info": {"year": "1959"}}\n'
    summary = ingest_paths(engine, [_table(tmp_path, "a.json", rows), _table(tmp_path, "b.jsonl", lines)])
    assert [(i.status, i.reason or "") for i in summary.items] == [("ok", "")] * 2
    assert ask(engine, 'res:Fiasco sf:publicationYear "1986"^^<http://www.w3.org/2001/XMLSchema#gYear> ; sf:author ?a . ?a rdfs:label "Stanislaw Lem"@en')
    assert ask(engine, 'res:Eden sf:publicationYear "1959"^^<http://www.w3.org/2001/XMLSchema#gYear>')


@pytest.mark.parametrize(
    ("value", "shown", "datatype"),
    [
        ('"abc"', "'abc'", "xsd:gYear"),
        ('"1986-13"', "'1986-13'", "xsd:gYearMonth"),
        ("1.5", "1.5", "xsd:integer"),
        ("true", "True", "xsd:integer"),
    ],
)
def test_a_value_that_does_not_fit_its_datatype_fails_in_one_line(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, value: str, shown: str, datatype: str  # noqa: F811
) -> None:
    mapping = MAPPING.replace("xsd:gYear", datatype)
    path = _table(tmp_path, "c.jsonl", f'{{"title": "Fiasco", "info": {{"year": {value}}}}}\n', mapping)
    with caplog.at_level(logging.WARNING):
        item = ingest_paths(engine, [path]).items[0]
    assert item.status == "failed"
    assert f"c.jsonl line 1: info.year = {shown} is not a valid" in item.reason
    assert datatype.split(":")[1] in item.reason
    # rdflib logged a traceback for each value it could not convert.
    assert not [r for r in caplog.records if r.name.startswith("rdflib")]
    assert not ask(engine, "res:Fiasco ?p ?o")


def test_a_list_of_objects_is_refused_not_made_into_a_name(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = _table(tmp_path, "d.jsonl", '{"title": "Fiasco", "meta": {"author": {"name": [{"first": "Stanislaw"}]}}}\n')
    item = ingest_paths(engine, [path]).items[0]
    assert item.status == "failed"
    assert "d.jsonl line 1: meta.author.name holds a JSON dict" in item.reason and "books.toml" in item.reason
    assert not ask(engine, "?x rdfs:label ?l FILTER(CONTAINS(?l, 'first'))")


def _pdf(path: Path, lines: list[str]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with plt.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        figure = plt.figure(figsize=(8.5, 11))
        for i, line in enumerate(lines):
            figure.text(0.1, 0.9 - i * 0.04, line)
        if not lines:
            axes = figure.add_subplot()
            axes.plot([0, 1], [1, 0])  # a drawing and no text, like a scanned page
            axes.axis("off")
        pdf.savefig(figure)
        plt.close(figure)
    return path


def test_a_pdf_without_text_is_skipped_with_the_reason(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    scanned = _pdf(tmp_path / "scan.pdf", [])
    text = _pdf(tmp_path / "lem.pdf", ["Stanislaw Lem", "", "Stanislaw Lem was born in Lviv."])
    summary = ingest_paths(engine, [scanned, text])
    by_name = {Path(i.path).name: i for i in summary.items}
    assert by_name["scan.pdf"].status == "skipped"
    assert "no extractable text" in by_name["scan.pdf"].reason and "OCR" in by_name["scan.pdf"].reason
    assert by_name["lem.pdf"].status == "ok" and by_name["lem.pdf"].triples > 0


def test_serve_answers_415_to_a_post_body_it_cannot_read(tmp_path: Path) -> None:
    with Engine.init(tmp_path / "proj", ontologies=[bundled_ontology("scifi.ttl")]):
        pass
    server = start_kgqa_server(tmp_path / "proj")
    try:
        plain = httpx.post(server.query_url, content="ASK {}", headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        assert "'text/plain'" in plain.text and "application/sparql-query" in plain.text
        assert len(plain.text.strip().splitlines()) == 1
        direct = httpx.post(server.query_url, content="ASK {}", headers={"Content-Type": "application/sparql-query"})
        assert direct.status_code == 200 and direct.json()["boolean"] is True
        assert httpx.post(server.query_url, data={"query": "ASK {}"}).status_code == 200
    finally:
        stop(server.process)


def test_a_mapped_field_no_record_has_is_reported(tmp_path: Path) -> None:
    mapping = MAPPING.replace("meta.author.name", "meta.auther.name")  # a typo
    path = _table(tmp_path, "c.json", '[{"title": "Fiasco", "meta": {"author": {"name": "Stanislaw Lem"}}}]', mapping)
    project = tmp_path / "proj"
    Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]).close()
    done = _kgqa(project, "ingest", str(path))
    assert done.returncode == 0, done.stderr
    assert f"warning {path}: 'info.year', 'meta.auther.name' (mapped in books.toml) in no record" in done.stderr
    assert "fields: meta.author.name, title" in done.stderr
    with Engine.open(project) as opened:  # what the mapping does name is still written
        assert ask(opened, "res:Fiasco a sf:Book")


def test_a_json_object_with_two_lists_names_them(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    path = _table(tmp_path, "two.json", '{"books": [{"title": "Eden"}], "films": [{"title": "Solaris"}]}')
    item = ingest_paths(engine, [path]).items[0]
    assert item.status == "failed" and "an object with 2 lists ('books', 'films')" in item.reason


def test_one_json_object_with_a_list_of_values_is_one_record(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    mapping = MAPPING.replace('meta.author.name = "author"', 'authors = "author"')
    path = _table(tmp_path, "one.json", '{"title": "Roadside Picnic", "authors": ["Arkady Strugatsky", "Boris Strugatsky"]}', mapping)
    item = ingest_paths(engine, [path]).items[0]
    assert item.status == "ok", item.reason
    assert ask(engine, "res:Roadside_Picnic sf:author ?a . ?a rdfs:label 'Boris Strugatsky'@en")
