"""The translator and what it stands on: structures, masking, lexicon, synthesis, training, files."""

from __future__ import annotations

import numpy as np
import pytest
from rdflib import Literal, URIRef

from kgqa.errors import KgqaError, QueryError
from kgqa.namespaces import RES, SF
from kgqa.ontology import Ontology, bundled_ontology
from kgqa.english import base_verb, plural
from kgqa.translate.examples import ExamplesError, read_examples
from kgqa.translate.lexicon import parse_template, property_words
from kgqa.translate.masking import mask_brackets, mask_spans
from kgqa.translate.minilm import get_numpy_encoder
from kgqa.translate.model import Translator, TranslatorError, path_signature
from kgqa.translate.phrasing import Phraser
from kgqa.translate.structure import Hop, LiteralFilter, QueryStructure
from kgqa.translate.synthesize import Synthesizer
from test_qa_support import domain_engine


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])


# -- structures and their SPARQL ---------------------------------------------------
def test_render_binds_values_inline_and_escapes_them() -> None:
    s = QueryStructure((Hop(SF.author, True),), "select", SF.Book, LiteralFilter(SF.publicationYear, ">"))
    text = s.render({"topic": [RES.Isaac_Asimov, RES.Ray_Bradbury], "value": Literal(1950)})
    assert "VALUES ?topic { <https://w3id.org/kgqa/resource/Isaac_Asimov> <https://w3id.org/kgqa/resource/Ray_Bradbury> }" in text
    assert 'VALUES ?value { "1950"^^<http://www.w3.org/2001/XMLSchema#integer> }' in text
    evil = s.render({"topic": RES.Solaris, "value": Literal('1" } } ; DROP ALL ; INSERT DATA { <a> <b> <c> } #')})
    engine = domain_engine("sample")
    before = engine.store.count()
    assert len(engine.sparql(evil)) == 0  # parses as one SELECT: the text stayed inside its literal
    assert engine.store.count() == before
    with pytest.raises(QueryError):
        s.render({"topic": URIRef("http://x> } DROP ALL {")})


def test_class_queries_and_constraints_round_trip_their_signatures() -> None:
    films = QueryStructure((), "count", SF.Film, LiteralFilter(SF.releaseYear, ">"))
    both = QueryStructure((Hop(SF.publisher, True),), "select", SF.Book, None, Hop(SF.award))
    for s in (films, both):
        assert QueryStructure.from_signature(s.signature()) == s
    assert not films.needs_topic and both.needs_other
    assert "?answer <https://w3id.org/kgqa/scifi#award> ?other" in both.to_sparql()
    with pytest.raises(QueryError):
        QueryStructure((), "select")  # no hops and no class: nothing to start from


def test_structures_run_on_the_store() -> None:
    engine = domain_engine("sample")
    films = QueryStructure((), "select", SF.Film, LiteralFilter(SF.releaseYear, ">"))
    rows = engine.sparql(films.render({"value": Literal(2010)})).rows
    assert {r[0] for r in rows} == {RES.Dune_2021, RES.Dune_Part_Two, RES.The_Martian_2015, RES.Ender_s_Game_2013}
    both = QueryStructure((Hop(SF.publisher, True),), "select", None, None, Hop(SF.award))
    rows = engine.sparql(both.render({"topic": RES.Tor_Books, "other": RES.Hugo_Award_for_Best_Novel})).rows
    assert {r[0] for r in rows} == {RES.Ender_s_Game, RES.Speaker_for_the_Dead, RES.The_Three_Body_Problem}
    facts = engine.sparql(both.facts_sparql({"topic": RES.Tor_Books, "other": RES.Hugo_Award_for_Best_Novel}))
    assert facts.vars == ["topic", "answer", "g1", "other", "gc"] and len(facts) == 3


# -- masking, words, phrasings ---------------------------------------------------------
def test_masking() -> None:
    assert mask_brackets("what movies did [Tom Hanks] star in with [Meg Ryan] after 1990") == "what movies did X star in with Y after N"
    assert mask_spans("Who directed the 1972 film Solaris?", [(17, 21, "drop"), (27, 34, "entity")]) == "Who directed the film X?"


