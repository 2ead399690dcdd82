"""User-supplied training examples: questions paired with the structure they mean.

``kgqa train translator --examples FILE`` adds these to the synthesized questions.
A file is TSV (``question<TAB>structure``, ``#`` comments) or JSON (a list of
``{"question": ..., "structure": ...}``). Entities in the question are written in
``[brackets]`` (they are masked as the translator sees them); a question already
masked with X/Y/N is taken as is. The structure is a signature whose terms may be
local names of the ontology instead of full IRIs::

    Who penned [Solaris]?	select|author
    Which novels did [Stanisław Lem] write after 1960?	select|author^-1|class:Book|filter:publicationYear>
    How many films are based on [Dune]?	count|basedOn^-1

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> onto = Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")])
    >>> parse_structure("count|basedOn^-1|class:Film", onto).signature().replace("https://w3id.org/kgqa/scifi#", "sf:")
    'count|sf:basedOn^-1|class:sf:Film'
"""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import URIRef

from kgqa.errors import KgqaError
from kgqa.namespaces import local_name
from kgqa.ontology import Ontology
from kgqa.translate.masking import mask_brackets
from kgqa.translate.structure import FORMS, QueryStructure


class ExamplesError(KgqaError):
    """A training-examples file that cannot be read; the message names the file and line."""


def _term(name: str, ontology: Ontology, kind: str) -> URIRef:
    if "://" in name or name.startswith("urn:"):
        return URIRef(name)
    key = name.lower()
    table = ontology.properties if kind == "property" else ontology.classes
    for iri, term in table.items():
        if local_name(iri).lower() == key or term.label.lower() == key:
            return iri
    raise KeyError(f"no {kind} named {name!r} in the ontology")


def parse_structure(text: str, ontology: Ontology) -> QueryStructure:
    """A structure from a signature whose property and class names may be local names."""
    form, *parts = [p.strip() for p in text.strip().split("|")]
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {', '.join(FORMS)}")
    out = [form]
    for part in parts:
        if part.startswith("class:"):
            out.append("class:" + _term(part[6:], ontology, "class"))
        elif part.startswith("filter:"):
            body = part[7:]
            op = next((o for o in (">=", "<=", "=", ">", "<") if body.endswith(o)), None)
            if op is None:
                raise ValueError(f"filter {part!r} has no operator (=, >, <, >=, <=)")
            out.append(f"filter:{_term(body[: -len(op)], ontology, 'property')}{op}")
        else:
            inverse = part.endswith("^-1")
            out.append(str(_term(part[:-3] if inverse else part, ontology, "property")) + ("^-1" if inverse else ""))
    return QueryStructure.from_signature("|".join(out))


def read_examples(path: str | Path, ontology: Ontology) -> list[tuple[str, QueryStructure]]:
    """``(masked question, structure)`` pairs from a TSV or JSON examples file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExamplesError(f"{path}: cannot read ({exc})") from None
    rows: list[tuple[int, str, str]] = []
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ExamplesError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        if not isinstance(items, list):
            raise ExamplesError(f"{path}: expected a JSON list of {{question, structure}} objects")
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict) or not {"question", "structure"} <= set(item):
                raise ExamplesError(f"{path}: item {i} needs 'question' and 'structure'")
            rows.append((i, str(item["question"]), str(item["structure"])))
    else:
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            question, sep, structure = line.partition("\t")
            if not sep:
                raise ExamplesError(f"{path}:{n}: expected 'question<TAB>structure'")
            rows.append((n, question, structure))
    out = []
    for n, question, structure in rows:
        try:
            parsed = parse_structure(structure, ontology)
        except (KeyError, ValueError, KgqaError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            raise ExamplesError(f"{path}:{n}: {message}") from None
        out.append((mask_brackets(question), parsed))
    return out
