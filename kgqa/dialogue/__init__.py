"""Dialogue: answering with a question back when the question is ambiguous.

A confident wrong answer is worse than a short question back. A
:class:`Session` holds a conversation: :meth:`Session.ask` runs the pipeline and
the decision strategy chooses to answer, to ask which entity is meant
(:class:`Clarification` with ``kind="entity"``: "Which Solaris do you mean: the
1972 film directed by Andrei Tarkovsky, or the 2002 film directed by Steven
Soderbergh?"), to ask which relation is meant (``kind="relation"``), or to say
it does not know. :meth:`Session.reply` takes the user's answer by option
number, label or distinguishing fact.

The pieces, one module each:

* :mod:`~kgqa.dialogue.observation`, :mod:`~kgqa.dialogue.observe`: what the
  pipeline knows (candidates, readings, the answers of each pair);
* :mod:`~kgqa.dialogue.state`: the :class:`DialogueState`, its feature vector and
  the :class:`Action` set;
* :mod:`~kgqa.dialogue.describe`, :mod:`~kgqa.dialogue.clarify`,
  :mod:`~kgqa.dialogue.resolve`: clarifying questions and understanding replies;
* :mod:`~kgqa.dialogue.storage`, :mod:`~kgqa.dialogue.session`: conversations in SQLite;
* :mod:`~kgqa.dialogue.simulator`, :mod:`~kgqa.dialogue.synthetic`,
  :mod:`~kgqa.dialogue.episodes`: simulated users and dialogues for training
  and evaluating the policy (:mod:`kgqa.policy`).

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> _ = engine.load([bundled_ontology("scifi.ttl").parents[1] / "data/sample/graph.ttl"])
    >>> session = engine.session()
    >>> response = session.ask("Who directed Solaris?")  # doctest: +SKIP
    >>> print(response.text)  # doctest: +SKIP
    Which Solaris do you mean: the 1972 film directed by Andrei Tarkovsky, or the 2002 film directed by Steven Soderbergh?
    >>> [item.iri for item in session.reply("the 1972 one").answers]  # doctest: +SKIP
    ['https://w3id.org/kgqa/resource/Andrei_Tarkovsky']
"""

from kgqa.dialogue.clarify import Clarification, Option
from kgqa.dialogue.resolve import Resolution, resolve_reply
from kgqa.dialogue.session import Session
from kgqa.dialogue.state import Action, DialogueState

__all__ = ["Action", "Clarification", "DialogueState", "Option", "Resolution", "Session", "resolve_reply"]
