"""Stores: where the RDF lives and how SPARQL reaches it.

One interface (:class:`~kgqa.store.base.Store`), backends chosen by name from
:data:`STORES`:

* ``oxigraph``: the embedded Oxigraph store, on disk in the project directory (or in
  memory for tests) -- :class:`~kgqa.store.oxigraph.OxigraphStore`;
* ``endpoint``: any SPARQL 1.1 server (Fuseki, GraphDB, Virtuoso, QLever, Oxigraph
  server) -- :class:`~kgqa.store.endpoint.EndpointStore`.

Example:
    >>> from kgqa.store import open_store
    >>> store = open_store("oxigraph")   # in memory
    >>> store.count()
    0
"""

from __future__ import annotations

from typing import Any

from kgqa.registry import Registry

STORES: Registry = Registry("store")


def open_store(backend: str, **options: Any):
    """Open a store by backend name, e.g. ``open_store("oxigraph", path="...")``."""
    # Import the built-in backends so they register themselves.
    from kgqa.store import endpoint, oxigraph  # noqa: F401

    return STORES.get(backend)(**options)


__all__ = ["STORES", "open_store"]
