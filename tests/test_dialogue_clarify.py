"""Clarifying questions and reply resolution over the sample graph (real store, real queries)."""

from __future__ import annotations


import pytest
from rdflib import URIRef

from kgqa.dialogue.clarify import entity_clarification, relation_clarification
from kgqa.dialogue.episodes import apply_reply
from kgqa.dialogue.observe import build_observation
from kgqa.dialogue.resolve import ReplyError, resolve_reply
from kgqa.dialogue.state import DialogueState
from kgqa.translate import Hop, QueryStructure
from test_dialogue_support import R, SF, engine  # noqa: F401 - engine is the shared fixture


def reading(*props: str, inverse: bool = False) -> QueryStructure:
    return QueryStructure(tuple(Hop(URIRef(SF + p), inverse) for p in props))


def solaris_state(engine, prop: str = "director") -> DialogueState:
    candidates = [(R + "Solaris", 1.0), (R + "Solaris_1972", 1.0), (R + "Solaris_2002", 1.0)]
    return DialogueState.start(build_observation(engine, f"Who is the {prop} of Solaris?", "Solaris", candidates, [(reading(prop), 0.9)]))


def test_entity_clarification_offers_the_entities_that_answer(engine):
    c = entity_clarification(solaris_state(engine))
    assert [o.key for o in c.options] == [R + "Solaris_1972", R + "Solaris_2002"]
    assert c.text == ("Which Solaris do you mean: the 1972 film directed by Andrei Tarkovsky, "
                      "or the 2002 film directed by Steven Soderbergh?")


def test_all_namesakes_are_offered_when_the_relation_fits_them_all(engine):
    c = entity_clarification(solaris_state(engine, "originalLanguage"))
    assert [o.key for o in c.options] == [R + "Solaris", R + "Solaris_1972", R + "Solaris_2002"]
    assert c.options[0].description == "the 1961 book written by Stanisław Lem"


@pytest.mark.parametrize(
    ("reply", "expected", "how"),
    [
        ("Solaris (2002)", "Solaris_2002", "label"),  # by label (an alternative label)
        ("the 1972 one", "Solaris_1972", "label"),  # by a distinguishing fact: the year
        ("Tarkovsky's", "Solaris_1972", "label"),  # by a neighbour
        ("the one by Soderbergh", "Solaris_2002", "label"),
        ("the older one", "Solaris_1972", "year"),
        ("2", "Solaris_2002", "index"),  # by index
        ("the first one", "Solaris_1972", "index"),
        ("the latter", "Solaris_2002", "index"),
        (1, "Solaris_1972", "index"),
    ],
)
def test_replies_resolve_to_the_right_entity(engine, reply, expected, how):
    state = solaris_state(engine)
    c = entity_clarification(state)
    resolution = resolve_reply(reply, c)
    assert resolution.how == how
    assert [c.options[n - 1].key for n in resolution.chosen] == [R + expected]
    after = apply_reply(state, c, reply)
    assert after.entity_chosen and after.outcome().labels == (
        ("Andrei Tarkovsky",) if expected == "Solaris_1972" else ("Steven Soderbergh",))


def test_class_words_and_vague_replies(engine):
    state = solaris_state(engine, "originalLanguage")
    c = entity_clarification(state)
    assert [c.options[n - 1].key for n in resolve_reply("the novel", c).chosen] == [R + "Solaris"]
    assert resolve_reply("the movie", c).chosen == (2, 3)  # vague: both films stay in play
    assert resolve_reply("not sure", c).how == "unclear"
    assert resolve_reply("neither", c).how == "rejected"
    narrowed = apply_reply(state, c, "the movie")
    assert narrowed.entities == (1, 2) and not narrowed.entity_chosen and narrowed.asked_entity == 1
    with pytest.raises(ReplyError, match="choose 1 to 3"):
        resolve_reply(7, c)


def test_relation_clarification_and_reply(engine):
    obs = build_observation(engine, "Which person is associated with The Three-Body Problem?", "The Three-Body Problem",
                            [(R + "The_Three_Body_Problem", 1.0)], [(reading("author"), 0.5), (reading("translator"), 0.45)])
    state = DialogueState.start(obs)
    c = relation_clarification(state)
    assert c.text == "What would you like to know about The Three-Body Problem: its author, or its translator?"
    assert apply_reply(state, c, "who translated it").outcome().labels == ("Ken Liu",)
    assert apply_reply(state, c, "the author").outcome().labels == ("Liu Cixin",)
    assert apply_reply(state, c, "2").reading_chosen
