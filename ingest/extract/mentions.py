"""Mentions in a sentence: known entities, new names, pronouns, demonyms and literal values.

* **known**: labels already in the graph (or minted earlier in the document), found
  by :meth:`kgqa.linking.LabelIndex.find_mentions` (dictionary look-ups over token
  n-grams, fast with 100k+ labels);
* **new**: runs of capitalised words with the small words titles contain
  (``The Left Hand of Darkness``, ``G. P. Putnam's Sons``), and spans the source
  emphasised (``*Solaris*``); a capitalised word opening a sentence counts only when
  the document also uses it elsewhere, or it is in the title;
* **pronoun**: ``he``/``she``/``his``/``her``, ``it``/``its`` and ``the <class
  word>`` (``the novel``), resolved by :class:`~ingest.extract.ontology.DocumentState`;
* **demonym**: ``the Polish author`` -> Poland (:mod:`ingest.extract.demonyms`);
* **literal**: years, dates (kept as their year), ``(1932–1986)`` life spans,
  numbers with a unit (``412 pages``).

Types come from the graph (known entities), class words next to the mention
(``the novel X``, ``X, a novel``, ``X is an American novelist``), or a class word
inside the name (``Hugo Award``); relations later type what is still untyped.

Example:
    >>> from kgqa.ontology import Ontology, bundled_ontology
    >>> from kgqa.linking import LabelIndex
    >>> from ingest.extract.lexicon import NAME_GUESS_SURE, Lexicon
    >>> lex = Lexicon(Ontology.from_files([bundled_ontology("kgqa.ttl"), bundled_ontology("scifi.ttl")]))
    >>> finder = MentionFinder(lex, [LabelIndex()])
    >>> found = finder.find("The novel Roadside Picnic by Arkady Strugatsky appeared in 1972.")
    >>> [(m.surface, m.kind) for m in found]
    [('Roadside Picnic', 'new'), ('Arkady Strugatsky', 'new'), ('1972', 'year')]
    >>> lex.ontology.label(next(iter(found[0].types)))
    'book'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef

from kgqa.linking import LabelIndex, fold

from ingest.extract.demonyms import COUNTRIES, LANGUAGES
from ingest.extract.lexicon import NAME_GUESS_SURE, Lexicon

TOKEN = re.compile(r"(?:[A-Z]|St|Dr|Mt|Mr|Mrs|Ms|Jr|Sr)\.(?=\s)|\d+(?:[.,]\d+)*|\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)
_CONNECTORS = {
    "of", "the", "a", "an", "for", "in", "on", "and", "with", "&", "de", "da", "del", "von", "van", "der", "le", "la", "du",
    "y", "to", "at",
}
# "and" joins names only inside titles ("War and Peace"): never two person-like names.
_FUNCTION = {
    "the", "he", "she", "it", "they", "his", "her", "its", "their", "this", "these", "that", "those", "after", "before", "in",
    "on", "at", "by", "for", "from", "with", "both", "all", "two", "three", "four", "one", "when", "while", "although",
    "though", "as", "since", "during", "later", "today", "many", "some", "most", "more", "several", "each", "every",
    "other", "there", "here", "also", "however", "despite", "unlike", "like", "a", "an", "and", "but", "or", "only",
    "then", "under", "over", "following", "among", "between", "through", "into", "if", "because", "until", "once",
    "now", "even", "yet", "so", "not", "no", "our", "my", "your", "we", "i", "you", "what", "which", "who", "where",
    "why", "how", "about", "against", "around", "upon", "within", "without", "throughout", "selected", "notable",
    "early", "recent", "first", "second", "third", "last", "next", "new", "famous", "set", "born", "died", "together",
}
# Honorifics are left out of names: "Sir Arthur C. Clarke" is Arthur C. Clarke.
_HONORIFICS = {"sir", "dame", "lord", "lady", "mr", "mrs", "ms", "dr", "prof"}
_FUNCTION |= _HONORIFICS
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_MONTH_RE = "|".join(m.capitalize() for m in _MONTHS)
_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})\s+({_MONTH_RE})\s+(\d{{4}})|({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})|({_MONTH_RE})\s+(\d{{4}}))\b"
)
_LIFESPAN = re.compile(r"\(\s*(?:born\s+|b\.\s*)?(\d{3,4})\s*[–—-]\s*(\d{3,4})?\s*\)")
_YEAR = re.compile(r"(?<![\d$£€.,/-])\b(1[0-9]{3}|20[0-9]{2})\b(?!s\b|['’]s\b|[.,]\d|\d)")
_NUMBER = re.compile(r"(?<![\w$£€.,-])(\d{1,3}(?:,\d{3})+|\d+)(?![\w.,]\d)\s+([a-z]+)")
_LOCATIVE = re.compile(r"\b(?:in|at|near)\s+$")
_HINT_IN_LABEL = re.compile(r"\((\d{4})\)$")
_PAREN_HINT = re.compile(r"^\s*\((\d{4})(?:\s+(?:film|novel|book|movie))?\)")
_PERSON_PRONOUNS = {"he", "she", "his", "her", "him"}
_THING_PRONOUNS = {"it", "its"}
_COPULA = {"is", "was", "are", "were", "became", "remains"}
_NP_STOP = {"by", "of", "in", "who", "that", "which", "with", "from", "about", "for", "and", "whose", "on", "at", "to"}
_ARTICLES = {"a", "an", "the"}


@dataclass
class Mention:
    """A span of a sentence that names an entity or a value; offsets are sentence-relative."""

    start: int
    end: int
    surface: str
    kind: str  # known | new | pronoun | demonym | year | date | number
    label: str = ""
    types: frozenset[URIRef] = frozenset()
    value: Literal | None = None
    hint: str | None = None
    #: Words that stand for the relation when the text between mentions does not ("citizen of").
    cue: str | None = None
    #: For pronouns: the class the antecedent must belong to (``the film`` -> Film), if said.
    wants: URIRef | None = None
    possessive: bool = False
    emphasised: bool = False
    unit: str | None = None
    #: A weak guess of the class from the name alone (MiniLM), for names nothing else typed.
    guess: URIRef | None = None

    @property
    def is_literal(self) -> bool:
        return self.kind in ("year", "date", "number")


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper() and fold(tok) not in _MONTHS and fold(tok) not in _DAYS


def _is_initial(tok: str) -> bool:
    return tok.endswith(".") and tok[:1].isupper()


class MentionFinder:
    """Finds the mentions of one sentence; see the module docstring."""

    def __init__(self, lexicon: Lexicon, indexes: Sequence[LabelIndex]) -> None:
        self.lexicon = lexicon
        self.indexes = list(indexes)
        #: Capitalised words the document uses mid-sentence (so a sentence may start with them).
        self.known_words: set[str] = set()
        person = lexicon.class_cues.get("person")
        self.person_class = person
        self.country_class = lexicon.class_cues.get("country")
        self.language_class = lexicon.class_cues.get("language")
        self.work_class = lexicon.class_cues.get("creative work") or lexicon.class_cues.get("work")
        self.place_class = lexicon.class_cues.get("place")
        # Single class words are enough to type; plurals ("books", "films") would mistype names like "Tor Books".
        self.head_cues = {
            k: v for k, v in lexicon.class_cues.items() if " " not in k and not (k.endswith("s") and k[:-1] in lexicon.class_cues)
        }

    # -- the sentence ------------------------------------------------------------------------
    def find(self, sentence: str, emphasis: Iterable[tuple[int, int]] = (), title: str = "") -> list[Mention]:
        toks = tokens(sentence)
        taken: list[tuple[int, int]] = []
        out: list[Mention] = []

        def free(a: int, b: int) -> bool:
            return all(b <= x or a >= y for x, y in taken)

        def add(m: Mention) -> None:
            taken.append((m.start, m.end))
            out.append(m)

        for m in self._known(sentence):
            add(m)
        for m in self._literals(sentence):
            if free(m.start, m.end):
                add(m)
        for a, b in emphasis:
            if free(a, b) and sentence[a:b].strip():
                add(Mention(a, b, sentence[a:b], "new", label=sentence[a:b].strip(), emphasised=True,
                            types=frozenset([self.work_class]) if self.work_class else frozenset()))
        for m in self._pronouns(sentence, toks):
            if free(m.start, m.end):
                add(m)
        for m in self._demonyms(sentence, toks):
            if free(m.start, m.end):
                add(m)
        title_words = {fold(t[2]) for t in tokens(title)}
        for m in self._names(sentence, toks, title_words):
            if free(m.start, m.end):
                add(m)
            else:
                # A longer name swallowing a known one ("Dune Chronicles" over "Dune") wins.
                inner = [o for o in out if o.kind == "known" and m.start <= o.start and o.end <= m.end and (o.start, o.end) != (m.start, m.end)]
                others = [o for o in out if not (m.end <= o.start or m.start >= o.end) and o not in inner]
                if inner and not others and len(tokens(m.surface)) > max(len(tokens(o.surface)) for o in inner):
                    for o in inner:
                        out.remove(o)
                        taken.remove((o.start, o.end))
                    add(m)
        for tok_start, _, tok in toks[1:]:
            if _is_cap(tok):
                self.known_words.add(fold(tok))
        out.sort(key=lambda m: m.start)
        for m in out:
            self._after(sentence, m)
        self._type_by_context(sentence, out)
        untyped = [m for m in out if m.kind == "new" and not m.types]
        for m, (guess, score) in zip(untyped, self.lexicon.guess_classes([m.label for m in untyped])):
            if guess is not None and score >= NAME_GUESS_SURE:
                m.types = frozenset([guess])  # "Chicago", "Russia": MiniLM knows these well
            elif guess is None and self.place_class is not None and _LOCATIVE.search(sentence[: m.start]):
                m.guess = self.place_class  # "died in Colombo": probably a place
            else:
                m.guess = guess
        return out

    # -- known entities ------------------------------------------------------------------------
    def _known(self, sentence: str) -> list[Mention]:
        found: list[Mention] = []
        for index in self.indexes:
            for m in index.find_mentions(sentence):
                if not (m.surface[:1].isupper() or m.surface[:1].isdigit()):
                    continue
                if fold(m.surface) in _FUNCTION or fold(m.surface) in _MONTHS:
                    continue
                if m.surface in COUNTRIES and self._adjectival(sentence, m.end):
                    continue  # "the Polish author": a demonym, not the language
                types = frozenset(t for c in m.candidates for t in c.types)
                start, end, surface = m.start, m.end, m.surface
                if "(" in surface and sentence[end : end + 1] == ")":
                    end, surface = end + 1, surface + ")"  # "Solaris (1972)": the label's own parenthesis
                label = m.candidates[0].label if len(m.candidates) == 1 else surface
                hint = _HINT_IN_LABEL.search(surface)
                found.append(Mention(start, end, surface, "known", label=label, types=types, hint=hint.group(1) if hint else None))
        # Longest first across indexes, no overlaps.
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[Mention] = []
        for m in found:
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        return kept

    @staticmethod
    def _adjectival(sentence: str, end: int) -> bool:
        following = re.match(r"\s+([a-z]\w*)", sentence[end:])
        return bool(following) and following.group(1) not in ("and", "or", "by", "in", "from", "is", "was")

    # -- literals ----------------------------------------------------------------------------
    def _literals(self, sentence: str) -> list[Mention]:
        out: list[Mention] = []
        spans: list[tuple[int, int]] = []

        def add(m: Mention) -> None:
            if all(m.end <= a or m.start >= b for a, b in spans):
                spans.append((m.start, m.end))
                out.append(m)

        for match in _LIFESPAN.finditer(sentence):
            born = match.group(1)
            add(Mention(match.start(1), match.end(1), born, "year", value=Literal(int(born)), cue="born"))
            if match.group(2):
                add(Mention(match.start(2), match.end(2), match.group(2), "year", value=Literal(int(match.group(2))), cue="died"))
            spans.append((match.start(), match.end()))
        for match in _DATE.finditer(sentence):
            year = match.group(3) or match.group(6) or match.group(8)
            add(Mention(match.start(), match.end(), match.group(), "date", value=Literal(int(year))))
        for match in _YEAR.finditer(sentence):
            add(Mention(match.start(1), match.end(1), match.group(1), "year", value=Literal(int(match.group(1)))))
        for match in _NUMBER.finditer(sentence):
            number = match.group(1).replace(",", "")
            if _YEAR.fullmatch(number) and not match.group(2).startswith("page"):
                continue
            add(Mention(match.start(1), match.end(1), match.group(1), "number", value=Literal(int(number)), unit=match.group(2)))
        return out

    # -- pronouns and "the novel" ----------------------------------------------------------------
    def _pronouns(self, sentence: str, toks: list[tuple[int, int, str]]) -> list[Mention]:
        out = []
        for i, (a, b, tok) in enumerate(toks):
            low = tok.lower()
            if low in _PERSON_PRONOUNS:
                out.append(Mention(a, b, tok, "pronoun", wants=self.person_class))
            elif low in _THING_PRONOUNS and (i == 0 or low == "its"):
                out.append(Mention(a, b, tok, "pronoun"))
            elif low == "the" and i + 1 < len(toks):
                j = i + 2 if _YEAR.fullmatch(toks[i + 1][2]) and i + 2 < len(toks) else i + 1  # "the 1966 award"
                cls = self.head_cues.get(fold(toks[j][2]))
                after = toks[j + 1][2] if j + 1 < len(toks) else ""
                # "the novel" refers back; "the novel Solaris" introduces a name (typed below).
                if cls is not None and not _is_cap(after):
                    out.append(Mention(a, toks[j][1], sentence[a : toks[j][1]], "pronoun", wants=cls))
        return out

    # -- demonyms ------------------------------------------------------------------------------
    def _demonyms(self, sentence: str, toks: list[tuple[int, int, str]]) -> list[Mention]:
        out = []
        for i, (a, b, tok) in enumerate(toks):
            if tok not in COUNTRIES:
                continue
            before = toks[i - 1][2].lower() if i else ""
            if tok in LANGUAGES and before in ("in", "from", "into") and not self._adjectival(sentence, b):
                if self.language_class is not None:
                    out.append(Mention(a, b, tok, "new", label=tok, types=frozenset([self.language_class])))
                continue
            if not self._adjectival(sentence, b):
                continue
            # "Polish author", "American science fiction writer": a person noun within three words
            following = [fold(t[2]) for t in toks[i + 1 : i + 5] if t[2][:1].islower()]
            for noun in following[:4]:
                if noun in _NP_STOP:
                    break
                cls, _ = self.lexicon.class_of_noun(noun)
                if cls is not None and self.person_class is not None and self.lexicon.ontology.is_a(cls, self.person_class):
                    types = frozenset([self.country_class]) if self.country_class else frozenset()
                    out.append(Mention(a, b, tok, "demonym", label=COUNTRIES[tok], types=types, cue="citizen of"))
                    break
        return out

    # -- new names ----------------------------------------------------------------------------
    def _names(self, sentence: str, toks: list[tuple[int, int, str]], title_words: set[str]) -> list[Mention]:
        out = []
        i = 0
        n = len(toks)
        while i < n:
            tok = toks[i][2]
            if not _is_cap(tok) or fold(tok) in _FUNCTION and not (self._starts_title(toks, i) or self._opens_name(toks, i)):
                i += 1
                continue
            last = i
            k = i + 1
            connectors = 0
            while k < n:
                t = toks[k][2]
                gap = sentence[toks[k - 1][1] : toks[k][0]]
                if "\n" in gap or len(gap) > 1:
                    break
                if _is_cap(t) or _is_initial(t) or (t.isdigit() and last == k - 1):
                    last, connectors = k, 0
                elif t.lower() in _CONNECTORS and connectors < 2 and k + 1 < n and self._joins(toks, k):
                    connectors += 1
                else:
                    break
                k += 1
            first = i
            a, b = toks[first][0], toks[last][1]
            surface = sentence[a:b]
            i = last + 1
            single = first == last
            if single and (tok in COUNTRIES or fold(tok) in self.lexicon.class_cues or re.search(r"-[a-z]", tok)):
                continue  # a demonym, a class word, or an adjective like "Hugo-winning"
            if single and first == 0 and fold(tok) not in self.known_words and fold(tok) not in title_words:
                continue  # "Selected winners...": a capital because the sentence starts there
            for part_a, part_b in self._split_possessive(toks, first, last):
                a, b = toks[part_a][0], toks[part_b][1]
                surface = sentence[a:b]
                possessive = bool(re.search(r"['’]s$", surface))
                if possessive:
                    surface = surface[:-2]
                    b -= 2
                out.append(Mention(a, b, surface, "new", label=surface, possessive=possessive))
        return out

    @staticmethod
    def _split_possessive(toks: list[tuple[int, int, str]], first: int, last: int) -> list[tuple[int, int]]:
        """ "Aldous Huxley's Brave New World" is two names; "St. Martin's Press" and
        "Remembrance of Earth's Past" are one: split only between two multi-word names."""
        for k in range(first + 1, last):
            tok = toks[k][2]
            left = toks[first : k + 1]
            if re.search(r"['’]s$", tok) and len(left) >= 2 and last - k >= 2:
                if not any(t[2].lower() in _CONNECTORS for t in left) and not any(_is_initial(t[2]) for t in left[:1]):
                    return [(first, k), (k + 1, last)]
        return [(first, last)]

    @staticmethod
    def _joins(toks: list[tuple[int, int, str]], k: int) -> bool:
        """Whether the small word at ``k`` continues a name: "of"/"for" do ("Speaker for the Dead"),
        "in"/"on"/"at"/"to" only before an article ("Stranger in a Strange Land", not "Yangquan in Shanxi")."""
        word = toks[k][2].lower()
        if word == "and":
            return False
        if word in ("in", "on", "at", "to"):
            return toks[k + 1][2].lower() in _ARTICLES
        return True

    def _starts_title(self, toks: list[tuple[int, int, str]], i: int) -> bool:
        """'The' / 'A' opening a run of capitalised words ("The Left Hand of Darkness")."""
        return toks[i][2] in ("The", "A", "An") and i + 1 < len(toks) and _is_cap(toks[i + 1][2]) and fold(toks[i + 1][2]) not in _FUNCTION

    @staticmethod
    def _opens_name(toks: list[tuple[int, int, str]], i: int) -> bool:
        """A small word capitalised mid-sentence before a capitalised word is part of the name:
        "born in New York City", "the Second World War", "and Second Foundation" (not honorifics)."""
        return (
            0 < i < len(toks) - 1 and toks[i - 1][2][:1].islower() and _is_cap(toks[i + 1][2])
            and fold(toks[i + 1][2]) not in _FUNCTION and fold(toks[i][2]) not in _HONORIFICS
        )

    # -- what follows a mention ---------------------------------------------------------------------
    def _after(self, sentence: str, m: Mention) -> None:
        if m.is_literal or m.kind == "pronoun":
            return
        rest = sentence[m.end :]
        hint = _PAREN_HINT.match(rest)
        if hint:
            m.hint = hint.group(1)
            if m.kind == "known" and not any(index.lookup(f"{m.surface} ({m.hint})") for index in self.indexes):
                # "Dune (1984)" when only the novel Dune is known: maybe the novel, maybe a film of it.
                m.kind, m.types = "new", frozenset()
        if rest.startswith(("'s", "’s")) and m.kind == "known":
            m.possessive = True

    # -- types from the words around -----------------------------------------------------------------
    def _type_by_context(self, sentence: str, mentions: list[Mention]) -> None:
        toks = tokens(sentence)
        for m in mentions:
            if m.is_literal or m.kind in ("pronoun", "demonym"):
                continue
            cls = self._cue_inside(m) or self._cue_before(sentence, m) or self._cue_after(sentence, m, toks)
            if cls is not None:
                if m.kind == "new" or not m.types:
                    m.types = frozenset([cls])
                else:
                    narrowed = frozenset(t for t in m.types if self.lexicon.ontology.is_a(t, cls))
                    m.types = narrowed or m.types
            if m.kind == "new" and m.label.startswith("The ") and m.types and not m.emphasised:
                if not any(self.work_class and self.lexicon.ontology.is_a(t, self.work_class) for t in m.types):
                    m.label = m.label[4:]
                    m.start += 4

    def _cue_inside(self, m: Mention) -> URIRef | None:
        if m.kind != "new":
            return None
        for _, _, tok in tokens(m.surface)[1:]:
            cls = self.head_cues.get(fold(tok))
            if cls is not None and _is_cap(tok):
                return cls
        return None

    def _cue_before(self, sentence: str, m: Mention) -> URIRef | None:
        words = re.findall(r"[\w'’-]+|,", sentence[: m.start])
        if not words:
            return None
        cls = self.head_cues.get(fold(words[-1]))
        if cls is None and len(words) >= 2 and words[-1] == ",":
            cls = self.head_cues.get(fold(words[-2]))  # "the film adaptation, The Martian"
        return cls

    def _cue_after(self, sentence: str, m: Mention, toks: list[tuple[int, int, str]]) -> URIRef | None:
        """"X is a science fiction novel", "X, an American novelist": the head noun's class."""
        rest = sentence[m.end :]
        skip = _PAREN_HINT.match(rest)
        following = [t for t in toks if t[0] >= m.end + (skip.end() if skip else 0)]
        j = 0
        if j < len(following) and following[j][2] in (",", "("):
            j += 1
        elif j < len(following) and following[j][2].lower() in _COPULA:
            j += 1
        else:
            return None
        if j < len(following) and following[j][2].lower() in _ARTICLES:
            j += 1
        else:
            return None
        words = []
        for _, _, tok in following[j : j + 7]:
            low = tok.lower()
            if low in _NP_STOP or not tok[:1].isalpha() and tok not in ("-",):
                break
            words.append(tok)
        for k in range(len(words) - 1, -1, -1):
            # "publishing house" names a class as a pair of words; "novel" as one
            cls = (self.lexicon.class_cues.get(fold(" ".join(words[k - 1 : k + 1]))) if k else None) or self.head_cues.get(fold(words[k]))
            if cls is not None:
                return cls
        if words and words[-1][:1].islower():
            cls, _ = self.lexicon.class_of_noun(words[-1])
            return cls
        return None
