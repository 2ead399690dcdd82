"""The policy network: a small MLP from the dialogue state to a choice of action.

Two heads share one body: ``logits`` over :data:`~kgqa.dialogue.state.ACTIONS`
(invalid actions masked out) and ``value``, the expected return of the state,
which REINFORCE uses as its baseline. Weights live in a ``.pt`` file next to a
``.json`` file with the feature and action names they were trained for, so a
policy never silently reads a differently ordered state vector.

Example:
    >>> import torch
    >>> from kgqa.policy.network import PolicyNetwork
    >>> net = PolicyNetwork(n_features=4, n_actions=3, hidden=8)
    >>> logits, value = net(torch.zeros(2, 4), torch.tensor([[True, False, True]] * 2))
    >>> logits.shape, float(torch.softmax(logits, -1)[0, 1].detach())
    (torch.Size([2, 3]), 0.0)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from kgqa.dialogue.state import ACTIONS, FEATURE_NAMES
from kgqa.errors import KgqaError

#: The policy shipped with kgqa, trained on the sample graph (see docs/dialogue.md).
DEFAULT_POLICY = Path(__file__).with_name("default_policy.pt")


class PolicyError(KgqaError):
    """A policy file that is missing or was trained for other features or actions."""


class PolicyNetwork(nn.Module):
    """MLP body, a masked action head and a state-value head."""

    def __init__(self, n_features: int = len(FEATURE_NAMES), n_actions: int = len(ACTIONS), hidden: int = 32) -> None:
        super().__init__()
        self.hidden = hidden
        self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.policy_head = nn.Linear(hidden, n_actions)
        self.value_head = nn.Linear(hidden, 1)

    def forward(self, features: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(features)
        # A large finite penalty, not -inf: entropy terms of masked actions stay 0 * finite.
        logits = self.policy_head(h).masked_fill(~mask, -1e9)
        return logits, self.value_head(h).squeeze(-1)


def save_policy(net: PolicyNetwork, path: str | Path, info: dict[str, Any] | None = None) -> Path:
    """Write the weights to ``path`` (.pt) and the feature/action names plus ``info`` beside it (.json)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), path)
    meta = {"features": list(FEATURE_NAMES), "actions": [a.value for a in ACTIONS], "hidden": net.hidden, **(info or {})}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def load_policy(path: str | Path = DEFAULT_POLICY) -> tuple[PolicyNetwork, dict[str, Any]]:
    """Read a policy written by :func:`save_policy`; its features and actions must match this kgqa."""
    path = Path(path)
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise PolicyError(f"{path}: no policy there (need {path.name} and {meta_path.name}); run `kgqa train policy`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("features") != list(FEATURE_NAMES) or meta.get("actions") != [a.value for a in ACTIONS]:
        raise PolicyError(f"{meta_path}: trained for other state features or actions; retrain with `kgqa train policy`")
    net = PolicyNetwork(hidden=meta["hidden"])
    net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    net.eval()
    return net, meta
