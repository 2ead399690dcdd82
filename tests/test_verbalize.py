"""Verbalizer: templates from the ontology and from labels, aggregation, chains, counts, yes/no,
not found, inferred facts, literals."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, XSD, Literal, URIRef

from kgqa.errors import KgqaError
from kgqa.facts import Fact
from kgqa.ontology import Ontology, bundled_ontology
from kgqa.verbalize import VerbalizeError, Verbalizer
from kgqa.verbalize.lexicon import label_template, plural_subject, predicate_words
from kgqa.verbalize.text import format_literal, join_list

SF = "https://w3id.org/kgqa/scifi#"
R = "https://w3id.org/kgqa/resource/"
EX = "http://example.org/onto#"

# Properties without kgqa:template: the verbalizer must build one from the labels.
SMALL_ONTOLOGY = """
@prefix ex: <http://example.org/onto#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:Human a owl:Class ; rdfs:label "human"@en .
ex:Writer a owl:Class ; rdfs:subClassOf ex:Human ; rdfs:label "writer"@en .
ex:Town a owl:Class ; rdfs:label "town"@en .
ex:placeOfBirth a owl:ObjectProperty ; rdfs:label "place of birth"@en ; skos:altLabel "born in"@en ;
    rdfs:domain ex:Writer ; rdfs:range ex:Town .
ex:locatedIn a owl:ObjectProperty ; rdfs:label "located in"@en ; rdfs:domain ex:Town ; rdfs:range ex:Town .
ex:population a owl:DatatypeProperty ; rdfs:label "population"@en ; rdfs:domain ex:Town ; rdfs:range xsd:integer .
ex:mentor a owl:ObjectProperty ; rdfs:label "mentor"@en ; rdfs:domain ex:Writer ; rdfs:range ex:Writer .
ex:Film a owl:Class ; rdfs:label "film"@en .
ex:Club a owl:Class ; rdfs:label "club"@en .
ex:runtime a owl:DatatypeProperty ; rdfs:label "runtime"@en ; rdfs:comment "Running time in minutes."@en ;
    rdfs:domain ex:Film ; rdfs:range xsd:decimal .
