"""The structure of a query: what the translator predicts and SPARQL is compiled from.

A question such as "Where was the author of Solaris born?" becomes a
:class:`QueryStructure`: a path of :class:`Hop` from the topic entity (Solaris) to
the answer (``author`` then ``birthPlace``), a form (``select``, ``count`` or
``ask``), an optional answer class and an optional literal filter ("after 1990").
Entities and literal values are *not* part of the structure: they are bound at run
time as RDF terms (``?topic``, ``?other``, ``?value``), so user text never enters
the query string. A structure without hops asks for the members of its answer
class that pass its filter ("Which films were released after 2010?"); a
*constraint* is one more hop the answers must have to a second entity ``?other``
("Which books by X won *the Hugo Award*?").

Example:
    >>> from rdflib import URIRef
    >>> SF = "https://w3id.org/kgqa/scifi#"
    >>> s = QueryStructure((Hop(URIRef(SF + "author")), Hop(URIRef(SF + "birthPlace"))))
    >>> s.signature()
    'select|https://w3id.org/kgqa/scifi#author|https://w3id.org/kgqa/scifi#birthPlace'
    >>> QueryStructure.from_signature(s.signature()) == s
    True
    >>> print(s.to_sparql())
    SELECT DISTINCT ?answer WHERE {
      GRAPH ?g1 { ?topic <https://w3id.org/kgqa/scifi#author> ?x1 . } FILTER(?g1 NOT IN (<urn:kgqa:graph:candidates>))
      GRAPH ?g2 { ?x1 <https://w3id.org/kgqa/scifi#birthPlace> ?answer . } FILTER(?g2 NOT IN (<urn:kgqa:graph:candidates>))
      FILTER(?answer != ?topic)
    }
    >>> print(s.render({"topic": URIRef("https://w3id.org/kgqa/resource/Solaris")}).splitlines()[1])
      VALUES ?topic { <https://w3id.org/kgqa/resource/Solaris> }
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kgqa.errors import QueryError
from kgqa.namespaces import CANDIDATE_GRAPH, INFERRED_GRAPH
from kgqa.sparql.build import graph_not_in, render_term, values_clause

FORMS = ("select", "count", "ask")
OPERATORS = ("=", ">", "<", ">=", "<=")


#: ``?v`` as a number to compare: itself when numeric, a year, date or date-time's year
#: ("2015"^^xsd:gYear, "1920-01-02"^^xsd:date; a year and a number never compare in SPARQL).
NUMBER_OF_V = (
    "IF(isNumeric(?v), ?v, IF(datatype(?v) IN (<http://www.w3.org/2001/XMLSchema#gYear>, "
    "<http://www.w3.org/2001/XMLSchema#date>, <http://www.w3.org/2001/XMLSchema#dateTime>), "
    "<http://www.w3.org/2001/XMLSchema#integer>(SUBSTR(STR(?v), 1, 4)), ?v))"
)


@dataclass(frozen=True)
class Hop:
    """One step of a path: follow ``property`` forwards (subject to object) or ``inverse``."""

    property: URIRef
    inverse: bool = False

    def token(self) -> str:
        return f"{self.property}{'^-1' if self.inverse else ''}"

    @classmethod
    def from_token(cls, token: str) -> Hop:
        inverse = token.endswith("^-1")
        return cls(URIRef(token[:-3] if inverse else token), inverse)


@dataclass(frozen=True)
class LiteralFilter:
    """A comparison on the answer: ``?answer <property> ?v FILTER(?v op ?value)``."""

    property: URIRef
    op: str = "="

    def token(self) -> str:
        return f"filter:{self.property}{self.op}"


@dataclass(frozen=True)
class QueryStructure:
    """A query without its entities: path, form, answer class, literal filter and constraint."""

    hops: tuple[Hop, ...]
    form: str = "select"
    answer_class: URIRef | None = None
    filter: LiteralFilter | None = None
    #: A hop from each answer to ``?other`` that must exist (an intersection of two conditions).
    constraint: Hop | None = None

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise QueryError(f"unknown query form {self.form!r}; expected one of {FORMS}")
        if not 1 <= len(self.hops) <= 3 and not (not self.hops and self.answer_class is not None and self.form != "ask"):
            raise QueryError("a query path has 1 to 3 hops (or none, for a class query)")
        if self.filter is not None and self.filter.op not in OPERATORS:
            raise QueryError(f"unknown filter operator {self.filter.op!r}")
        if self.constraint is not None and (self.form == "ask" or not self.hops):
            raise QueryError("a constraint narrows the answers of a path; yes/no and class queries have none")

    # -- a stable text form, used as the translator's class label ------------------
    def signature(self) -> str:
        parts = [self.form, *(h.token() for h in self.hops)]
        if self.answer_class is not None:
            parts.append(f"class:{self.answer_class}")
        if self.filter is not None:
            parts.append(self.filter.token())
        if self.constraint is not None:
            parts.append(f"and:{self.constraint.token()}")
        return "|".join(parts)

    @classmethod
    def from_signature(cls, signature: str) -> QueryStructure:
        form, *rest = signature.split("|")
        hops, answer_class, literal_filter, constraint = [], None, None, None
        for part in rest:
            if part.startswith("and:"):
                constraint = Hop.from_token(part[len("and:") :])
            elif part.startswith("class:"):
                answer_class = URIRef(part[len("class:") :])
            elif part.startswith("filter:"):
                body = part[len("filter:") :]
                op = next(o for o in (">=", "<=", "=", ">", "<") if body.endswith(o))
                literal_filter = LiteralFilter(URIRef(body[: -len(op)]), op)
            else:
                hops.append(Hop.from_token(part))
        return cls(tuple(hops), form, answer_class, literal_filter, constraint)

    @property
    def needs_other(self) -> bool:
        """ASK queries compare the path's end with a second entity, ``?other``; constraints point to one."""
        return self.form == "ask" or self.constraint is not None

    @property
    def needs_value(self) -> bool:
        """A literal filter needs ``?value`` from the question."""
        return self.filter is not None

    @property
    def needs_topic(self) -> bool:
        """False for class queries (no hops): they start from the class, not an entity."""
        return bool(self.hops)

    @property
    def is_class_listing(self) -> bool:
        """True for "How many books are there?": a class's members, no path, no filter."""
        return not self.hops and self.filter is None and self.answer_class is not None

    @property
    def end(self) -> str:
        """The variable at the end of the path: ``?other`` for ASK without filter, else ``?answer``."""
        return "?other" if self.form == "ask" and self.filter is None else "?answer"

    def _triples(self, asserted_only: bool) -> list[str]:
        patterns = []
        for i, hop in enumerate(self.hops, 1):
            src = "?topic" if i == 1 else f"?x{i - 1}"
            dst = self.end if i == len(self.hops) else f"?x{i}"
            s, o = (dst, src) if hop.inverse else (src, dst)
            patterns.append(_in_graph(f"{s} {render_term(hop.property)} {o} .", f"g{i}", asserted_only))
        return patterns

    def _constraint_triple(self, asserted_only: bool) -> str:
        hop = self.constraint
        assert hop is not None
        s, o = ("?other", "?answer") if hop.inverse else ("?answer", "?other")
        return _in_graph(f"{s} {render_term(hop.property)} {o} .", "gc", asserted_only)

    def _patterns(self, asserted_only: bool, exclude_topic: bool) -> list[str]:
        """The graph patterns and filters shared by the answer query and the facts query."""
        patterns = self._triples(asserted_only)
        if self.constraint is not None:
            patterns.append(self._constraint_triple(asserted_only))
        if self.is_class_listing:
            # The members themselves are the answer: their type, too, must come from a graph that may answer.
            patterns.append(_in_graph(f"?answer a {render_term(self.answer_class)} .", "ga", asserted_only))
        elif self.answer_class is not None:
            patterns.append(f"?answer a {render_term(self.answer_class)} .")
        if self.filter is not None:
            patterns.append(_in_graph(f"?answer {render_term(self.filter.property)} ?v .", "gv", asserted_only))
            patterns.append(f"FILTER({NUMBER_OF_V} {self.filter.op} ?value)")
        if len(self.hops) > 1 and self.form != "ask" and exclude_topic:
            patterns.append("FILTER(?answer != ?topic)")
        if self.form == "ask" and self.filter is not None:
            patterns.append("FILTER(?answer = ?other)")
        return patterns

    # -- SPARQL ------------------------------------------------------------------
    def to_sparql(self, *, asserted_only: bool = False, exclude_topic: bool = True) -> str:
        """The SPARQL text, with ``?topic`` (and ``?other``, ``?value``) left to bind.

        Every hop is matched in a named graph ``?gN`` that is not the candidate
        graph (extractions below the confidence threshold are never answers);
        ``asserted_only`` excludes the inferred graph too, so only facts stated
        by documents count. ``exclude_topic`` keeps a
        multi-hop path from answering its own topic ("the books of the translator of
        X" then lacks X); question answering turns it off, since X is one of them.
        """
        body = "\n".join("  " + p for p in self._patterns(asserted_only, exclude_topic))
        if self.form == "count":
            return f"SELECT (COUNT(DISTINCT ?answer) AS ?count) WHERE {{\n{body}\n}}"
        if self.form == "ask":
            return f"ASK WHERE {{\n{body}\n}}"
        return f"SELECT DISTINCT ?answer WHERE {{\n{body}\n}}"

    def render(
        self, bindings: Mapping[str, Node | Sequence[Node]], *, asserted_only: bool = False, exclude_topic: bool = True
    ) -> str:
        """:meth:`to_sparql` with its variables bound inline by ``VALUES``, ready to run or re-run.

        Each value is a term (or a list of terms: several topics are answered
        together) rendered by :func:`~kgqa.sparql.build.render_term`, which escapes
        literals and refuses unsafe IRIs, so no text from the question can change
        the query's structure.
        """
        return _bind(self.to_sparql(asserted_only=asserted_only, exclude_topic=exclude_topic), bindings)

    def facts_sparql(
        self, bindings: Mapping[str, Node | Sequence[Node]], *, asserted_only: bool = False, exclude_topic: bool = True
    ) -> str:
        """A SELECT of every path variable and the graph of each hop: the facts behind the answers.

        Columns: ``?topic``, ``?x1``..., the path's end, ``?g1``... (one graph per hop)
        and, with a filter, the compared value ``?v`` and its graph ``?gv``.
        """
        names = ["?topic"] if self.hops else []
        names += [f"?x{i}" for i in range(1, len(self.hops))]
        names.append(self.end)
        names += [f"?g{i}" for i in range(1, len(self.hops) + 1)]
        if self.constraint is not None:
            names += ["?other", "?gc"]
        if self.filter is not None:
            names += ["?v", "?gv"]
        if self.is_class_listing:
            names.append("?ga")
        body = "\n".join("  " + p for p in self._patterns(asserted_only, exclude_topic))
        return _bind(f"SELECT DISTINCT {' '.join(names)} WHERE {{\n{body}\n}}", bindings)


def _in_graph(triple: str, graph: str, asserted_only: bool) -> str:
    """``triple`` matched in a graph that may answer: never the candidates, the inferred ones unless asked."""
    excluded = (CANDIDATE_GRAPH, INFERRED_GRAPH) if asserted_only else (CANDIDATE_GRAPH,)
    return f"GRAPH ?{graph} {{ {triple} }} {graph_not_in(graph, excluded)}"


def _bind(query: str, bindings: Mapping[str, Node | Sequence[Node]]) -> str:
    """``query`` with a ``VALUES`` block per bound variable at the top of its WHERE group."""
    blocks = []
    for name, value in bindings.items():
        terms = [value] if isinstance(value, Node) else list(value)
        blocks.append("  " + values_clause(name, terms))
    head, brace, body = query.partition("{\n")
    return head + brace + "".join(b + "\n" for b in blocks) + body
