"""The training-curve picture of a run: loss per epoch and validation MRR."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def plot_curves(
    path: Path, losses: Sequence[float], validation: Sequence[tuple[int, float]], title: str
) -> None:
    """Write a PNG with the loss (left axis) and validation MRR at each check (right axis)."""
    # matplotlib only when a figure is drawn.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    ax.plot(range(1, len(losses) + 1), losses, color="tab:blue", label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss", color="tab:blue")
    if validation:
        ax2 = ax.twinx()
        epochs, values = zip(*validation)
        ax2.plot(epochs, values, "o-", color="tab:orange", label="validation MRR")
        ax2.set_ylabel("validation MRR (filtered)", color="tab:orange")
        ax2.set_ylim(0, 1)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
