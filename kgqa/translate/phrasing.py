"""Questions in many phrasings for one query structure, from the ontology's words.

:class:`Phraser` writes masked questions: ``X`` is the topic entity, ``Y`` a
second entity (yes/no questions), ``N`` a number. For a path of hops, the inner
hops become a noun phrase around ``X`` ("the author of X", "the book that X is
based on", "the city where X was born") and the last hop becomes the question
("Where was <NP> born?", "Which books did <NP> write?", "How many films are
based on <NP>?", "Was <NP> written by Y?", "Which books by <NP> were published
after N?"). Every phrasing is built from a :class:`~kgqa.translate.lexicon.PropertyWords`,
so a new ontology gets its own questions; the answer class a question names
("which *books*") is returned with it.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from kgqa.translate.lexicon import property_words
    >>> from kgqa.translate.structure import Hop
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> words = {p: property_words(onto, onto.properties[p]) for p in onto.properties}
    >>> phraser = Phraser(words)
    >>> author = onto.property_by_name("author").iri
    >>> texts = [t for t, _ in phraser.select(Hop(author, inverse=True), "X")]
    >>> "which books did X write" in texts and "who wrote X" in [t for t, _ in phraser.select(Hop(author), "X")]
    True
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from kgqa.english import gerund, past_participle, past_tense, plural
from kgqa.translate.lexicon import ClassName, Phrase, PropertyWords, Side
from kgqa.translate.structure import Hop

Question = tuple[str, URIRef | None]

#: Comparison words by operator, for years and for other numbers.
YEAR_COMPARISONS = {
    ">": ("after", "later than"),
    "<": ("before", "earlier than", "prior to"),
    "=": ("in",),
    ">=": ("since", "in or after"),
    "<=": ("until", "in or before", "no later than"),
}
NUMBER_COMPARISONS = {
    ">": ("more than", "over", "greater than"),
    "<": ("fewer than", "less than", "under"),
    "=": ("exactly",),
    ">=": ("at least",),
    "<=": ("at most",),
}
_TWIN = {"is": "was", "was": "is", "are": "were", "were": "are"}
_PLURAL_AUX = {"is": "are", "was": "were"}


def _auxes(aux: str, plural: bool = False) -> list[str]:
    base = _PLURAL_AUX.get(aux, aux) if plural else aux
    return [base, _TWIN.get(base, base)]


class Phraser:
    """Phrasings of hops, paths and query forms for one ontology's :class:`PropertyWords`."""

    def __init__(self, words: dict[URIRef, PropertyWords]) -> None:
        self.words = words

    def _sides(self, hop: Hop) -> tuple[PropertyWords, Side, Side]:
        """The property's words, the side the hop arrives at, and the side it starts from."""
        w = self.words[hop.property]
        return (w, w.domain, w.range) if hop.inverse else (w, w.range, w.domain)

    # -- noun phrases for the inner hops of a path ----------------------------------
    def noun_phrases(self, hop: Hop, inner: str) -> list[str]:
        """Ways of naming what ``hop`` reaches from ``inner`` ("the author of X")."""
        w, answer, _ = self._sides(hop)
        out: list[str] = []
        names = answer.names[:4]
        if not hop.inverse:
            for n in w.nouns:
                out.append(f"the {n} of {inner}")
                if inner == "X":
                    out.append(f"X's {n}")
            for ph in w.phrases:
                if ph.kind == "be" and ph.verb and not ph.agent_is_subject:
                    who = "who" if answer.wh == "who" else "that"
                    out += [f"the {c.singular} {who} {past_tense(ph.verb)} {inner}" for c in names]
                elif ph.kind == "be" and ph.final_prep:
                    for c in names:
                        out += [f"the {c.singular} that {inner} {ph.aux} {ph.closing}", f"the {c.singular} {inner} {ph.aux} {ph.closing}"]
                        if answer.wh == "where":
                            out.append(f"the {c.singular} where {inner} {ph.aux} {ph.bare}")
                elif ph.kind == "verb" and ph.agent_is_subject:
                    first = ph.words.split()[0]
                    out += [f"the {c.singular} that {inner} {first}" for c in names]
        else:
            for ph in w.phrases:
                if ph.kind == "be":
                    for c in names:
                        out += [f"the {c.plural} {ph.closing} {inner}", f"the {c.singular} {ph.closing} {inner}"]
                    if ph.noun_head:
                        out.append(f"the {ph.closing} {inner}")
                    if ph.verb and not ph.agent_is_subject:
                        out += [f"the {c.plural} that {inner} {past_tense(ph.verb)}" for c in names]
                        out += [f"the {c.plural} {inner} {past_tense(ph.verb)}" for c in names]
                elif ph.kind == "verb" and ph.agent_is_subject:
                    out += [f"the {c.plural} that {ph.closing} {inner}" for c in names]
            out += [f"the {n} of {inner}" for n in w.inverse_nouns]
            out += [f"the {c.plural} whose {n} is {inner}" for n in w.nouns for c in names[:2]]
        return out

    def paths(self, hops: Iterable[Hop], topic: str = "X") -> list[str]:
        """Noun phrases for a sequence of inner hops, nested from ``topic`` outwards."""
        phrases = [topic]
        for hop in hops:
            phrases = [np for inner in phrases for np in self.noun_phrases(hop, inner)]
        return phrases

    # -- the question for the last hop --------------------------------------------------
    def select(self, hop: Hop, t: str) -> list[Question]:
        """Questions asking for what ``hop`` reaches from ``t``."""
        return self._forward(hop, t) if not hop.inverse else self._inverse(hop, t)

    def _forward(self, hop: Hop, t: str) -> list[Question]:
        w, answer, _ = self._sides(hop)
        out: list[Question] = []
        wh = answer.wh
        who = wh == "who"
        for n in w.nouns:
            out += [(f"what is the {n} of {t}", None), (f"what was the {n} of {t}", None),
                    (f"what's the {n} of {t}", None), (f"name the {n} of {t}", None),
                    (f"tell me the {n} of {t}", None), (f"give me the {n} of {t}", None),
                    (f"the {n} of {t}", None), (f"what are the {plural(n)} of {t}", None),
                    (f"list the {plural(n)} of {t}", None)]
            if who:
                out += [(f"who is the {n} of {t}", None), (f"who was the {n} of {t}", None),
                        (f"who are the {plural(n)} of {t}", None), (f"who were the {plural(n)} of {t}", None)]
            if t == "X":
                out += [(f"X's {n}", None), (f"what is X's {n}", None)]
            out += [(f"which {c.singular} is the {n} of {t}", c.iri) for c in answer.names]
            if wh == "when":
                out += [(f"when is the {n} of {t}", None)]
        for ph in w.phrases:
            out += self._forward_phrase(ph, w, answer, t)
        for q in w.forward_questions:
            out.append((f"{q} {t}", None))
            last = q.split()[-1]
            for ph in w.phrases:
                if last in _TWIN and ph.kind == "be":
                    out.append((f"{q} {t} {ph.bare if wh in ('where', 'when') else ph.closing}", None))
                elif last in ("did", "does") and ph.kind == "verb" and ph.agent_is_subject:
                    out.append((f"{q} {t} {_verb_rest(ph)}", None))
                elif last in ("did", "does") and ph.verb and not ph.agent_is_subject:
                    out.append((f"{q} {t} {ph.verb}", None))
        return out

    def _forward_phrase(self, ph: Phrase, w: PropertyWords, answer: Side, t: str) -> list[Question]:
        out: list[Question] = []
        wh = answer.wh
        if ph.kind == "be":
            for aux in _auxes(ph.aux):
                if wh in ("where", "when") and ph.final_prep in ("in", "at", "on", None):
                    out += _wh_questions(wh, f"{aux} {t} {ph.bare}")
                else:
                    out.append((f"{'who' if wh == 'who' else 'what'} {aux} {t} {ph.closing}", None))
                for c in answer.names:
                    out.append((f"which {c.singular} {aux} {t} {ph.closing}", c.iri))
                    if ph.final_prep:
                        out.append((f"{ph.final_prep} which {c.singular} {aux} {t} {ph.bare}", c.iri))
                        out.append((f"{ph.final_prep} what {c.singular} {aux} {t} {ph.bare}", c.iri))
                if ph.participle:
                    out.append((f"by whom {aux} {t} {ph.participle}", None))
            if ph.verb and not ph.agent_is_subject:
                past = past_tense(ph.verb)
                if wh == "who":
                    out.append((f"who {past} {t}", None))
                out += [(f"which {c.singular} {past} {t}", c.iri) for c in answer.names]
                out += [(f"what {c.singular} {past} {t}", c.iri) for c in answer.names]
        elif ph.kind == "verb" and ph.agent_is_subject:
            rest = _verb_rest(ph)
            if wh in ("where", "when"):
                out += _wh_questions(wh, f"did {t} {rest}")
            else:
                out.append((f"what did {t} {rest}", None))
                for c in answer.names:
                    out += [(f"which {c.plural} did {t} {rest}", c.iri), (f"what {c.plural} did {t} {rest}", c.iri),
                            (f"which {c.singular} did {t} {rest}", c.iri)]
        elif ph.kind == "verb":
            if wh == "who":
                out.append((f"who {ph.words} {t}", None))
            out += [(f"which {c.singular} {ph.words} {t}", c.iri) for c in answer.names]
        elif ph.kind == "have":
            out += [(f"how many {ph.tail} does {t} have", None), (f"how many {ph.tail} did {t} have", None)]
        return out

    def _inverse(self, hop: Hop, t: str) -> list[Question]:
        w, answer, _ = self._sides(hop)
        out: list[Question] = []
        wh = "who" if answer.wh == "who" else "what"
        for ph in w.phrases:
            if ph.kind == "be":
                for aux in _auxes(ph.aux):
                    out.append((f"{wh} {aux} {ph.closing} {t}", None))
                    for c in answer.names:
                        article = "an" if ph.closing[:1] in "aeiou" else "a"
                        singular = f"{article} {ph.closing}" if ph.noun_head else ph.closing
                        plural_words = f"{plural(ph.closing.split()[0])} {' '.join(ph.closing.split()[1:])}" if ph.noun_head else ph.closing
                        out.append((f"which {c.singular} {aux} {singular} {t}", c.iri))
                        out.append((f"which {c.plural} {_PLURAL_AUX.get(aux, aux)} {plural_words} {t}", c.iri))
                        out.append((f"what {c.plural} {_PLURAL_AUX.get(aux, aux)} {plural_words} {t}", c.iri))
                for c in answer.names:
                    out += [(f"{c.plural} {ph.closing} {t}", c.iri), (f"list the {c.plural} {ph.closing} {t}", c.iri),
                            (f"name the {c.plural} {ph.closing} {t}", c.iri), (f"give me all {c.plural} {ph.closing} {t}", c.iri)]
                if ph.verb and not ph.agent_is_subject:
                    part = ph.participle or past_participle(ph.verb)
                    out += [(f"what did {t} {ph.verb}", None), (f"what has {t} {part}", None)]
                    for c in answer.names:
                        out += [(f"which {c.plural} did {t} {ph.verb}", c.iri), (f"what {c.plural} did {t} {ph.verb}", c.iri),
                                (f"which {c.singular} did {t} {ph.verb}", c.iri), (f"which {c.plural} has {t} {part}", c.iri),
                                (f"list the {c.plural} that {t} {past_tense(ph.verb)}", c.iri)]
            elif ph.kind == "verb" and ph.agent_is_subject:
                past = _past(ph)
                out.append((f"{wh} {past} {t}", None))
                for c in answer.names:
                    out += [(f"which {c.plural} {past} {t}", c.iri), (f"which {c.singular} {past} {t}", c.iri)]
            elif ph.kind == "verb":
                rest = _verb_rest(ph)
                out += [(f"what did {t} {rest}", None)]
                out += [(f"which {c.plural} did {t} {rest}", c.iri) for c in answer.names]
        for inv in w.inverse_nouns:
            out += [(f"what are the {inv} of {t}", None), (f"list the {inv} of {t}", None),
                    (f"name the {inv} of {t}", None), (f"which {inv} does {t} have", None)]
            if t == "X":
                out.append((f"X's {inv}", None))
        for n in w.nouns:
            for c in answer.names:
                out += [(f"which {c.singular} has {t} as {n}", c.iri), (f"which {c.plural} have {t} as their {n}", c.iri),
                        (f"{c.plural} whose {n} is {t}", c.iri), (f"which {c.plural} is {t} the {n} of", c.iri)]
            out.append((f"what has {t} as its {n}", None))
        out += [(f"{q} {t}", None) for q in w.inverse_questions]
        return out

    def through(self, inner: Hop, last: Hop, t: str) -> list[Question]:
        """"In which country was X born?": a place hop phrased as the class of the one before it.

        ``inner`` reaches a place from ``t`` by a phrase ending in a preposition ("born
        in", "headquartered in", "died in"); ``last`` goes from that place to a larger
        one, named by its class ("country").
        """
        w, answer, _ = self._sides(last)
        inner_words, inner_answer, _ = self._sides(inner)
        if inner.inverse or last.inverse or inner_answer.wh != "where" or answer.wh != "where":
            return []
        out: list[Question] = []
        for ph in inner_words.phrases:
            for c in answer.names[:3]:
                if ph.kind == "be" and ph.final_prep in ("in", "at"):
                    for aux in _auxes(ph.aux):
                        out += [(f"in which {c.singular} {aux} {t} {ph.bare}", c.iri), (f"in what {c.singular} {aux} {t} {ph.bare}", c.iri),
                                (f"which {c.singular} {aux} {t} {ph.bare} in", c.iri)]
                elif ph.kind == "verb" and ph.agent_is_subject and ph.final_prep in ("in", "at"):
                    out += [(f"in which {c.singular} did {t} {_verb_rest(ph)}", c.iri),
                            (f"which {c.singular} did {t} {_verb_rest(ph)} in", c.iri)]
        return out

    def count(self, hop: Hop, t: str) -> list[Question]:
        """Questions asking how many things ``hop`` reaches from ``t``."""
        w, answer, _ = self._sides(hop)
        out: list[Question] = []
        for ph in w.phrases:
            for c in answer.names:
                if hop.inverse and ph.kind == "be":
                    for aux in _auxes(_PLURAL_AUX.get(ph.aux, ph.aux)):
                        out.append((f"how many {c.plural} {aux} {ph.closing} {t}", c.iri))
                    out += [(f"count the {c.plural} {ph.closing} {t}", c.iri),
                            (f"what is the number of {c.plural} {ph.closing} {t}", c.iri),
                            (f"number of {c.plural} {ph.closing} {t}", c.iri)]
                    if ph.verb and not ph.agent_is_subject:
                        out += [(f"how many {c.plural} did {t} {ph.verb}", c.iri),
                                (f"how many {c.plural} has {t} {ph.participle or past_participle(ph.verb)}", c.iri)]
                elif hop.inverse and ph.kind == "verb" and ph.agent_is_subject:
                    past = _past(ph)
                    out.append((f"how many {c.plural} {past} {t}", c.iri))
                elif not hop.inverse and ph.kind == "be" and ph.verb and not ph.agent_is_subject:
                    out.append((f"how many {c.plural} {past_tense(ph.verb)} {t}", c.iri))
                elif not hop.inverse and ph.kind == "verb" and ph.agent_is_subject:
                    out += [(f"how many {c.plural} did {t} {_verb_rest(ph)}", c.iri),
                            (f"how many {c.plural} has {t} {past_participle(ph.verb)}", c.iri)]
                elif not hop.inverse and ph.kind == "be" and ph.final_prep:
                    out.append((f"how many {c.plural} {_auxes(ph.aux)[0]} {t} {ph.closing}", c.iri))
        if hop.inverse:
            out += [(f"how many {inv} does {t} have", None) for inv in w.inverse_nouns]
            out += [(f"how many {c.plural} have {t} as {n}", c.iri) for n in w.nouns for c in answer.names]
        else:
            out += [(f"how many {plural(n)} does {t} have", None) for n in w.nouns]
            out += [(f"how many {plural(n)} did {t} have", None) for n in w.nouns]
        return out

    def ask(self, hop: Hop, subject: str, obj: str) -> list[str]:
        """Yes/no questions whether ``subject`` relates to ``obj`` by the hop's property.

        The caller passes the hop's subject and object in the property's own
        direction; which of them is the topic is the caller's business.
        """
        w = self.words[hop.property]
        out: list[str] = []
        for ph in w.phrases:
            if ph.kind == "be":
                for aux in _auxes(ph.aux):
                    article = ("an " if ph.closing[:1] in "aeiou" else "a ") if ph.noun_head else ""
                    out += [f"{aux} {subject} {article}{ph.words} {obj}", f"is it true that {subject} {aux} {article}{ph.words} {obj}"]
                if ph.verb and not ph.agent_is_subject:
                    out += [f"did {obj} {ph.verb} {subject}", f"has {obj} {ph.participle or past_participle(ph.verb)} {subject}"]
            elif ph.kind == "verb" and ph.agent_is_subject:
                rest = _verb_rest(ph, keep_prep=True)
                det = " the" if ph.words.split()[-1] == "the" else ""
                out += [f"did {subject} {rest}{det} {obj}", f"has {subject} {past_participle(ph.verb)}{' ' + ' '.join(ph.words.split()[1:]) if len(ph.words.split()) > 1 else ''} {obj}"]
            elif ph.kind == "verb":
                out.append(f"did {obj} {_verb_rest(ph, keep_prep=True)} {subject}")
            elif ph.kind == "have":
                out.append(f"does {subject} have {obj} {ph.tail}")
        for n in w.nouns:
            out += [f"is the {n} of {subject} {obj}", f"is {obj} the {n} of {subject}", f"was {obj} the {n} of {subject}"]
        return out

    def filtered(self, hop: Hop, t: str, f: PropertyWords, op: str, form: str) -> list[Question]:
        """"Which <class> <related to t> <were filter-verbed cmp> N?" (and its count)."""
        _, answer, _ = self._sides(hop)
        comparisons = (YEAR_COMPARISONS if f.yearly else NUMBER_COMPARISONS)[op]
        relations, dos = self._relations(hop, t)
        out: list[Question] = []
        lead = "how many" if form == "count" else "which"
        for c in answer.names:
            for cmp in comparisons:
                for clause in _filter_clauses(f, cmp, plural=True):
                    for rel in relations:
                        out += [(f"{lead} {c.plural} {rel} {clause}", c.iri)]
                        if form == "select":
                            out += [(f"what {c.plural} {rel} {clause}", c.iri), (f"list the {c.plural} {rel} {_bare_clause(clause)}", c.iri),
                                    (f"{c.plural} {rel} {_bare_clause(clause)}", c.iri)]
                for do in dos:
                    out.append((f"{lead} {c.plural} {do} {cmp} N", c.iri))
        return out

    def _relations(self, hop: Hop, t: str) -> tuple[list[str], list[str]]:
        """How a noun phrase of the hop's answers relates to ``t``: "written by X", "that won the X";
        and do-support verbs ("did X write")."""
        w, _, _ = self._sides(hop)
        relations: list[str] = []
        dos: list[str] = []
        if hop.inverse:
            for ph in w.phrases:
                if ph.kind == "be" and not ph.noun_head:
                    relations.append(f"{ph.closing} {t}")
                if ph.verb and not ph.agent_is_subject:
                    dos.append(f"did {t} {ph.verb}")
                elif ph.kind == "verb" and ph.agent_is_subject:
                    relations.append(f"that {_past(ph)} {t}")
        else:
            relations.append(f"of {t}")
        return relations, dos

    def _clauses(self, q: Hop, o: str) -> list[str]:
        """What the answers must also do: "won the Y", "were published by Y", "that Y wrote"."""
        w = self.words[q.property]
        out: list[str] = []
        for ph in w.phrases:
            if not q.inverse:
                if ph.kind == "be" and not ph.noun_head:
                    out += [f"{aux} {ph.closing} {o}" for aux in _auxes(_PLURAL_AUX.get(ph.aux, ph.aux))[:1]]
                elif ph.kind == "verb" and ph.agent_is_subject:
                    out.append(f"{_past(ph)} {o}")
            elif ph.verb and not ph.agent_is_subject:
                out += [f"that {o} {past_tense(ph.verb)}", f"{past_tense(ph.verb)} by {o}"]
        if not q.inverse:
            out += [f"whose {n} is {o}" for n in w.nouns[:2]]
        return out

    def constrained(self, hop: Hop, t: str, q: Hop, o: str, form: str) -> list[Question]:
        """"Which books published by X won the Y?": the answers of ``hop`` that also have ``q`` to ``o``."""
        _, answer, _ = self._sides(hop)
        relations, dos = self._relations(hop, t)
        clauses = self._clauses(q, o)
        lead = "how many" if form == "count" else "which"
        out: list[Question] = []
        qw = self.words[q.property]
        for c in answer.names[:4]:
            for rel in relations:
                for clause in clauses:
                    out.append((f"{lead} {c.plural} {rel} {clause}", c.iri))
                    if form == "select":
                        out += [(f"what {c.plural} {rel} {clause}", c.iri), (f"list the {c.plural} {rel} that {clause}", c.iri)]
            for clause in clauses:
                out.append((f"{lead} of {t}'s {c.plural} {clause}", c.iri))
            for do in dos:
                out += [(f"{lead} {c.plural} {do} that {clause}", c.iri) for clause in clauses[:3]]
                for ph in qw.phrases:
                    if not q.inverse and ph.kind == "verb" and ph.agent_is_subject and ph.verb:
                        out.append((f"{lead} {o}-{gerund(ph.verb)} {c.plural} {do}", c.iri))
            if q.property == hop.property and hop.inverse and not q.inverse:
                for ph in qw.phrases:
                    if ph.kind == "verb" and ph.agent_is_subject and ph.verb:
                        out.append((f"{lead} {c.plural} {past_tense(ph.verb)} both the {t} and the {o}", c.iri))
                    elif ph.kind == "be" and not ph.noun_head:
                        out.append((f"{lead} {c.plural} {_auxes(_PLURAL_AUX.get(ph.aux, ph.aux))[0]} {ph.closing} both {t} and {o}", c.iri))
        return out

    def class_members(self, names: list[ClassName], form: str) -> list[Question]:
        """"How many books are there?", "List all films.": the members of a class, no entity named."""
        out: list[Question] = []
        for c in names:
            if form == "count":
                texts = [f"how many {c.plural} are there", f"how many {c.plural} are in the graph",
                         f"how many {c.plural} do you know", f"how many {c.plural} does the graph have",
                         f"count the {c.plural}", f"the number of {c.plural}", f"how many {c.plural} exist"]
            else:
                texts = [f"which {c.plural} are there", f"what {c.plural} are there", f"list all {c.plural}",
                         f"list the {c.plural}", f"show me all {c.plural}", f"which {c.plural} do you know",
                         f"what {c.plural} are in the graph", f"name all the {c.plural}", f"all {c.plural}"]
            out += [(t, c.iri) for t in texts]
        return out

    def class_filter(self, side: Side, f: PropertyWords, op: str, form: str) -> list[Question]:
        """"Which films were released after N?": members of a class, by a value alone."""
        comparisons = (YEAR_COMPARISONS if f.yearly else NUMBER_COMPARISONS)[op]
        out: list[Question] = []
        lead = "how many" if form == "count" else "which"
        for c in side.names:
            for cmp in comparisons:
                for clause in _filter_clauses(f, cmp, plural=True):
                    out.append((f"{lead} {c.plural} {clause}", c.iri))
                    if form == "select":
                        out += [(f"what {c.plural} {clause}", c.iri), (f"list all {c.plural} {_bare_clause(clause)}", c.iri),
                                (f"{c.plural} {_bare_clause(clause)}", c.iri), (f"which {c.plural} in the graph {clause}", c.iri),
                                (f"show me the {c.plural} {_bare_clause(clause)}", c.iri)]
        return out

    def ask_value(self, hop: Hop, subject: str) -> list[str]:
        """Yes/no questions comparing a literal property with ``N`` ("Was X born in N?")."""
        w = self.words[hop.property]
        out: list[str] = []
        for ph in w.phrases:
            if ph.kind == "be":
                for aux in _auxes(ph.aux):
                    prep = ph.final_prep or ("in" if w.yearly else "")
                    out.append(f"{aux} {subject} {ph.bare} {prep} N".replace("  ", " "))
            elif ph.kind == "verb":
                out.append(f"did {subject} {_verb_rest(ph, keep_prep=True)} N")
            elif ph.kind == "have":
                out.append(f"does {subject} have N {ph.tail}")
        for n in w.nouns:
            out += [f"is the {n} of {subject} N", f"was the {n} of {subject} N"]
        return out


