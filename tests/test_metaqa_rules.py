"""Rules mined from an incomplete KB: what they learn, what they predict, what they materialise."""

from __future__ import annotations

from pathlib import Path

from kgqa.bench.metaqa.memory import simulated_train_facts, training_facts
from kgqa.bench.metaqa.rules import SAME_NAME, RuleModel

DIRECTED = ("directed_by", False)
STARRED_BACK = ("starred_actors", True)


def _kb() -> list[tuple[str, str, str]]:
    kb = []
    for i in range(12):
        film, person = f"Film {i}", f"Person {i}"
        kb.append((film, "written_by", person))
        if i < 10:  # two films lost their director
            kb.append((film, "directed_by", person))
        kb.append((film, "starred_actors", f"Actor {i}"))
        if i < 9:  # a tag with the actor's name, lower case
            kb.append((film, "has_tags", f"actor {i}"))
        kb.append((film, "in_language", "English" if i % 4 else "French"))
    # Actor 11 lost the film he starred in; its tag still names him.
    kb.remove(("Film 11", "starred_actors", "Actor 11"))
    kb.append(("Film 11", "has_tags", "actor 11"))
    return kb


def test_rules_learn_writer_is_director_and_tags_name_actors() -> None:
    # Actor 11 has no fact left: only the list of names (entities.txt) knows him.
    model = RuleModel.mine(_kb(), ["Actor 11"], min_support=3)
    rules = {(r.head, r.body): r for rs in model.rules.values() for r in rs}
    assert rules[(DIRECTED, (("written_by", False),))].confidence == 1.0
    tag_rule = rules[(STARRED_BACK, (SAME_NAME, ("has_tags", True)))]
    assert tag_rule.support == 9 and tag_rule.confidence == 1.0
    # A film that lost its director gets it from its writer; an actor who lost his
    # film gets it from the tag that carries his name.
    assert model.predict("Film 10", DIRECTED)[0] == ("Person 10", 1.0)
    assert model.predict("Actor 11", STARRED_BACK)[0][0] == "Film 11"
    # Nothing predicts what nothing supports.
    assert model.predict("Film 3", ("has_genre", False)) == []


def test_links_fill_only_empty_slots_of_the_right_kind(tmp_path: Path) -> None:
    model = RuleModel.mine(_kb(), min_support=3)
    links = {(a, s, y) for a, s, y, _ in model.links(0.5)}
    assert ("Film 10", DIRECTED, "Person 10") in links and ("Film 11", DIRECTED, "Person 11") in links
    assert not any(a == "Film 3" and s == DIRECTED for a, s, _ in links)  # its director is known
    assert not any(a.startswith("actor ") and s == STARRED_BACK for a, s, _ in links)  # tags are not people
    model.save(tmp_path / "rules.json")
    again = RuleModel.load(tmp_path / "rules.json", _kb())
    assert again.predict("Film 10", DIRECTED) == model.predict("Film 10", DIRECTED)
    assert again.vote_precision == model.vote_precision


def test_training_facts_keep_direction() -> None:
    examples = [
        ("Film 1", (("directed_by", False),), ("Person 1",)),
        ("Actor 2", (STARRED_BACK,), ("Film 2", "Film 3")),
        ("Film 1", (DIRECTED, ("directed_by", True)), ("Film 4",)),  # 2-hop: states no fact
    ]
    assert training_facts(examples) == [
        ("Film 1", "directed_by", "Person 1"),
        ("Film 2", "starred_actors", "Actor 2"),
        ("Film 3", "starred_actors", "Actor 2"),
    ]


def test_predictions_fit_the_steps_range() -> None:
    kb = _kb()
    for i in range(6):  # comedies tagged "comedy": has_genre <- has_tags, same_name
        kb += [(f"Film {i}", "has_genre", "Comedy"), (f"Film {i}", "has_tags", "comedy")]
    model = RuleModel.mine(kb, min_support=3)
    genre = ("has_genre", False)
    assert any(r.body == (("has_tags", False), SAME_NAME) for r in model.rules[genre])
    # Film 7's only tag names its actor: the same rule reaches a person, who is no genre.
    assert model.graph.fits("Comedy", genre) and not model.graph.fits("Actor 7", genre)
    assert "Actor 7" not in [y for y, _ in model.predict("Film 7", genre)]
    assert not any(y == "Actor 7" for _, s, y, _ in model.links(0.01) if s == genre)


def test_simulated_train_facts_never_state_a_scored_pair_alone() -> None:
    kb = _kb()
    excluded = {("Film 3", DIRECTED), ("Person 3", ("directed_by", True)), ("Film 5", DIRECTED)}
    everything = set(simulated_train_facts(kb, excluded, share=1.0))
    # Film 5's director is still stated by the question about Person 5's films; Film 3's by none.
    assert ("Film 5", "directed_by", "Person 5") in everything
    assert everything == set(kb) - {("Film 3", "directed_by", "Person 3")}
    some = simulated_train_facts(kb, excluded, share=0.5, seed=1)
    assert some == simulated_train_facts(kb, excluded, share=0.5, seed=1) and set(some) < everything
