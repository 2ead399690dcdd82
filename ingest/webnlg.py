"""Text-to-triples on WebNLG 2020 with the offline extractor: an ontology learned from train.

WebNLG pairs sets of DBpedia triples with texts that say them. To extract from its
texts with :class:`~ingest.extract.ontology.OntologyExtractor`, this module builds
from the **train** split alone:

* an ontology with one property per predicate: its label (``birthPlace`` -> "birth
  place") and, as alternative labels, the phrases train texts use between the
  subject and the object (``"was born in"``), the most frequent first;
* a gazetteer of the names train mentions, in the forms texts write them (dates as
  "2 January 1928", numbers without ``.0``);
* with ``roles`` (the default), a domain class ``has <p>`` and a range class
  ``value of <p>`` per predicate, the gazetteer's names typed with the classes of the
  predicates they took part in: a name met in train as the subject of ``birthPlace``
  can be the subject of ``birthPlace`` again; a name never seen has no type and fits
  any predicate. WebNLG's dev split shares almost all its triples with train (99.5 %
  of a 300-entry sample), so this memory helps a lot there; ``roles=False`` measures
  the extractor with known names but no such memory.

Dev texts go in, triples come out; a triple counts when subject, predicate and
object all equal the reference's after normalisation (underscores as spaces, quotes
dropped, case ignored). That is stricter than the WebNLG 2020 challenge's "Exact"
measure, which matches each element of a triple on its own.

Example (needs ``../shared/webnlg``)::

    from ingest.webnlg import evaluate_webnlg
    print(evaluate_webnlg(entries=100)["f1"])
"""

from __future__ import annotations

import random
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from kgqa.datasets.webnlg import Entry, default_root, load
from kgqa.linking import LabelIndex
from kgqa.verbalize.names import base_form, find, variants

WN = Namespace("https://w3id.org/kgqa/webnlg#")
_ENTITY = "urn:webnlg:"
_WORD = re.compile(r"[\w'’-]+")
#: Phrases kept per predicate (the most frequent), each seen at least twice.
PHRASES_PER_PREDICATE = 12
MAX_PHRASE_WORDS = 6
#: Published WebNLG 2020 text-to-RDF results on the test split (exact match, F1).
PUBLISHED = {"baseline": 0.158, "best (fine-tuned seq2seq)": 0.689}