def _wh_questions(wh: str, core: str) -> list[Question]:
    """"where/when <core>", and for times also "in what year <core>" and its variants."""
    out: list[Question] = [(f"{wh} {core}", None)]
    if wh == "when":
        out += [(f"{lead} {core}", None) for lead in ("in what year", "in which year", "what year")]
    return out


def _past(ph: Phrase) -> str:
    """An active phrase in the past tense, with what follows its verb ("won the", "died in")."""
    return " ".join([past_tense(ph.verb or ""), *ph.words.split()[1:]])


def _verb_rest(ph: Phrase, keep_prep: bool = False) -> str:
    """The base verb and what follows it ("died in" -> "die", "came out in" -> "come out")."""
    words = ph.words.split()[1:]
    if not keep_prep:
        while words and words[-1] in ("in", "at", "on", "the", "a", "an", "of", "by", "to", "from"):
            words.pop()
    elif words and words[-1] == "the":
        words.pop()
    return " ".join([ph.verb or "", *words]).strip()


def _filter_clauses(f: PropertyWords, cmp: str, plural: bool) -> list[str]:
    """"were published after N", "came out after N", "have more than N pages"."""
    out = []
    for ph in f.phrases:
        if ph.kind == "be":
            for aux in _auxes(_PLURAL_AUX.get(ph.aux, ph.aux) if plural else ph.aux)[:1]:
                out.append(f"{aux} {ph.bare} {cmp} N")
        elif ph.kind == "verb":
            rest = " ".join(ph.words.split()[:-1] if ph.final_prep else ph.words.split())
            out.append(f"{rest} {cmp} N")
        elif ph.kind == "have":
            out.append(f"have {cmp} N {ph.tail}")
    return out


def _bare_clause(clause: str) -> str:
    """A clause without its leading auxiliary ("were published after N" -> "published after N")."""
    first, _, rest = clause.partition(" ")
    return rest if first in ("is", "are", "was", "were") else clause
