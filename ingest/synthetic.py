"""Generated corpora for the ingestion benchmark: big RDF files and many short documents.

* :func:`write_ntriples`: an N-Triples file of books and people with exactly ``n``
  triples (labels, types, authors, years, birthplaces), for the bulk-load rate;
* :func:`write_documents`: ``n`` short encyclopedic texts, each about a writer and a
  novel, built from varied templates and names (seeded), for the text rate. The facts
  each text states are returned too.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "big.nt"
    >>> write_ntriples(path, 1000)
    1000
    >>> sum(1 for _ in open(path))
    1000
    >>> facts = write_documents(path.parent / "docs", 3, seed=1)
    >>> len(list((path.parent / "docs").glob("*.md"))), len(facts) > 6
    (3, True)
"""

from __future__ import annotations

import random
from pathlib import Path

SF = "https://w3id.org/kgqa/scifi#"
RES = "https://w3id.org/kgqa/resource/"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_INT = "http://www.w3.org/2001/XMLSchema#integer"

_FIRST = ["Anna", "Boris", "Clara", "David", "Elena", "Felix", "Grace", "Hugo", "Irene", "Jonas", "Karin", "Leo", "Maya",
          "Nils", "Olga", "Pavel", "Rosa", "Simon", "Tessa", "Victor", "Wanda", "Yuri", "Zofia", "Marek", "Ines"]
_LAST = ["Adler", "Brandt", "Castell", "Dorn", "Eklund", "Falk", "Gruber", "Hale", "Ivers", "Janssen", "Kowal", "Lind",
         "Moreau", "Novak", "Orlov", "Petrov", "Quinn", "Roth", "Sandor", "Tamm", "Ulrich", "Varga", "Weiss", "Zeller"]
_ADJ = ["Silent", "Broken", "Hidden", "Last", "Distant", "Frozen", "Burning", "Endless", "Golden", "Hollow", "Iron",
        "Crimson", "Quiet", "Shattered", "Wandering"]
_NOUN = ["Star", "Ocean", "Machine", "Empire", "Garden", "River", "Signal", "Winter", "Horizon", "Archive", "Tower",
         "Harbor", "Engine", "Orbit", "Forest"]
_CITIES = ["Warsaw", "Chicago", "Lyon", "Kraków", "Boston", "Leeds", "Turin", "Seattle", "Porto", "Dresden", "Tartu"]
_PUBLISHERS = ["Gnome Press", "Tor Books", "Doubleday", "Ace Books", "Gollancz", "Ballantine Books", "Chilton Books"]
_DEMONYMS = ["American", "Polish", "French", "British", "Canadian", "German", "Italian", "Swedish"]
_AWARDS = ["Hugo Award for Best Novel", "Nebula Award for Best Novel", "Locus Award for Best Science Fiction Novel"]


def write_ntriples(path: Path, n: int, seed: int = 7) -> int:
    """Write exactly ``n`` triples about generated books and people; returns ``n``."""
    rng = random.Random(seed)
    written = 0
    i = 0
    with open(path, "w", encoding="utf-8") as fh:
        while written < n:
            person, book = f"<{RES}Person_{i}>", f"<{RES}Book_{i}>"
            lines = [
                f"{person} <{_TYPE}> <{SF}Person> .",
                f'{person} <{_LABEL}> "{rng.choice(_FIRST)} {rng.choice(_LAST)} {i}"@en .',
                f'{person} <{SF}birthYear> "{rng.randint(1850, 1990)}"^^<{_INT}> .',
                f"{person} <{SF}birthPlace> <{RES}{rng.choice(_CITIES)}> .",
                f"{book} <{_TYPE}> <{SF}Book> .",
                f'{book} <{_LABEL}> "The {rng.choice(_ADJ)} {rng.choice(_NOUN)} {i}"@en .',
                f"{book} <{SF}author> {person} .",
                f'{book} <{SF}publicationYear> "{rng.randint(1900, 2024)}"^^<{_INT}> .',
            ]
            for line in lines[: n - written]:
                fh.write(line + "\n")
            written += min(len(lines), n - written)
            i += 1
    return written


def write_documents(folder: Path, n: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    """Write ``n`` Markdown documents; returns the facts they state as (doc, subject, property, object)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    facts: list[tuple[str, str, str, str]] = []
    for i in range(n):
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        title = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}"
        born, year = rng.randint(1880, 1980), rng.randint(1950, 2020)
        city, publisher, award = rng.choice(_CITIES), rng.choice(_PUBLISHERS), rng.choice(_AWARDS)
        demonym = rng.choice(_DEMONYMS)
        pronoun, possessive = rng.choice([("He", "His"), ("She", "Her")])
        sentences = [
            rng.choice([f"{name} is a {demonym} science fiction writer.", f"{name} was a {demonym} novelist."]),
            rng.choice([f"{pronoun} was born in {city} in {born}.", f"{pronoun} was born in {born} in {city}."]),
            rng.choice([
                f"{possessive} novel {title} was published by {publisher} in {year}.",
                f"{title}, a novel by {name}, was first published in {year} by {publisher}.",
            ]),
            rng.choice([f"It won the {award}.", f"{title} won the {award} the following year."]),
        ]
        doc = f"doc_{i:05d}.md"
        (folder / doc).write_text(f"# {name}\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
        facts += [
            (doc, name, "birthYear", str(born)), (doc, name, "birthPlace", city), (doc, title, "author", name),
            (doc, title, "publisher", publisher), (doc, title, "publicationYear", str(year)), (doc, title, "award", award),
        ]
    return facts