def _words(predicate: str) -> str:
    """``cityServed`` -> "city served"; ``associatedBand/associatedMusicalArtist`` -> its first half."""
    head = predicate.split("/")[0]
    return " ".join(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", head).replace("_", " ").lower().split())


def entity_iri(raw: str) -> URIRef:
    return URIRef(_ENTITY + quote(raw, safe=""))


def raw_name(iri: str, label: str) -> str:
    """The WebNLG name an IRI stands for (gazetteer entities), else the label written WebNLG's way."""
    if iri.startswith(_ENTITY):
        return unquote(iri[len(_ENTITY) :])
    return label.replace(" ", "_")


def normalise(value: str) -> str:
    return " ".join(base_form(value).lower().split())


class TrainLexicon:
    """Phrases per predicate and names with the roles they played, learned from train entries."""

    def __init__(self) -> None:
        self.phrases: dict[str, Counter[str]] = defaultdict(Counter)
        self.roles: dict[str, set[URIRef]] = defaultdict(set)
        self.predicates: Counter[str] = Counter()

    @classmethod
    def learn(cls, entries: Iterable[Entry]) -> TrainLexicon:
        lex = cls()
        for entry in entries:
            for t in entry.triples:
                lex.predicates[t.predicate] += 1
                lex.roles[t.subject].add(domain_class(t.predicate))
                lex.roles[t.object].add(range_class(t.predicate))
            for text in entry.texts:
                for t in entry.triples:
                    phrase = _between(text, t.subject, t.object)
                    if phrase:
                        lex.phrases[t.predicate][phrase] += 1
        return lex

    def ontology(self, roles: bool = True) -> Graph:
        """The learned ontology; ``roles`` adds a domain and a range class per predicate."""
        g = Graph()
        g.add((URIRef(str(WN)[:-1]), RDF.type, OWL.Ontology))
        for predicate in sorted(self.predicates):
            prop = WN[quote(predicate, safe="")]
            g.add((prop, RDF.type, OWL.ObjectProperty))
            g.add((prop, RDFS.label, Literal(_words(predicate), lang="en")))
            if roles:
                for cls, role in ((domain_class(predicate), "has"), (range_class(predicate), "value of")):
                    g.add((cls, RDF.type, OWL.Class))
                    g.add((cls, RDFS.label, Literal(f"{role} {predicate}")))
                g.add((prop, RDFS.domain, domain_class(predicate)))
                g.add((prop, RDFS.range, range_class(predicate)))
            for phrase, count in self.phrases[predicate].most_common(PHRASES_PER_PREDICATE):
                if count >= 2 and phrase != _words(predicate):
                    g.add((prop, SKOS.altLabel, Literal(phrase, lang="en")))
        return g

    def gazetteer(self, roles: bool = True) -> LabelIndex:
        """Train's names in the forms texts write them; ``roles`` types them by the predicates they took."""
        index = LabelIndex()
        for raw, classes in self.roles.items():
            iri = entity_iri(raw)
            for variant in variants(raw):
                index.add(iri, variant.text)
                for cls in sorted(classes) if roles else ():
                    index.add(iri, variant.text, cls)
        return index


def domain_class(predicate: str) -> URIRef:
    return WN["has_" + quote(predicate, safe="")]


def range_class(predicate: str) -> URIRef:
    return WN["value_" + quote(predicate, safe="")]


def _between(text: str, subject: str, obj: str) -> str | None:
    """The words between the first mentions of subject and object, when few enough."""
    s_spans = [span for v in variants(subject) for span in find(v.text, text)]
    o_spans = [span for v in variants(obj) for span in find(v.text, text)]
    if not s_spans or not o_spans:
        return None
    s, o = min(s_spans), min(o_spans)
    a, b = (s[1], o[0]) if s[0] < o[0] else (o[1], s[0])
    if a >= b:
        return None
    words = _WORD.findall(text[a:b])
    if not words or len(words) > MAX_PHRASE_WORDS:
        return None
    return " ".join(w.lower() for w in words)


def extract_triples(extractor: Any, resolver: Any, texts: Sequence[str]) -> list[set[tuple[str, str, str]]]:
    """Triples (normalised subject, predicate, object) the extractor reads in each text."""
    from ingest.model import Block, EntityRef, TextContent

    out = []
    for text in texts:
        session = resolver.session()
        found: set[tuple[str, str, str]] = set()
        for st in extractor.extract(TextContent([Block(text)]), session):
            if not st.asserted(extractor.engine.config.get("ingest.confidence_threshold")):
                continue
            s = session.resolve(st.subject)
            subject = raw_name(str(s.iri), s.label)
            if isinstance(st.object, EntityRef):
                o = session.resolve(st.object)
                obj = raw_name(str(o.iri), o.label)
            else:
                obj = str(st.object)
            predicate = unquote(str(st.predicate)[len(str(WN)) :])
            found.add((normalise(subject), predicate, normalise(obj)))
        out.append(found)
    return out


def evaluate_webnlg(
    root: Path | None = None, entries: int = 300, seed: int = 7, roles: bool = True, extractor: str = "ontology",
    weights: Path | None = None, held_out: Sequence[str] = (),
) -> dict[str, Any]:
    """Precision / recall / F1 on ``entries`` dev entries (all their texts), seeded; 0 = all.

    ``roles=False`` drops what train says about which names take which predicates
    (domain and range classes): names are still known, but every predicate fits every pair.
    ``extractor`` names the extractor (``ontology`` or ``parsed``; ``weights`` the matcher's).
    With ``held_out`` categories, only their dev entries are scored and train says nothing
    about them: their predicates enter the ontology by their label alone (no phrases, no
    roles), as an unseen user's properties would.
    """
    from kgqa import Engine

    from ingest.extract import get_extractor
    from ingest.extract.parsed import ParsedExtractor
    from ingest.resolve import Resolver

    root = Path(root) if root else default_root()
    train = load(root, "train")
    lexicon = TrainLexicon.learn([e for e in train if e.category not in held_out])
    for e in train:
        for t in e.triples:
            lexicon.predicates[t.predicate] += 0  # a held-out predicate: in the ontology, by its label only
    dev = [e for e in load(root, "dev") if not held_out or e.category in held_out]
    if entries and entries < len(dev):
        dev = random.Random(seed).sample(dev, entries)
    with tempfile.TemporaryDirectory(prefix="kgqa-webnlg-") as tmp:
        path = Path(tmp) / "webnlg.ttl"
        lexicon.ontology(roles).serialize(path, format="turtle")
        engine = Engine.memory(ontologies=[path])
    chosen = ParsedExtractor(engine, weights) if extractor == "parsed" else get_extractor(extractor, engine)
    if hasattr(chosen, "lexicon"):
        chosen.lexicon.guessing = False  # 744 role classes are not kinds of things a name could look like
    resolver = Resolver(lexicon.gazetteer(roles), engine.ontology)
    tp = fp = fn = 0
    texts = 0
    for entry in dev:
        gold = {(normalise(t.subject), t.predicate, normalise(t.object)) for t in entry.triples}
        for found in extract_triples(chosen, resolver, entry.texts):
            texts += 1
            tp += len(found & gold)
            fp += len(found - gold)
            fn += len(gold - found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "items": texts, "entries": len(dev), "triples": tp + fp, "predicates": len(lexicon.predicates), "roles": roles,
        "extractor": extractor, "held_out": list(held_out),
        "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
        "rate": f"{texts} texts", "published_test_f1": PUBLISHED,
        "note": "dev split, whole-triple exact match after normalisation; published figures are the 2020 test split",
    }


__all__ = ["PUBLISHED", "TrainLexicon", "evaluate_webnlg", "extract_triples", "normalise"]
