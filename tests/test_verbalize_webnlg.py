"""WebNLG loader, template induction from aligned texts, the triple-set generator and its benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kgqa.datasets.webnlg import Triple, WebNLGError, load
from kgqa.verbalize.induce import Lexicon, delexicalise, most_typical, shape
from kgqa.verbalize.names import find, variants
from kgqa.verbalize.triplesets import TripleSetVerbalizer

ROOT = Path(__file__).resolve().parents[1]
SHARED_WEBNLG = ROOT.parent / "shared" / "webnlg"

ENTRY = """    <entry category="{cat}" eid="Id{eid}" shape="" shape_type="" size="{size}">
      <modifiedtripleset>
{triples}
      </modifiedtripleset>
{lexes}
    </entry>
"""


def write_split(root: Path, split: str, entries: list[tuple[str, list[str], list[str]]]) -> None:
    """Write ``(category, triples, texts)`` entries in WebNLG's layout under ``root/split``."""
    by_size: dict[int, list[str]] = {}
    for i, (cat, triples, texts) in enumerate(entries, 1):
        body = ENTRY.format(
            cat=cat, eid=i, size=len(triples),
            triples="\n".join(f"        <mtriple>{t}</mtriple>" for t in triples),
            lexes="\n".join(f'      <lex comment="good" lid="Id{j}">{x}</lex>' for j, x in enumerate(texts, 1)),
        )
        by_size.setdefault(len(triples), []).append(body)
    for size, bodies in by_size.items():
        folder = root / split / f"{size}triples"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Airport.xml").write_text(
            "<?xml version='1.0' encoding='utf-8'?>\n<benchmark>\n  <entries>\n" + "".join(bodies) + "  </entries>\n</benchmark>\n",
            encoding="utf-8",
        )


TRAIN = [
    ("Airport", ["Aarhus_Airport | location | Tirstrup"], ["Aarhus Airport is located in Tirstrup.", "The location of Aarhus Airport is Tirstrup."]),
    ("Airport", ["Aarhus_Airport | cityServed | Aarhus"], ["Aarhus Airport serves the city of Aarhus."]),
    ("Airport", ["Aarhus_Airport | elevationAboveTheSeaLevel | 25.0"], ["Aarhus Airport is 25 metres above sea level."]),
    ("Airport", ["Aarhus_Airport | runwayLength | 2776.0"], ["The runway length of Aarhus Airport is 2776."]),
    ("Airport", ["Aarhus_Airport | location | Tirstrup", "Aarhus_Airport | cityServed | Aarhus"],
     ["Aarhus Airport, located in Tirstrup, serves the city of Aarhus."]),
]
DEV = [
    ("Airport", ["Ardmore_Airport_(New_Zealand) | location | Auckland"], ["Ardmore Airport is located in Auckland."]),
    ("Airport", ["Ardmore_Airport_(New_Zealand) | location | Auckland", "Ardmore_Airport_(New_Zealand) | cityServed | Papakura"],
     ["Ardmore Airport, located in Auckland, serves the city of Papakura."]),
]


@pytest.fixture
def tiny_webnlg(tmp_path: Path) -> Path:
    write_split(tmp_path, "train", TRAIN)
    write_split(tmp_path, "dev", DEV)
    return tmp_path


# -- loader ------------------------------------------------------------------------------------
def test_loader_reads_triples_and_good_texts(tiny_webnlg: Path) -> None:
    entries = load(tiny_webnlg, "train")
    assert len(entries) == 5
    first = entries[0]
    assert first.triples == (Triple("Aarhus_Airport", "location", "Tirstrup"),)
    assert first.texts == ("Aarhus Airport is located in Tirstrup.", "The location of Aarhus Airport is Tirstrup.")
    assert first.category == "Airport" and first.size == 1
    assert {e.size for e in entries} == {1, 2}


def test_loader_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(WebNLGError, match="no WebNLG split 'dev'"):
        load(tmp_path, "dev")
    bad = tmp_path / "dev" / "1triples"
    bad.mkdir(parents=True)
    (bad / "Airport.xml").write_text("<benchmark><entries><entry>", encoding="utf-8")
    with pytest.raises(WebNLGError, match="Airport.xml"):
        load(tmp_path, "dev")


# -- names and alignment -----------------------------------------------------------------------
def test_surface_variants_and_tolerant_matching() -> None:
    assert [v.text for v in variants("Georgia_(U.S._state)")] == ["Georgia", "Georgia (U.S. state)"]
    assert "March 15th, 1932" in [v.text for v in variants('"1932-03-15"')]
    assert [v.text for v in variants("17068.8 (millimetres)")][:1] == ["17068.8 millimetres"]
    assert variants('"Legion of Merit ribbon.svg"')[0].text == "Legion of Merit ribbon"
    assert find("1. FC Köln", "2014 saw 1. FC Koln playing.") == [(9, 19)]
    assert find("Ohio", "an Ohioan") == []  # word boundaries
    assert find("25", "it is 25.0 metres") == []  # not part of a decimal