def test_english_morphology() -> None:
    assert [plural(w) for w in ("book", "city", "person", "series", "country")] == ["books", "cities", "people", "series", "countries"]
    assert [base_verb(w) for w in ("wrote", "written", "directed", "published", "based", "died", "won")] == [
        "write", "write", "direct", "publish", "base", "die", "win"]


def test_lexicon_sorts_lexicalisations(onto: Ontology) -> None:
    author = property_words(onto, onto.property_by_name("author"), ["works"])
    assert "author" in author.nouns and "written by" not in author.nouns
    assert author.inverse_nouns == ["works"]
    passive = next(p for p in author.phrases if p.words == "written by")
    assert (passive.kind, passive.verb, passive.agent_is_subject) == ("be", "write", False)
    assert "who wrote" in author.forward_questions and "books by" in author.inverse_questions
    have = parse_template("{s} has {o} pages")
    assert (have.kind, have.tail) == ("have", "pages")
    won = parse_template("{s} won the {o}")
    assert (won.kind, won.verb, won.agent_is_subject) == ("verb", "win", True)


def test_phrasings_cover_each_form(onto: Ontology) -> None:
    words = {p: property_words(onto, onto.properties[p]) for p in onto.properties}
    ph = Phraser(words)

    def texts(items) -> set[str]:  # noqa: ANN001
        return {t if isinstance(t, str) else t[0] for t in items}

    assert {"who wrote X", "what is the author of X"} <= texts(ph.select(Hop(SF.author), "X"))
    assert {"which books did X write", "which books has X written"} <= texts(ph.select(Hop(SF.author, True), "X"))
    assert "where was X born" in texts(ph.select(Hop(SF.birthPlace), "X"))
    assert "when was X published" in texts(ph.select(Hop(SF.publicationYear), "X"))
    assert "how many films are based on X" in texts(ph.count(Hop(SF.basedOn, True), "X"))
    assert {"did Y write X", "was X written by Y"} <= texts(ph.ask(Hop(SF.author), "X", "Y"))
    assert "was X born in N" in texts(ph.ask_value(Hop(SF.birthYear), "X"))
    assert "which books by X were published after N" in texts(
        ph.filtered(Hop(SF.author, True), "X", words[SF.publicationYear], ">", "select"))
    assert "which films were released after N" in texts(ph.class_filter(words[SF.releaseYear].domain, words[SF.releaseYear], ">", "select"))
    films = [c for c in words[SF.releaseYear].domain.names if c.iri == SF.Film]
    assert {"how many films are there", "list all films"} <= texts(ph.class_members(films, "count") + ph.class_members(films, "select"))
    assert "which books published by X won the Y" in texts(ph.constrained(Hop(SF.publisher, True), "X", Hop(SF.award), "Y", "select"))
    assert "where was the author of X born" in texts(q for np_ in ph.paths([Hop(SF.author)]) for q in ph.select(Hop(SF.birthPlace), np_))


def test_synthesis_covers_the_graph_and_every_query_is_valid() -> None:
    engine = domain_engine("companies")
    synthesizer = Synthesizer(engine.ontology, engine.store, seed=3, max_three_hop=20)
    examples = synthesizer.examples(per_structure=4)
    kinds = {e.kind for e in examples}
    assert kinds == {"1hop", "2hop", "3hop", "count", "ask", "filter", "class-filter", "constraint", "class"}
    assert all(("X" in e.text) or not e.structure.hops for e in examples)
    for structure in {e.structure for e in examples}:
        bindings = {"topic": URIRef("urn:x:t"), "other": URIRef("urn:x:o"), "value": Literal(1)}
        engine.sparql(structure.render({k: v for k, v in bindings.items() if k != "other" or structure.needs_other}))
        assert all(h.property in engine.ontology.properties for h in structure.hops)


