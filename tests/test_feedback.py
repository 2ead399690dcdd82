"""Learning from answers: question-answer pairs and corrections become training examples.

Weak labels are searched on the real sample graph; corrections go through the real
CLI, the Python API, a session and a real ``kgqa serve`` process on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from test_cli import kgqa
from test_qa_support import SAMPLE_GRAPH, domain_engine

from kgqa import Engine
from kgqa.answer.feedback import FeedbackStore, feedback_path
from kgqa.answer.weak import QAPairsError, read_qa, weak_labels
from kgqa.namespaces import SF
from kgqa.ontology import bundled_ontology
from kgqa.translate.structure import Hop


@pytest.fixture(scope="module")
def sample() -> Engine:
    engine = domain_engine("sample")
    yield engine
    engine.close()


def test_paths_whose_answers_match_become_weak_labels(sample: Engine) -> None:
    labels, missed = weak_labels(sample, [
        ("Who penned Solaris?", ["Stanisław Lem"]),
        ("Where was the man who wrote Solaris born?", ["lviv"]),  # case folded
        ("In which country was the birthplace of the author of Solaris?", ["Ukraine"]),
        ("Who penned Solaris?", ["Frank Herbert"]),  # no path from Solaris reaches him
    ])
    by_question = {}
    for label in labels:
        by_question.setdefault(label.question, []).append(label.structure.hops)
    assert by_question["Who penned Solaris?"] == [(Hop(SF.author),)]
    assert (Hop(SF.author), Hop(SF.birthPlace)) in by_question["Where was the man who wrote Solaris born?"]
    assert by_question["In which country was the birthplace of the author of Solaris?"] == \
        [(Hop(SF.author), Hop(SF.birthPlace), Hop(SF.country))]
    assert missed == ["Who penned Solaris?"]
    assert {label.masked for label in labels} >= {"Who penned X?", "Where was the man who wrote X born?"}


def test_a_bad_qa_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "qa.tsv"
    path.write_text("# comment\nWho wrote Dune?\tFrank Herbert\nWho wrote Dune?\t\n", encoding="utf-8")
    with pytest.raises(QAPairsError, match=r"qa.tsv:3: expected"):
        read_qa(path)


def _small_graph(tmp_path: Path) -> Path:
    path = tmp_path / "small.ttl"
    path.write_text("""@prefix sf: <https://w3id.org/kgqa/scifi#> . @prefix r: <https://w3id.org/kgqa/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
r:Solaris a sf:Book ; rdfs:label "Solaris" ; sf:author r:Lem . r:Cyberiad a sf:Book ; rdfs:label "The Cyberiad" ; sf:author r:Lem .
r:Lem a sf:Person ; rdfs:label "Stanisław Lem" ; sf:birthPlace r:Lviv . r:Lviv a sf:City ; rdfs:label "Lviv" .
""", encoding="utf-8")
    return path


def test_corrections_from_the_cli_a_session_and_training(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    with Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]) as engine:
        engine.load([_small_graph(tmp_path)])  # training here must take seconds: a few facts
    done = kgqa("-p", str(project), "ask", "--correct", "Stanisław Lem", "Who penned Solaris?")
    assert done.returncode == 0 and "1 correction(s) pending" in done.stdout
    with Engine.open(project) as engine:
        session = engine.session()
        session.ask("Who wrote The Cyberiad?")
        assert session.correct("Stanisław Lem") == 2
        assert session.history()[-1]["kind"] == "correction"
        with pytest.raises(Exception, match="at least one answer"):
            engine.correct("Who wrote Dune?", [" "])
    qa = tmp_path / "qa.tsv"
    qa.write_text("Where was the man who wrote Solaris born?\tLviv\nWho wrote nothing at all?\tNobody\n", encoding="utf-8")
    trained = kgqa("-p", str(project), "train", "translator", "--qa", str(qa), "--per-structure", "1", "--epochs", "2",
                   "--json", str(tmp_path / "report.json"))
    assert trained.returncode == 0, trained.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["qa_pairs"], report["corrections"]) == (2, 2)
    assert report["qa_matched"] == 3 and report["qa_missed"] == ["Who wrote nothing at all?"]
    assert report["by_kind"]["qa pairs"] >= 3
    assert any(p.endswith("#birthPlace") for p, _ in report["few_phrasings"])  # one phrasing per structure here
    with Engine.open(project, read_only=True) as engine:
        assert FeedbackStore(feedback_path(engine)).pending_count() == 0


def test_feedback_over_http(tmp_path: Path, kgqa_server) -> None:
    with Engine.init(tmp_path / "proj"):
        pass
    server = kgqa_server(tmp_path / "proj")
    url = server.base + "/feedback"
    assert httpx.get(url).json() == {"pending": 0}
    sent = httpx.post(url, json={"question": "Who penned Solaris?", "answers": ["Stanisław Lem"]})
    assert sent.status_code == 200 and sent.json() == {"pending": 1}
    assert httpx.post(url, json={"question": "Who wrote Dune?", "answers": ["Frank Herbert"]}).json() == {"pending": 2}
    assert httpx.get(url).json() == {"pending": 2}
    empty = httpx.post(url, json={"question": "Who wrote Dune?", "answers": []})
    assert empty.status_code == 400 and "at least one answer" in empty.json()["detail"]
    assert httpx.post(url, json={"question": "Who wrote Dune?"}).status_code == 422
    assert httpx.get(url).json() == {"pending": 2}
