"""The grammar check (real spaCy parser) and its run over every template and every rendered gold answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from kgqa.ontology import Ontology
from kgqa.verbalize import Verbalizer
from kgqa.verbalize.grammar import problems
from kgqa.verbalize.lexicon import plural_subject
from test_qa_support import COMPANIES, DOMAINS, GOLD2, answering_engine

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGIES = sorted({*ROOT.glob("ontologies/*.ttl"), *ROOT.glob("data/*/ontologies/*.ttl"), *(Path(o) for o, _, _ in DOMAINS.values())})
GOLD = {
    "sample": ROOT / "data" / "sample" / "gold" / "questions.tsv",
    "companies": COMPANIES / "questions.tsv",
    "gold2": GOLD2 / "gold" / "questions.tsv",
}


def test_the_check_finds_doubled_verbs_and_disagreement() -> None:
    assert problems("Lviv is appears on the map.") == ["doubled verb 'is appears'"]
    assert problems("The Martian was is a film.") == ["doubled verb 'was is'"]
    assert problems("Dune and Solaris are was filmed.")[0] == "doubled verb 'are was'"
    assert problems("Foundation, I, Robot and Dune was written by Isaac Asimov.") == [
        "'was' does not agree with the plural subject 'Foundation, I, Robot and Dune'"
    ]
    assert problems("There is 3 films.") == ["'is' does not agree with the plural subject '3 films'"]
    assert problems("Ann are a member of PEN Club.") == ["'are' does not agree with the singular subject 'Ann'"]
    # Right sentences pass; a participle after an auxiliary is no doubled verb; names are one subject.
    assert problems("Solaris was written by Stanisław Lem, who was born in Lviv, which is located in Ukraine.") == []
    assert problems("Tesla is based in Austin and has 3 products.") == []
    assert problems("Pride and Prejudice was written by Jane Austen.", ["Pride and Prejudice"]) == []
    assert problems("I don't know: the graph says nothing about the objective of Matterhorn.") == []
    publishers = ["Secker & Warburg", "Chatto & Windus", "Orbit Books", "Victor Gollancz Ltd", "London"]
    assert problems("Secker & Warburg, Chatto & Windus, Orbit Books and Victor Gollancz Ltd are headquartered in London.",
                    publishers) == []


@pytest.mark.parametrize("path", ONTOLOGIES, ids=lambda p: p.name)
def test_every_template_reads_right_with_one_or_several_subjects_and_objects(path: Path) -> None:
    ontology = Ontology.from_files([path])
    v = Verbalizer(ontology)
    wrong = []
    for iri in ontology.properties:
        frame = v.frame(URIRef(iri))
        sentences = [frame.template.replace("{s}", "Kim").replace("{o}", "Lee")]
        if frame.template.startswith("{s} "):  # only such templates list several subjects
            sentences.append(plural_subject(frame.template).replace("{s}", "Kim and Ann").replace("{o}", "Lee"))
        if frame.plural:
            sentences.append(frame.plural.replace("{s}", "Kim").replace("{o}", "Lee and Bo"))
        wrong += [(s, p) for s in sentences for p in problems(s[:1].upper() + s[1:])]
    assert not wrong


@pytest.mark.slow
@pytest.mark.parametrize("domain", sorted(GOLD))
def test_every_gold_answer_reads_right(domain: str) -> None:
    from kgqa.answer import ask
    from kgqa.bench.qa import read_gold

    engine = answering_engine(domain)
    wrong = []
    try:
        for gold in read_gold(GOLD[domain]):
            answer = ask(engine, gold.question)
            names = {f.subject_label for f in answer.facts} | {f.object_label for f in answer.facts}
            wrong += [(answer.text, p) for p in problems(answer.text, names)]
    finally:
        engine.close()
    assert not wrong