# -- user examples ---------------------------------------------------------------------
def test_examples_file(tmp_path, onto: Ontology) -> None:  # noqa: ANN001
    good = tmp_path / "examples.tsv"
    good.write_text("# comment\nWho penned [Solaris]?\tselect|author\nBooks by [Lem] after 1960\tselect|author^-1|class:Book|filter:publicationYear>\n")
    pairs = read_examples(good, onto)
    assert pairs[0] == ("Who penned X?", QueryStructure((Hop(SF.author),)))
    assert pairs[1][0] == "Books by X after N" and pairs[1][1].filter == LiteralFilter(SF.publicationYear, ">")
    bad = tmp_path / "bad.tsv"
    bad.write_text("Who wrote [X]?\tselect|author\nWho drew [X]?\tselect|illustrator\n")
    with pytest.raises(ExamplesError, match=r"bad.tsv:2: no property named 'illustrator'"):
        read_examples(bad, onto)


# -- the model ---------------------------------------------------------------------------
PAIRS = [
    ("who wrote X", QueryStructure((Hop(SF.author),))),
    ("who is the author of X", QueryStructure((Hop(SF.author),))),
    ("which books did X write", QueryStructure((Hop(SF.author, True),), "select", SF.Book)),
    ("what did X write", QueryStructure((Hop(SF.author, True),))),
    ("where was X born", QueryStructure((Hop(SF.birthPlace),))),
    ("what is the birthplace of X", QueryStructure((Hop(SF.birthPlace),))),
    ("how many books did X write", QueryStructure((Hop(SF.author, True),), "count", SF.Book)),
    ("did X write Y", QueryStructure((Hop(SF.author, True),), "ask")),
]


def test_translator_trains_saves_and_loads_with_identical_predictions(tmp_path) -> None:  # noqa: ANN001
    t = Translator.train(PAIRS, epochs=80, validation=0.0, progress=False, curves=tmp_path / "curves.png")
    assert (tmp_path / "curves.png").stat().st_size > 0
    questions = ["who was the writer of X", "which novels did X write", "where is X from", "how many books has X written"]
    before = t.predict_batch(questions, k=3)
    assert before[0][0].structure == QueryStructure((Hop(SF.author),))
    assert before[1][0].structure == QueryStructure((Hop(SF.author, True),), "select", SF.Book)
    assert all(abs(sum(r.prob for r in t.predict(q, k=len(t.labels))) - 1) < 1e-4 for q in questions[:1])
    structure, prob = before[0][0]  # readings unpack like (structure, prob) pairs
    assert structure == before[0][0].structure and prob == before[0][0].prob
    loaded = Translator.load(t.save(tmp_path / "translator"))
    after = loaded.predict_batch(questions, k=3)
    assert [[(r.signature, r.answer_class) for r in rs] for rs in after] == [[(r.signature, r.answer_class) for r in rs] for rs in before]
    assert np.allclose([r.prob for rs in after for r in rs], [r.prob for rs in before for r in rs])
    assert loaded.labels == sorted({path_signature(s) for _, s in PAIRS})


def test_missing_translator_is_a_clear_error(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(TranslatorError, match="kgqa train translator"):
        Translator.load(tmp_path)
    with pytest.raises(KgqaError):
        Translator.train([])


@pytest.mark.parametrize("backend", ["numpy", "onnxruntime"])
def test_torch_free_encoder_matches_the_torch_encoder(backend: str) -> None:
    from kgqa.models.encoder import get_encoder

    texts = ["Who wrote X?", "Which books by X were published after N?", "Did X win the Y?"]
    torch_vectors = get_encoder().encode(texts)
    encoder = get_numpy_encoder(backend=backend)
    assert encoder.backend == backend
    assert np.abs(encoder.encode(texts) - torch_vectors).max() < 1e-4
    # One at a time (no padding) and in a padded batch, cached or not: the same vectors.
    single = np.stack([encoder.encode([t], cache=False)[0] for t in texts])
    assert np.abs(single - torch_vectors).max() < 1e-4