ex:budget a owl:DatatypeProperty ; rdfs:label "budget"@en ; rdfs:domain ex:Film ; rdfs:range xsd:double .
ex:editing a owl:ObjectProperty ; rdfs:label "editing"@en ; rdfs:domain ex:Film ; rdfs:range ex:Writer .
ex:foundingYear a owl:DatatypeProperty ; rdfs:label "founding year"@en ; rdfs:domain ex:Club ; rdfs:range xsd:gYear .
ex:memberOf a owl:ObjectProperty ; rdfs:label "member of"@en ; rdfs:domain ex:Writer ; rdfs:range ex:Club .
ex:producer a owl:ObjectProperty ; rdfs:label "producer"@en ; rdfs:domain ex:Film ; rdfs:range ex:Writer .
ex:prize a owl:ObjectProperty ; rdfs:label "prize"@en ; rdfs:domain ex:Film .
ex:motto a owl:DatatypeProperty ; rdfs:label "motto"@en ; rdfs:domain ex:Club ; rdfs:range rdf:langString .
"""


@pytest.fixture(scope="module")
def scifi() -> Verbalizer:
    return Verbalizer(Ontology.from_files([bundled_ontology("scifi.ttl")]))


@pytest.fixture(scope="module")
def small_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("onto") / "small.ttl"
    path.write_text(SMALL_ONTOLOGY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(small_path: Path) -> Verbalizer:
    return Verbalizer(Ontology.from_files([small_path]))


def fact(s: str, s_label: str, p: str, o: str | Literal, o_label: str = "", **kw: object) -> Fact:
    obj = o if isinstance(o, Literal) else URIRef(R + o)
    return Fact(URIRef(R + s), s_label, URIRef(p), obj, o_label or str(o), **kw)  # type: ignore[arg-type]


def asimov_books() -> list[Fact]:
    titles = [("Foundation", "Foundation"), ("I_Robot", "I, Robot"), ("Gods", "The Gods Themselves")]
    return [fact(iri, label, SF + "author", "Asimov", "Isaac Asimov") for iri, label in titles]


# -- one fact ---------------------------------------------------------------------------
def test_fact_uses_the_ontology_template(scifi: Verbalizer) -> None:
    f = fact("TBP", "The Three-Body Problem", SF + "author", "Liu", "Liu Cixin")
    assert scifi.fact(f) == "The Three-Body Problem was written by Liu Cixin."
    assert scifi.template(URIRef(SF + "award")) == "{s} won the {o}"


def test_years_numbers_dates_and_language_tagged_literals(scifi: Verbalizer) -> None:
    year = fact("Solaris", "Solaris", SF + "publicationYear", Literal("1961", datatype=XSD.integer))
    assert scifi.fact(year) == "Solaris was published in 1961."
    pages = fact("Dune", "Dune", SF + "pages", Literal(1412))
    assert scifi.fact(pages) == "Dune has 1412 pages."
    assert format_literal(Literal(1234567)) == "1,234,567"
    assert format_literal(Literal("1961", datatype=XSD.gYear)) == "1961"
    assert format_literal(Literal("1921-09-12", datatype=XSD.date)) == "12 September 1921"
    assert format_literal(Literal("2.50", datatype=XSD.decimal)) == "2.5"
    assert format_literal(Literal("Solaris", lang="pl")) == "Solaris"


def test_templates_built_from_labels_when_the_ontology_has_none(small: Verbalizer) -> None:
    # The alt label "born in" reads as a verb and beats the noun label "place of birth".
    assert small.template(URIRef(EX + "placeOfBirth")) == "{s} was born in {o}"
    assert small.template(URIRef(EX + "locatedIn")) == "{s} is located in {o}"
    assert small.template(URIRef(EX + "population")) == "{s}'s population is {o}"
    # A predicate the ontology does not know: its name split from camelCase.
    assert small.template(URIRef("http://other.org/numberOfStudents")) == "{s}'s number of students is {o}"
    town = fact("Lviv", "Lviv", EX + "population", Literal(717273))
    assert small.fact(town) == "Lviv's population is 717,273."


def test_plain_owl_properties_are_said_from_their_words(small: Verbalizer) -> None:
    # No kgqa:template anywhere: frames come from the labels' words and the ranges.
    film = ("Solaris72", "Solaris")
    assert small.fact(fact(*film, EX + "editing", "Nina", "Nina Gorbacheva")) == "Solaris was edited by Nina Gorbacheva."
    assert small.fact(fact("Lem", "Stanisław Lem", EX + "memberOf", "PEN", "PEN Club")) == (
        "Stanisław Lem is a member of PEN Club."
    )
    founded = fact("PEN", "PEN Club", EX + "foundingYear", Literal("0921", datatype=XSD.gYear))
    assert small.fact(founded) == "PEN Club was founded in 921."
    # Numbers by datatype, with the unit the property's comment names.
    assert small.fact(fact(*film, EX + "runtime", Literal("98.0", datatype=XSD.decimal))) == "Solaris's runtime is 98 minutes."
    assert small.fact(fact(*film, EX + "budget", Literal("2000000.0", datatype=XSD.double))) == (
        "Solaris's budget is 2,000,000."
    )
    # Several objects: the noun and the verb agree; a count says the property's noun.
    prizes = [fact(*film, EX + "prize", p, label) for p, label in [("GP", "Grand Prix"), ("FP", "FIPRESCI Prize")]]
    assert small.facts(prizes) == "Solaris's prizes are Grand Prix and FIPRESCI Prize."
    assert small.answer("count", prizes, count=2) == "Solaris has 2 prizes: Grand Prix and FIPRESCI Prize."
    # Two verbs with one agent share it.
    made = [fact(*film, EX + p, "Nina", "Nina Gorbacheva") for p in ("editing", "producer")]
    assert small.facts(made) == "Solaris was edited and produced by Nina Gorbacheva."


def test_language_tagged_literals_follow_the_users_language(small_path: Path) -> None:
    mottos = [fact("PEN", "PEN Club", EX + "motto", Literal(text, lang=lang))
              for text, lang in [("Freedom to write", "en"), ("Liberté d'écrire", "fr")]]
    ontology = Ontology.from_files([small_path])
    assert Verbalizer(ontology).facts(mottos) == "PEN Club's motto is Freedom to write."
    assert Verbalizer(ontology, language="fr").facts(mottos) == "PEN Club's motto is Liberté d'écrire."
    # None in the user's language: one language is said, not a mix.
    assert Verbalizer(ontology, language="de").facts(mottos) == "PEN Club's motto is Freedom to write."


def test_label_helpers() -> None:
    assert predicate_words("elevationAboveTheSeaLevel") == "elevation above the sea level"
    assert predicate_words("http://dbpedia.org/ontology/ISBN") == "ISBN"
    assert label_template("part of") == "{s} is part of {o}"
    assert label_template("has genre") == "{s} has genre {o}"
    assert plural_subject("{s} has {o}") == "{s} have {o}"
    assert plural_subject("{s} carries {o}") == "{s} carry {o}"
    assert join_list(["a"]) == "a" and join_list(["a", "b"]) == "a and b"


# -- several facts ------------------------------------------------------------------------
def test_facts_sharing_subject_and_predicate_become_one_list() -> None:
    v = Verbalizer(Ontology.from_files([bundled_ontology("scifi.ttl")]))
    dune = [fact("Dune", "Dune", SF + "award", a, label) for a, label in [("Hugo", "Hugo Award"), ("Nebula", "Nebula Award")]]
    assert v.facts(dune) == "Dune won the Hugo Award and Nebula Award."


def test_facts_sharing_predicate_and_object_list_the_subjects_with_agreement(scifi: Verbalizer) -> None:
    text = scifi.facts(asimov_books())
    assert text == "Foundation, I, Robot and The Gods Themselves were written by Isaac Asimov."
    assert scifi.facts(asimov_books()[:1]) == "Foundation was written by Isaac Asimov."


def test_long_lists_are_cut_with_a_count_of_the_rest(scifi: Verbalizer) -> None:
    books = [fact(f"B{i}", f"Book {i}", SF + "author", "Asimov", "Isaac Asimov") for i in range(14)]
    assert scifi.facts(books) == (
        "Book 0, Book 1, Book 2, Book 3, Book 4, Book 5, Book 6, Book 7, Book 8, Book 9 and 4 more "
        "were written by Isaac Asimov."
    )


def test_chains_continue_with_who_for_people_and_which_for_things(scifi: Verbalizer, small: Verbalizer) -> None:
    solaris = fact("Solaris", "Solaris", SF + "author", "Lem", "Stanisław Lem")
    born = fact("Lem", "Stanisław Lem", SF + "birthPlace", "Lviv", "Lviv")
    country = fact("Lviv", "Lviv", SF + "country", "Ukraine", "Ukraine")
    assert scifi.facts([solaris, born]) == "Solaris was written by Stanisław Lem, who was born in Lviv."
    assert scifi.facts([solaris, born, country]) == (
        "Solaris was written by Stanisław Lem, who was born in Lviv, which is located in Ukraine."
    )
    # "who" comes from the range class being a person (here through rdfs:subClassOf ex:Human).
    mentor = fact("A", "Ann", EX + "mentor", "B", "Bea")
    born_b = fact("B", "Bea", EX + "placeOfBirth", "Town", "Oakham")
    assert small.facts([mentor, born_b]) == "Ann's mentor is Bea, who was born in Oakham."


def test_statements_about_one_subject_are_joined(scifi: Verbalizer) -> None:
    facts = [
        fact("Lem", "Stanisław Lem", SF + "birthPlace", "Lviv", "Lviv"),
        fact("Lem", "Stanisław Lem", SF + "deathYear", Literal(2006)),
        fact("Lem", "Stanisław Lem", SF + "nationality", "Poland", "Poland"),
    ]
    assert scifi.facts(facts) == "Stanisław Lem was born in Lviv, died in 2006 and is a national of Poland."


# -- answers --------------------------------------------------------------------------------
def test_select_answer_and_not_found(scifi: Verbalizer) -> None:
    assert scifi.answer("select", asimov_books()[:2]) == "Foundation and I, Robot were written by Isaac Asimov."
    assert scifi.answer("select", [], missing="who wrote Foo?") == "I could not find who wrote Foo."
    assert scifi.answer("select", [], missing="an entity named Foo") == "I could not find an entity named Foo."
    assert scifi.answer("select", []) == "I could not find an answer."


def test_topic_facts_come_first(scifi: Verbalizer) -> None:
    year = fact("Solaris", "Solaris", SF + "publicationYear", Literal(1961))
    other = fact("Dune", "Dune", SF + "publicationYear", Literal(1965))
    assert scifi.answer("select", [other, year], topic=URIRef(R + "Solaris")).startswith("Solaris")
    assert scifi.answer("select", [other, year], topic="Solaris").startswith("Solaris")


def test_count_of_subjects_uses_the_domain_class(scifi: Verbalizer) -> None:
    books = asimov_books()
    assert scifi.answer("count", books, count=3) == (
        "3 books were written by Isaac Asimov: Foundation, I, Robot and The Gods Themselves."
    )
    # More than the facts shown: the count is said without a list.
    assert scifi.answer("count", books, count=25) == "25 books were written by Isaac Asimov."
    one = scifi.answer("count", books[:1], count=1, topic=URIRef(R + "Asimov"))
    assert one == "1 book was written by Isaac Asimov."


def test_count_of_objects_uses_the_range_class_and_drops_the_article(scifi: Verbalizer) -> None:
    awards = [fact("Dune", "Dune", SF + "award", a, label) for a, label in [("Hugo", "Hugo Award"), ("Nebula", "Nebula Award")]]
    assert scifi.answer("count", awards, count=2) == "Dune won 2 awards: Hugo Award and Nebula Award."


def test_count_without_facts(scifi: Verbalizer) -> None:
    assert scifi.answer("count", [], count=0, missing="books by Foo") == "I could not find books by Foo."


def test_ask_yes_and_no(scifi: Verbalizer) -> None:
    solaris = fact("Solaris", "Solaris", SF + "author", "Lem", "Stanisław Lem")
    assert scifi.answer("ask", [solaris], boolean=True) == "Yes, Solaris was written by Stanisław Lem."
    # "Was Solaris written by Asimov?": no, and the fact that says who did.
    assert scifi.answer("ask", [solaris], boolean=False) == "No, Solaris was written by Stanisław Lem."
    assert scifi.answer("ask", [], boolean=False, missing="a book called Foo") == "No, I could not find a book called Foo."
    assert scifi.answer("ask", [], boolean=True) == "Yes."


def test_inferred_facts_are_marked_each_with_its_confidence(scifi: Verbalizer) -> None:
    lem = fact("Solaris", "Solaris", SF + "author", "Lem", "Stanisław Lem", inferred=True, confidence=0.83)
    assert scifi.fact(lem) == "Solaris was written by Stanisław Lem (inferred by graph completion, confidence 0.83)."
    awards = [
        fact("Dune", "Dune", SF + "award", "Hugo", "Hugo Award"),
        fact("Dune", "Dune", SF + "award", "Locus", "Locus Award", inferred=True, confidence=0.61),
    ]
    assert scifi.facts(awards) == (
        "Dune won the Hugo Award and Locus Award (inferred by graph completion, confidence 0.61)."
    )
    books = [*asimov_books(), fact("Nightfall", "Nightfall", SF + "author", "Asimov", "Isaac Asimov",
                                   inferred=True, confidence=0.7)]
    assert scifi.answer("count", books, count=4).endswith(
        "The Gods Themselves and Nightfall (inferred by graph completion, confidence 0.70)."
    )
    assert "(1 of them inferred by graph completion, confidence 0.70 or more)" in scifi.answer("count", books, count=40)


def test_unknown_form_is_a_user_error(scifi: Verbalizer) -> None:
    with pytest.raises(VerbalizeError, match="unknown answer form 'list'"):
        scifi.answer("list", asimov_books())
    assert issubclass(VerbalizeError, KgqaError)


def test_rewrite_without_an_llm_keeps_the_text(scifi: Verbalizer) -> None:
    assert scifi.rewrite("Solaris was written by Stanisław Lem.", [], ["Stanisław Lem"]) == (
        "Solaris was written by Stanisław Lem."
    )


def test_count_of_a_class_through_a_filter_counts_the_subjects(scifi: Verbalizer) -> None:
    # "How many films were released after 2010?": no topic, the facts are the filter's values.
    films = [("Martian", "The Martian", 2015), ("Dune21", "Dune", 2021), ("Enders", "Ender's Game", 2013)]
    facts = [fact(iri, label, SF + "releaseYear", Literal(year)) for iri, label, year in films]
    assert scifi.answer("count", facts, count=3) == (
        "There are 3 films: The Martian, Dune and Ender's Game. The Martian was released in 2015. "
        "Dune was released in 2021. Ender's Game was released in 2013."
    )


def test_the_members_of_a_class_are_counted_and_listed(scifi: Verbalizer) -> None:
    people = [Fact(URIRef(f"{R}P{i}"), f"Person {i}", RDF.type, URIRef(SF + "Person"), "person") for i in range(12)]
    assert scifi.answer("select", people[:2]) == "There are 2 people: Person 0 and Person 1."
    assert scifi.answer("count", people, count=40) == (
        "There are 40 people: Person 0, Person 1, Person 2, Person 3, Person 4, Person 5, Person 6, Person 7, "
        "Person 8, Person 9 and 30 more."
    )


def test_the_second_gold_domains_plain_ontology() -> None:
    # data/gold2: labels, comments and ranges only, as a new user's ontology would be.
    mt = "http://example.org/mountaineering#"
    path = Path(__file__).resolve().parents[1] / "data" / "gold2" / "ontologies" / "mountaineering.ttl"
    if not path.is_file():
        pytest.skip(f"{path} absent")
    v = Verbalizer(Ontology.from_files([path]))
    k2 = [fact("K2", "K2", mt + "firstAscentBy", p, label) for p, label in [("LL", "Lino Lacedelli"), ("AC", "Achille Compagnoni")]]
    assert v.facts(k2) == "K2 was first climbed by Lino Lacedelli and Achille Compagnoni."
    # The unit comes from the comment ("..., in metres."), thousands grouped for a measure.
    assert v.fact(fact("Everest", "Mount Everest", mt + "elevation", Literal(8849))) == (
        "Mount Everest's elevation is 8,849 metres."
    )
    assert v.fact(fact("Matterhorn", "Matterhorn", mt + "firstAscentYear", Literal(1865))) == (
        "The first ascent of Matterhorn was in 1865."
    )
    assert v.fact(fact("Everest", "Mount Everest", mt + "namedAfter", "GE", "George Everest")) == (
        "Mount Everest is named after George Everest."
    )
    # A noun property continues a chain with "whose"; several subjects of one object share it.
    about = fact("ITA", "Into Thin Air", mt + "about", "Everest", "Mount Everest")
    himalaya = [fact(m, label, mt + "mountainRange", "Him", "Himalayas") for m, label in [("Everest", "Mount Everest"), ("K2", "K2")]]
    assert v.facts([about, himalaya[0]]) == "Into Thin Air's main subject is Mount Everest, whose mountain range is Himalayas."
    assert v.facts(himalaya) == "The mountain range of Mount Everest and K2 is Himalayas."
