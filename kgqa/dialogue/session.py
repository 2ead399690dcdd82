"""A conversation: questions, clarifying questions back, replies, follow-ups.

:meth:`Session.ask` runs the pipeline on a question and lets the decision
strategy (the trained policy by default) choose: answer, ask which entity or
which relation is meant, or say honestly that it does not know. A
:class:`~kgqa.dialogue.clarify.Clarification` waits in the session's SQLite
store until :meth:`Session.reply` resolves the user's answer to it (by label, by
a distinguishing fact, or by option number) and the strategy chooses again.
A follow-up without a name of its own ("and when was it published?") refers to
the previous answer's entities and topic.

Example:
    >>> from kgqa import Engine
    >>> from kgqa.ontology import bundled_ontology
    >>> engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")])
    >>> session = engine.session()
    >>> session.pending is None
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgqa.dialogue.clarify import Clarification
from kgqa.dialogue.episodes import apply_reply, clarification_for
from kgqa.dialogue.followup import is_follow_up, referents, remember
from kgqa.dialogue.observe import observe
from kgqa.dialogue.state import ACTIONS, Action, DialogueState
from kgqa.dialogue.storage import SessionStore
from kgqa.errors import KgqaError

if TYPE_CHECKING:
    from kgqa.engine import Engine


class NoPendingClarification(KgqaError):
    """``reply`` was called, but the session asked nothing."""


def session_store(engine: Engine) -> SessionStore:
    """The engine's session store (:attr:`Engine.sessions`, one per engine, opened on first use)."""
    return engine.sessions


def project_policy_path(engine: Engine) -> Path:
    """Where ``kgqa train policy`` writes the project's policy."""
    return engine.models_dir / "policy" / "policy.pt"


def load_strategy(engine: Engine) -> Any:
    """The strategy ``[dialogue] policy`` names: a strategy name, a weights file, or "" (the
    project's trained policy when there is one, else the policy shipped with kgqa); the engine
    keeps it (:attr:`Engine.dialogue_strategy`)."""
    from kgqa.policy.strategies import LearnedPolicy, strategies

    setting = engine.config.get("dialogue.policy")
    if setting and setting in strategies.names():
        strategy = strategies.get(setting)()
    elif setting:
        strategy = LearnedPolicy(Path(setting).expanduser())
    else:
        trained = project_policy_path(engine)
        strategy = LearnedPolicy(trained if trained.is_file() else None)
    return strategy


class Session:
    """One conversation with the engine; its turns live in the project's ``sessions.sqlite``."""

    def __init__(self, engine: Engine, session_id: str, store: SessionStore, strategy: Any) -> None:
        self.engine = engine
        self.id = session_id
        self.store = store
        self.strategy = strategy

    @classmethod
    def open(cls, engine: Engine, session_id: str | None = None) -> Session:
        """Continue the session ``session_id`` (created if new), or start a fresh one."""
        store = session_store(engine)
        sid = session_id if session_id and store.exists(session_id) else store.create(session_id)
        return cls(engine, sid, store, engine.dialogue_strategy)

    # -- the conversation ------------------------------------------------------------
    @property
    def pending(self) -> Clarification | None:
        """The clarification waiting for a reply, if any."""
        data = self.store.pending(self.id)
        return Clarification.from_dict(data["clarification"]) if data else None

    def history(self) -> list[dict[str, Any]]:
        """Every turn so far: ``n``, ``role`` (user/system), ``kind``, ``text`` and its data."""
        return self.store.turns(self.id)

    def ask(self, question: str) -> Any:
        """Answer ``question``, or return a :class:`Clarification` (a pending one is dropped)."""
        question = question.strip()
        if not question:
            raise KgqaError("empty question")
        self.store.add_turn(self.id, "user", "question", question)
        self.store.set_pending(self.id, None)
        obs, answer = observe(self.engine, question, context=self._context(question))
        return self._act(DialogueState.start(obs), question, answer)

    def reply(self, reply: str | int) -> Any:
        """Answer the pending clarification: option number, label, or a distinguishing fact."""
        pending = self.store.pending(self.id)
        if pending is None:
            raise NoPendingClarification(f"session {self.id} has no clarifying question waiting for a reply; use ask()")
        clarification = Clarification.from_dict(pending["clarification"])
        state = apply_reply(DialogueState.from_dict(pending["state"]), clarification, reply)
        self.store.add_turn(self.id, "user", "reply", str(reply))
        return self._act(state, pending["question"], None)

    def correct(self, answers: str | list[str]) -> int:
        """The right answers to the session's last question ("A|B" or a list), kept for the next
        ``kgqa train translator``; returns how many corrections are pending."""
        question = next((t["text"] for t in reversed(self.history()) if t["kind"] == "question"), None)
        if question is None:
            raise KgqaError(f"session {self.id} has no question to correct")
        items = answers.split("|") if isinstance(answers, str) else list(answers)
        pending = self.engine.correct(question, items)
        self.store.add_turn(self.id, "user", "correction", "|".join(a.strip() for a in items))
        return pending

    # -- one decision ------------------------------------------------------------------
    def _act(self, state: DialogueState, question: str, pipeline_answer: Any) -> Any:
        action = self.strategy.choose(state)
        if action in (Action.CLARIFY_ENTITY, Action.CLARIFY_RELATION) and state.valid_actions()[ACTIONS.index(action)]:
            clarification = clarification_for(state, action)
            clarification.session_id = self.id
            self.store.set_pending(self.id, {"question": question, "state": state.to_dict(), "clarification": clarification.to_dict()})
            self.store.add_turn(self.id, "system", "clarification", clarification.text, clarification.to_dict())
            return clarification
        self.store.set_pending(self.id, None)
        from kgqa.dialogue.respond import respond

        answer = respond(self.engine, question, state, pipeline_answer, abstain=action is Action.ABSTAIN)
        pair = state.choice()
        if pair is not None and not state.outcome().empty:
            topic = state.obs.candidates[pair[0]].iri if pair[0] >= 0 else None
            iris = [item.iri for item in getattr(answer, "answers", []) if item.iri]
            self.store.set_context(self.id, remember(self.store.context(self.id), topic, iris))
        self.store.add_turn(self.id, "system", "abstain" if action is Action.ABSTAIN else "answer", getattr(answer, "text", str(answer)),
                            answer.to_dict() if hasattr(answer, "to_dict") else {})
        return answer

    def _context(self, question: str) -> list[tuple[str, float]] | None:
        """Entities a follow-up question may mean (see :mod:`kgqa.dialogue.followup`)."""
        if not is_follow_up(question):
            return None
        return referents(self.store.context(self.id), question) or None
