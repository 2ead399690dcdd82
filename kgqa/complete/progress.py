"""What completion shows while it works: progress bars, without PyKEEN's chatter."""

from __future__ import annotations

import logging
from typing import Any


def progress_bar(*, total: int, desc: str, enabled: bool = True, unit: str = "query") -> Any:
    """A tqdm bar on stderr (a silent one when ``enabled`` is false)."""
    # Deferred: tqdm.auto reads package metadata (~70 ms), which every kgqa start-up would pay.
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, unit=unit, leave=False)


def quiet_pykeen() -> None:
    """Keep PyKEEN's INFO logs (every checkpoint, every evaluation) off the console.

    PyKEEN sets its logger to INFO when imported, so this imports it first.
    """
    import pykeen  # noqa: F401  (on purpose here: PyKEEN loads torch, which only completion needs)

    logging.getLogger("pykeen").setLevel(logging.WARNING)
    # CPU runs make torch-max-mem warn at every evaluation that it only tunes CUDA.
    logging.getLogger("torch_max_mem").setLevel(logging.ERROR)
