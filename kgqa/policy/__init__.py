"""The dialogue policy: when to answer, when to ask back, when to say "I don't know".

Each turn of a :class:`kgqa.dialogue.Session` the policy reads the
:class:`~kgqa.dialogue.state.DialogueState` (a feature vector of pipeline
outputs) and picks an :class:`~kgqa.dialogue.state.Action`. The pieces:

* :mod:`~kgqa.policy.network`: :class:`PolicyNetwork`, a small MLP with a masked
  action head and a value head; :func:`save_policy` / :func:`load_policy` keep the
  weights beside a JSON file naming the features they expect;
  ``default_policy.pt`` is the policy shipped with kgqa, trained on the sample;
* :mod:`~kgqa.policy.strategies`: every decision rule by name (``policy``,
  ``always_answer``, ``clarify_when_ambiguous``, ``threshold``), in :data:`strategies`;
* :mod:`~kgqa.policy.reinforce`: REINFORCE with a learned baseline over simulated
  dialogues (:func:`train_reinforce`, :func:`train_restarts`) and the learning curve;
* :mod:`~kgqa.policy.training`: :func:`train_policy`, what ``kgqa train policy`` runs
  (simulate, observe through the pipeline, train, save).

Torch is imported only by the network, the trainer and a loaded policy.

Example:
    >>> from kgqa.policy import strategies
    >>> strategies.names()
    ['always_answer', 'clarify_when_ambiguous', 'policy', 'threshold']
"""

from kgqa.policy.strategies import LearnedPolicy, Strategy, Threshold, strategies

__all__ = ["LearnedPolicy", "Strategy", "Threshold", "strategies"]
