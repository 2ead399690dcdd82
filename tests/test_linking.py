"""Entity linking in questions: mentions, misspellings, shared labels, numbers, ranking."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kgqa.linking.labels import LabelIndex
from kgqa.linking.link import Linker
from kgqa.linking.mentions import detect
from kgqa.namespaces import RES
from kgqa.translate.minilm import get_numpy_encoder
from test_qa_support import domain_engine


@pytest.fixture(scope="module")
def linker() -> Linker:
    engine = domain_engine("sample")
    return Linker.build(engine.store, engine.ontology, encode=get_numpy_encoder().encode)


def link(linker: Linker, question: str):  # noqa: ANN201
    found = linker.detect(question)
    vector = get_numpy_encoder().encode([question])[0]
    linker.rank(found, vector)
    return found


def top(found, i: int = 0) -> URIRef:  # noqa: ANN001
    return found.mentions[i].candidates[0].iri


def test_exact_and_normalised_mentions(linker: Linker) -> None:
    found = link(linker, "did stanislaw lem write THE CYBERIAD?")
    assert [m.surface for m in found.mentions] == ["stanislaw lem", "THE CYBERIAD"]
    assert [top(found, i) for i in (0, 1)] == [RES.Stanis_aw_Lem, RES.The_Cyberiad]
    assert all(m.exact for m in found.mentions)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who wrote Neuromanser?", RES.Neuromancer),
        ("Where was Stanislav Lemm born?", RES.Stanis_aw_Lem),
        ("When was Foundaton and Empire published?", RES.Foundation_and_Empire),
        ("who directed blade runer", RES.Blade_Runner),
    ],
)
def test_misspelled_names_are_found_fuzzily(linker: Linker, question: str, expected: URIRef) -> None:
    found = link(linker, question)
    assert len(found.mentions) == 1
    assert not found.mentions[0].exact
    assert top(found) == expected


def test_shared_label_keeps_every_candidate_and_words_around_it_decide(linker: Linker) -> None:
    plain = link(linker, "Who directed Solaris?").mentions[0]
    assert {c.iri for c in plain.candidates} == {RES.Solaris, RES.Solaris_1972, RES.Solaris_2002}
    film = link(linker, "Who directed the film Solaris?").mentions[0]
    assert {c.iri for c in film.candidates[:2]} == {RES.Solaris_1972, RES.Solaris_2002}
    assert film.candidates[0].features["class"] > 0 and "class" not in film.candidates[2].features
    dated = link(linker, "Who directed the 2002 film Solaris?")
    assert top(dated) == RES.Solaris_2002
    assert dated.mentions[0].candidates[0].features["year"] > 0
    assert [(n.value, n.role) for n in dated.numbers] == [(2002, "disambiguator")]


def test_candidate_probabilities_expose_the_margin(linker: Linker) -> None:
    solaris = link(linker, "Who directed Solaris?").mentions[0].candidates
    assert abs(sum(c.features["prob"] for c in solaris) - 1.0) < 1e-9
    films = [c for c in solaris if c.iri != RES.Solaris]
    # Nothing in the question tells the two films apart: their scores stay within the tie margin.
    assert abs(films[0].score - films[1].score) < 0.05
    assert all("context" in c.features and "prior" in c.features for c in solaris)


@pytest.mark.parametrize(
    ("question", "numbers", "names"),
    [
        ("Which books by Isaac Asimov were published after 1950?", [(1950, "value")], ["Isaac Asimov"]),
        ("Who wrote 1984?", [], ["1984"]),
        ("Was Isaac Asimov born in 1920?", [(1920, "value")], ["Isaac Asimov"]),
        ("Who made the 2005 movie War of the Worlds?", [(2005, "disambiguator")], ["War of the Worlds"]),
        ("Who wrote Fahrenheit 451?", [], ["Fahrenheit 451"]),
    ],
)
def test_numbers_are_values_names_or_disambiguators(linker: Linker, question: str, numbers: list, names: list) -> None:
    found = linker.detect(question)
    assert [(n.value, n.role) for n in found.numbers] == numbers
    assert [m.surface for m in found.mentions] == names


def test_part_of_an_unknown_longer_name_is_not_a_mention(linker: Linker) -> None:
    # "Butler" is a city of the graph; "Octavia E. Butler" is nobody it knows.
    assert linker.detect("Where was Octavia E. Butler born?").mentions == []
    assert linker.detect("Who wrote Snow Crash?").mentions == []


def test_possessives_and_quotes(linker: Linker) -> None:
    found = link(linker, "How many of Arthur C. Clarke's novels won the 'Hugo Award'?")
    assert [top(found, i) for i in range(2)] == [RES.Arthur_C_Clarke, RES.Hugo_Award_for_Best_Novel]


def test_common_words_typed_in_lower_case_are_not_names() -> None:
    index = LabelIndex()
    index.add(URIRef("urn:x:award"), "Award")
    index.add(URIRef("urn:x:dune"), "Dune")
    found = detect(index, "which award did dune win?", vocabulary={"award", "win"})
    assert [m.surface for m in found.mentions] == ["dune"]
    assert [m.surface for m in detect(index, "Which Award did Dune win?", vocabulary={"award"}).mentions] == ["Award", "Dune"]


def test_a_title_of_common_words_is_a_name_when_quoted_or_set_as_a_title() -> None:
    index = LabelIndex()
    index.add(URIRef("urn:x:her"), "Her")
    index.add(URIRef("urn:x:home"), "Take Me Home")
    index.add(URIRef("urn:x:jonze"), "Spike Jonze")
    surfaces = lambda text: [m.surface for m in detect(index, text, vocabulary={"home"}).mentions]  # noqa: E731
    assert surfaces("Who directed Her?") == ["Her"]
    assert surfaces('Who sang "take me home"?') == ["take me home"]
    assert surfaces("Who sang Take Me Home?") == ["Take Me Home"]
    assert surfaces("Did Spike Jonze direct her film?") == ["Spike Jonze"]  # "her" is a word here
    assert surfaces("Her films are good") == []  # sentence-initial: a word
