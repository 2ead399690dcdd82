"""Verbalization: saying facts and answers as English sentences.

Every property gets a *template*, a sentence with ``{s}`` and ``{o}`` slots: the
ontology's ``kgqa:template`` ("{s} was written by {o}"), else one built from its
labels. The :class:`Verbalizer` fills templates with labels and formatted literals,
lists what shares a subject and predicate ("... wrote Foundation, I, Robot and The
Gods Themselves"), continues chains with relative clauses ("..., who was born in
Lviv"), phrases counts, yes/no answers and honest "I could not find ..." replies,
and marks each inferred fact with its confidence. An optional LLM may polish the
result; its text is kept only if it keeps every answer and names nothing new
(:mod:`kgqa.verbalize.rewrite`).

Templates can also be *learned* from texts aligned with triple sets
(:mod:`kgqa.verbalize.induce`): that is how ``kgqa bench verbalize`` says the WebNLG
triple sets (:class:`TripleSetVerbalizer`) and scores them against human references.

Public objects: :class:`Verbalizer`, :class:`VerbalizeError`, :func:`inferred_note`,
:class:`Lexicon`, :class:`TripleSetVerbalizer`.

Example:
    >>> from rdflib import Literal, URIRef, XSD
    >>> from kgqa.facts import Fact
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> v = Verbalizer(Ontology.from_files([bundled_ontology("scifi.ttl")]))
    >>> SF = "https://w3id.org/kgqa/scifi#"
    >>> solaris = URIRef("urn:x:solaris")
    >>> v.fact(Fact(solaris, "Solaris", URIRef(SF + "publicationYear"), Literal(1961), "1961"))
    'Solaris was published in 1961.'
    >>> v.fact(Fact(solaris, "Solaris", URIRef(SF + "author"), URIRef("urn:x:lem"), "Stanisław Lem",
    ...             inferred=True, confidence=0.83))
    'Solaris was written by Stanisław Lem (inferred by graph completion, confidence 0.83).'
"""

from kgqa.verbalize.induce import Lexicon
from kgqa.verbalize.triplesets import TripleSetVerbalizer
from kgqa.verbalize.verbalizer import VerbalizeError, Verbalizer, inferred_note

__all__ = ["Lexicon", "TripleSetVerbalizer", "VerbalizeError", "Verbalizer", "inferred_note"]