def test_delexicalise_replaces_names_longest_first_and_takes_the_article() -> None:
    aligned = delexicalise("Aarhus Airport serves the city of Aarhus.", ["Aarhus_Airport", "Aarhus"])
    assert aligned is not None and aligned.template == "{0} serves the city of {1}."
    aligned = delexicalise("Alan Frew was born in the United Kingdom.", ["Alan_Frew", "United_Kingdom"])
    assert aligned is not None and aligned.template == "{0} was born in {1}."
    assert delexicalise("Alan Frew was born in the U.K.", ["Alan_Frew", "United_Kingdom"]) is None
    # A text naming an entity again in part would carry that part over to other entities.
    names = ["Abdulsalami_Abubakar", "Mike_Akhigbe"]
    assert delexicalise("Abdulsalami Abubakar served with Mike Akhigbe; Mr. Akhigbe was vice president.", names) is None
    # ... unless the word belongs to the predicate.
    aligned = delexicalise("Acharya Institute was given the Technical Campus status by the Technical Council.",
                           ["Acharya_Institute", "Technical_Council"], ["wasGivenTheTechnicalCampusStatusBy"])
    assert aligned is not None and aligned.template == "{0} was given the Technical Campus status by {1}."
    # A measure said without its unit is marked, so the unit is not said twice when filled.
    aligned = delexicalise("Its area is 131.6 square km.", ["131.6 (square kilometres)"])
    assert aligned is not None and aligned.template == "Its area is {0:bare} square km."


def test_isomorphic_triple_sets_share_a_shape() -> None:
    a = [Triple("X", "ingredient", "Egg"), Triple("X", "country", "Spain"), Triple("X", "ingredient", "Garlic")]
    b = [Triple("Y", "ingredient", "Milk"), Triple("Y", "ingredient", "Salt"), Triple("Y", "country", "Peru")]
    key_a, names_a = shape(a)
    key_b, names_b = shape(b)
    assert key_a == key_b
    assert names_a[0] == "X" and names_b[0] == "Y"
    assert shape([Triple("X", "country", "Spain"), Triple("Spain", "leader", "Felipe")])[0] != shape(
        [Triple("X", "country", "Spain"), Triple("X", "leader", "Felipe")]
    )[0]


def test_the_most_typical_text_is_kept() -> None:
    from collections import Counter

    pool = Counter({"{0} is located in {1}.": 1, "{0} is in {1}.": 1, "{1} hosts {0}, a place.": 1, "{0} is located in {1} now.": 1})
    assert most_typical(pool) == "{0} is located in {1}."


# -- learning and rendering ----------------------------------------------------------------------
def test_learned_templates_say_new_entities(tiny_webnlg: Path) -> None:
    lexicon = Lexicon.learn((e.triples, e.texts) for e in load(tiny_webnlg, "train"))
    assert lexicon.texts_seen == 6 and lexicon.texts_aligned == 6
    generator = TripleSetVerbalizer(lexicon)
    dev = load(tiny_webnlg, "dev")
    assert generator.render(dev[0].triples) == "Ardmore Airport is located in Auckland."
    # The two-triple template learned as a whole beats two one-triple sentences.
    assert generator.render(dev[1].triples) == "Ardmore Airport, located in Auckland, serves the city of Papakura."
    # A predicate never seen: the fallback pattern learned from the predicates whose texts spell them out.
    assert generator.render([Triple("Ardmore_Airport", "runwayName", '"03R/21L"')]) == (
        "The runway name of Ardmore Airport is 03R/21L."
    )
    # Sentences about one subject are joined.
    text = generator.render([Triple("Ardmore_Airport", "elevationAboveTheSeaLevel", "34.0"),
                             Triple("Ardmore_Airport", "cityServed", "Papakura")])
    assert text == "Ardmore Airport is 34 metres above sea level and serves the city of Papakura."
    # One subject's objects of one predicate are listed; a measure keeps the unit its template does not say.
    text = generator.render([Triple("Ardmore_Airport", "cityServed", "Papakura"), Triple("Ardmore_Airport", "cityServed", "Auckland"),
                             Triple("Ardmore_Airport", "runwayLength", "1411.0 (metres)")])
    assert text == "Ardmore Airport serves the city of Papakura and Auckland. The runway length of Ardmore Airport is 1411 metres."
    # A predicate never seen is said from its words, subject first when the subject has more to say.
    text = generator.render([Triple("Ardmore_Airport", "operator", "Auckland_Council"), Triple("Ardmore_Airport", "location", "Auckland")])
    assert text == "Ardmore Airport is operated by Auckland Council and is located in Auckland."


@pytest.mark.slow
def test_dev_bleu_beats_the_rule_based_baseline() -> None:
    if not (SHARED_WEBNLG / "dev").is_dir():
        pytest.skip(f"WebNLG data absent: {SHARED_WEBNLG} (see ../shared/webnlg/README.md)")
    from kgqa.bench.verbalize import score

    lexicon = Lexicon.learn((e.triples, e.texts) for e in load(SHARED_WEBNLG, "train"))
    assert lexicon.texts_aligned > 0.6 * lexicon.texts_seen
    dev = load(SHARED_WEBNLG, "dev")
    generator = TripleSetVerbalizer(lexicon)
    bleu, chrf = score([generator.render(e.triples) for e in dev], [e.texts for e in dev])
    assert bleu > 40.6 and chrf > 0.621


# -- the benchmark command ------------------------------------------------------------------------
def kgqa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kgqa", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_bench_skips_cleanly_without_data(tmp_path: Path) -> None:
    result = kgqa("bench", "verbalize", "--data", str(tmp_path / "nowhere"))
    assert result.returncode == 0, result.stderr
    assert "skipped: no WebNLG data" in result.stdout


def test_bench_scores_any_directory_with_the_layout(tiny_webnlg: Path, tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = kgqa("bench", "verbalize", "--data", str(tiny_webnlg), "--split", "dev", "--json", str(out))
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    ours = figures["rows"][0]
    assert ours["split"] == "dev" and ours["entries"] == 2
    assert ours["BLEU"] == pytest.approx(100.0)  # both dev texts are exactly what the templates say
    assert [r["BLEU"] for r in figures["rows"] if "published" in r["system"]] == [40.6, 54.0]
    assert "machine" in figures and figures["train_texts_aligned"] == "6 of 6"
