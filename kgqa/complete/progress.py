"""Progress bars for the long steps (calibration, prediction), off when asked."""

from __future__ import annotations

from typing import Any


def progress_bar(*, total: int, desc: str, enabled: bool = True, unit: str = "query") -> Any:
    """A tqdm bar on stderr (a silent one when ``enabled`` is false)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, unit=unit, leave=False)
