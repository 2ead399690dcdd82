"""The remote-endpoint recipe end to end: a kgqa project whose store is a real `oxigraph serve`
process on 127.0.0.1, loaded through kgqa and asked questions, answers the same as the embedded store."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from conftest import Server
from rdflib import URIRef

from kgqa import Engine
from kgqa.answer.context import translator_dir
from kgqa.ontology import bundled_ontology
from test_qa_support import SAMPLE_GRAPH, TEST_CONFIG, answering_engine, trained_translator

QUESTIONS = [
    "Who wrote Solaris?",
    "Where was the author of Solaris born?",
    "Which books did Liu Cixin write?",
    "How many films are based on Dune?",
    "Did Stanisław Lem write The Cyberiad?",
]


def _answers(answer) -> tuple:  # noqa: ANN001 - kgqa Answer
    return (answer.form, sorted(str(a.iri or a.value) for a in answer.answers), answer.count, answer.boolean)


@pytest.mark.slow
def test_load_then_ask_over_a_remote_endpoint_answers_like_the_embedded_store(
    tmp_path: Path, oxigraph_union_server: Server
) -> None:
    config = {
        **TEST_CONFIG,
        "store": {"backend": "endpoint", "query_url": oxigraph_union_server.query_url,
                  "update_url": oxigraph_union_server.update_url, "union_default_graph": True},
    }
    with Engine.init(tmp_path / "proj", ontologies=[bundled_ontology("scifi.ttl")], config=config) as remote:
        remote.load([SAMPLE_GRAPH])
        shutil.copytree(trained_translator("sample"), translator_dir(remote))
        requests: list[httpx.Request] = []
        remote.store._client.event_hooks["request"].append(requests.append)  # count round trips, change nothing
        embedded = answering_engine("sample")
        try:
            for question in QUESTIONS:
                assert _answers(remote.ask(question)) == _answers(embedded.ask(question)), question
        finally:
            embedded.close()
        assert {str(r.url) for r in requests} == {oxigraph_union_server.query_url}
        solaris = remote.ask("Who wrote Solaris?")
        assert {URIRef(a.iri) for a in solaris.answers} == {URIRef("https://w3id.org/kgqa/resource/Stanis_aw_Lem")}
    # The data lives in the server: a second project pointing at it sees the same graphs.
    with Engine.init(tmp_path / "other", config=config) as other:
        assert other.store.count() > 1000
