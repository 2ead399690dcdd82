"""Benchmarks: ``kgqa bench <name>``.

Each module here is one benchmark and exposes ``register(app)`` adding its command to
the ``bench`` group. Every benchmark prints a table and, with ``--json FILE``, writes
the same figures as JSON together with the machine they were measured on (see
:mod:`kgqa.bench.report`). Speed and memory targets live here, not in unit tests.
"""
