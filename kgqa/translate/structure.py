"""The structure of a query: what the translator predicts and SPARQL is compiled from.

A question such as "Where was the author of Solaris born?" becomes a
:class:`QueryStructure`: a path of :class:`Hop` from the topic entity (Solaris) to
the answer (``author`` then ``birthPlace``), a form (``select``, ``count`` or
``ask``), an optional answer class and an optional literal filter ("after 1990").
Entities and literal values are *not* part of the structure: they are bound at run
time as RDF terms (``?topic``, ``?other``, ``?value``), so user text never enters
the query string.

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
      ?topic <https://w3id.org/kgqa/scifi#author> ?x1 .
      ?x1 <https://w3id.org/kgqa/scifi#birthPlace> ?answer .
      FILTER(?answer != ?topic)
    }
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from kgqa.errors import QueryError
from kgqa.namespaces import INFERRED_GRAPH
from kgqa.sparql.build import render_term

FORMS = ("select", "count", "ask")
OPERATORS = ("=", ">", "<", ">=", "<=")


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
    """A query without its entities: path, form, answer class and literal filter."""

    hops: tuple[Hop, ...]
    form: str = "select"
    answer_class: URIRef | None = None
    filter: LiteralFilter | None = None

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise QueryError(f"unknown query form {self.form!r}; expected one of {FORMS}")
        if not 1 <= len(self.hops) <= 3:
            raise QueryError("a query path has 1 to 3 hops")
        if self.filter is not None and self.filter.op not in OPERATORS:
            raise QueryError(f"unknown filter operator {self.filter.op!r}")

    # -- a stable text form, used as the translator's class label ------------------
    def signature(self) -> str:
        parts = [self.form, *(h.token() for h in self.hops)]
        if self.answer_class is not None:
            parts.append(f"class:{self.answer_class}")
        if self.filter is not None:
            parts.append(self.filter.token())
        return "|".join(parts)

    @classmethod
    def from_signature(cls, signature: str) -> QueryStructure:
        form, *rest = signature.split("|")
        hops, answer_class, literal_filter = [], None, None
        for part in rest:
            if part.startswith("class:"):
                answer_class = URIRef(part[len("class:") :])
            elif part.startswith("filter:"):
                body = part[len("filter:") :]
                op = next(o for o in (">=", "<=", "=", ">", "<") if body.endswith(o))
                literal_filter = LiteralFilter(URIRef(body[: -len(op)]), op)
            else:
                hops.append(Hop.from_token(part))
        return cls(tuple(hops), form, answer_class, literal_filter)

    @property
    def needs_other(self) -> bool:
        """ASK queries compare the path's end with a second entity, ``?other``."""
        return self.form == "ask"

    @property
    def needs_value(self) -> bool:
        """A literal filter needs ``?value`` from the question."""
        return self.filter is not None

    # -- SPARQL ------------------------------------------------------------------
    def to_sparql(self, *, asserted_only: bool = False) -> str:
        """The SPARQL text, with ``?topic`` (and ``?other``, ``?value``) left to bind.

        ``asserted_only`` wraps every hop in ``GRAPH ?gN { }`` excluding the inferred
        graph, so only facts stated by documents count.
        """
        patterns = []
        end = "?other" if self.form == "ask" and self.filter is None else "?answer"
        for i, hop in enumerate(self.hops, 1):
            src = "?topic" if i == 1 else f"?x{i - 1}"
            dst = end if i == len(self.hops) else f"?x{i}"
            s, o = (dst, src) if hop.inverse else (src, dst)
            triple = f"{s} {render_term(hop.property)} {o} ."
            if asserted_only:
                triple = f"GRAPH ?g{i} {{ {triple} }} FILTER(?g{i} != {render_term(INFERRED_GRAPH)})"
            patterns.append(triple)
        if self.answer_class is not None:
            patterns.append(f"?answer a {render_term(self.answer_class)} .")
        if self.filter is not None:
            patterns.append(f"?answer {render_term(self.filter.property)} ?v .")
            patterns.append(f"FILTER(?v {self.filter.op} ?value)")
        if len(self.hops) > 1 and self.form != "ask":
            patterns.append("FILTER(?answer != ?topic)")
        body = "\n".join("  " + p for p in patterns)
        if self.form == "count":
            return f"SELECT (COUNT(DISTINCT ?answer) AS ?count) WHERE {{\n{body}\n}}"
        if self.form == "ask":
            if self.filter is not None:
                body += "\n  FILTER(?answer = ?other)"
            return f"ASK WHERE {{\n{body}\n}}"
        return f"SELECT DISTINCT ?answer WHERE {{\n{body}\n}}"
