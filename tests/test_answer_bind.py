"""Binding readings to the names and classes a question gives (no translator needed: readings are given)."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kgqa.answer.bind import plans
from kgqa.linking.link import Linker
from kgqa.namespaces import RES, SF
from kgqa.translate.model import Reading
from kgqa.translate.structure import Hop
from test_qa_support import domain_engine


@pytest.fixture(scope="module")
def linker() -> Linker:
    engine = domain_engine("sample")
    yield Linker.build(engine.store, engine.ontology)
    engine.close()


def signature(*hops: Hop, form: str = "select") -> str:
    return "|".join([form, *(h.token() for h in hops)])


def test_the_class_asked_for_is_read_from_the_words(linker: Linker) -> None:
    assert linker.detect("In which country was the author of Solaris born?").asked == {SF.Country}
    assert linker.detect("How many films are based on Dune?").asked == {SF.Film}
    assert linker.detect("Who wrote Solaris?").asked == frozenset()


def test_a_path_ending_at_cities_is_finished_to_the_country_asked_for(linker: Linker) -> None:
    found = linker.detect("In which country was the author of The Three-Body Problem born?")
    linker.rank(found)
    to_city = Reading(signature(Hop(SF.author), Hop(SF.birthPlace)), 0.6)
    to_year = Reading(signature(Hop(SF.author), Hop(SF.birthYear)), 0.3)
    best, *rest = plans([to_city, to_year], found, linker.ontology)
    assert best.structure.hops == (Hop(SF.author), Hop(SF.birthPlace), Hop(SF.country))
    assert best.bindings["topic"] == [RES.The_Three_Body_Problem]
    # A year cannot be a country: that reading stays, far behind.
    assert rest[0].structure.hops[-1] == Hop(SF.birthYear) and rest[0].score < 0.2 * best.score
    # Without a class in the question nothing is added.
    plain = linker.detect("Where was the author of The Three-Body Problem born?")
    linker.rank(plain)
    assert plans([to_city], plain, linker.ontology)[0].structure.hops[-1] == Hop(SF.birthPlace)


def test_a_yes_no_question_about_a_misfit_is_still_a_yes_no_question(linker: Linker) -> None:
    # "Poland" cannot be a birthplace (a country); the answer is "no", not a list of birthplaces.
    found = linker.detect("Was Ursula K. Le Guin born in Poland?")
    linker.rank(found)
    ask = Reading(signature(Hop(SF.birthPlace), form="ask"), 0.8)
    select = Reading(signature(Hop(SF.birthPlace)), 0.05)
    best = plans([ask, select], found, linker.ontology)[0]
    assert best.structure.form == "ask" and best.bindings["other"] == [URIRef(RES.Poland)]
