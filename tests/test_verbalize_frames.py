"""Frames from a property's words (real spaCy tagger, real lemminflect lexicon) and the learned choice."""

from __future__ import annotations

import pytest

from kgqa.verbalize.frames import FrameChoice, frames, value_kind


@pytest.mark.parametrize(
    ("label", "value", "template"),
    [
        ("birth place", "entity", "{s} was born in {o}"),
        ("place of birth", "entity", "{s} was born in {o}"),
        ("date of death", "date", "{s} died on {o}"),
        ("founding year", "year", "{s} was founded in {o}"),
        ("christening date", "date", "{s} was christened on {o}"),
        ("publication year", "year", "{s} was published in {o}"),
        ("editing", "entity", "{s} was edited by {o}"),
        ("manufacturer", "entity", "{s} was manufactured by {o}"),
        ("builder", "entity", "{s} was built by {o}"),
        ("owner", "entity", "{s} is owned by {o}"),
        ("member of", "entity", "{s} is a member of {o}"),
        ("part of", "entity", "{s} is part of {o}"),
        ("located in", "entity", "{s} is located in {o}"),
        ("named after", "entity", "{s} is named after {o}"),
        ("first climbed by", "entity", "{s} was first climbed by {o}"),
        ("first ascent by", "entity", "{s}'s first ascent was by {o}"),
        ("year of first ascent", "number", "the first ascent of {s} was in {o}"),
        ("selected by NASA", "year", "{s} was selected by NASA in {o}"),
        ("senators", "entity", "{s}'s senators are {o}"),
    ],
)
def test_the_words_give_a_verb_or_role_frame(label: str, value: str, template: str) -> None:
    assert frames(label, value)[0].template == template


def test_plain_nouns_get_the_noun_frames_with_plurals() -> None:
    found = {f.kind: f for f in frames("record label")}
    assert list(found) == ["possessive", "the-of", "has-of", "is-the", "is-a"]
    assert found["possessive"].template == "{s}'s record label is {o}"
    assert found["possessive"].plural == "{s}'s record labels are {o}"
    assert found["has-of"].template == "{s} has a record label of {o}"
    # Nothing to derive a verb from: no event, agent or role frame.
    assert all(f.kind in ("possessive", "the-of", "has-of", "is-the", "is-a") for f in frames("main ingredient"))


def test_value_kinds() -> None:
    assert [value_kind(v) for v in ['"1932-03-15"', "1961", "2776.0", "17068.8 (millimetres)", '"Hot"', "Aarhus"]] == [
        "date", "year", "number", "number", "text", "entity"
    ]


def test_the_choice_follows_how_people_said_properties_of_the_same_kind() -> None:
    # Texts said noun properties with numbers as "has a ... of" and with entities as "'s ... is".
    examples = [
        ("runway length", "number", {"{0} has a runway length of {1}.": 3}),
        ("population", "number", {"{0} has a population of {1}.": 2, "The population of {0} is {1}.": 1}),
        ("capital", "entity", {"{0}'s capital is {1}.": 2}),
        ("currency", "entity", {"{0}'s currency is {1}.": 1}),
    ]
    choice = FrameChoice.learn(examples)
    assert choice.choose(frames("wing span", "number"), "number").kind == "has-of"
    assert choice.choose(frames("head coach", "entity"), "entity").kind == "possessive"
    # A derivation never seen in learning falls back to the most specific frame.
    assert choice.choose(frames("builder", "entity"), "entity").template == "{s} was built by {o}"
