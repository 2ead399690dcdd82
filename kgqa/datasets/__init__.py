"""Datasets: loaders for the public benchmarks kgqa measures itself on.

Each module reads one dataset in place (from ``../shared`` next to the repository,
or any directory with the same layout) into plain dataclasses, and raises a
:class:`kgqa.errors.KgqaError` subclass naming the path when the data is absent
or malformed. Nothing here downloads anything.

Public modules: :mod:`kgqa.datasets.webnlg` (triple sets with human-written texts),
:mod:`kgqa.datasets.metaqa` (the WikiMovies KB and its 1-, 2- and 3-hop questions).
"""
