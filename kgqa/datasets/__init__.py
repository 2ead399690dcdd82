"""Datasets: loaders for the public benchmarks kgqa measures itself on.

Each module reads one dataset in place into plain dataclasses, and raises a
:class:`kgqa.errors.KgqaError` subclass naming the path when the data is absent
or malformed. Nothing here downloads anything.

Where the data is: the directory a benchmark's ``--data`` names; without it,
``$KGQA_DATA/<name>``; without that, ``../shared/<name>`` from the current
directory (:func:`shared_dir`), the layout of this repository's development
machine. The sample corpus of a checkout is ``data/sample`` under the current
directory (:func:`sample_dir`).

Public modules: :mod:`kgqa.datasets.webnlg` (triple sets with human-written texts),
:mod:`kgqa.datasets.metaqa` (the WikiMovies KB and its 1-, 2- and 3-hop questions).

Example:
    >>> import os
    >>> os.environ[DATA_ENV] = "/data/sets"
    >>> shared_dir("metaqa")
    PosixPath('/data/sets/metaqa')
    >>> del os.environ[DATA_ENV]
"""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable naming the folder that holds the outside data sets.
DATA_ENV = "KGQA_DATA"


def shared_dir(name: str) -> Path:
    """Where data set ``name`` is read when no ``--data`` is given: ``$KGQA_DATA/<name>``,
    else ``../shared/<name>`` from the current directory."""
    base = os.environ.get(DATA_ENV)
    return (Path(base) if base else Path.cwd().parent / "shared") / name


def sample_dir() -> Path:
    """The sample corpus and its gold files in a kgqa checkout: ``data/sample`` under the current directory."""
    return Path.cwd() / "data" / "sample"
