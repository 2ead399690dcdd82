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

import importlib
from collections.abc import Callable
from typing import Any

from kgqa.registry import Registry
from kgqa.store.base import Store

#: Store backends by name; each is called with the options of :func:`open_store`.
STORES: Registry[Callable[..., Store]] = Registry("store")


#: The built-in backends' modules, imported (so that they register themselves) only when asked for:
#: the endpoint backend pulls in an HTTP client that an embedded project never uses.
_BUILT_IN = {"oxigraph": "kgqa.store.oxigraph", "endpoint": "kgqa.store.endpoint"}


def open_store(backend: str, **options: Any) -> Store:
    """Open a store by backend name, e.g. ``open_store("oxigraph", path="...")``."""
    if backend in _BUILT_IN:
        importlib.import_module(_BUILT_IN[backend])
    else:  # a plugin, or a typo: the registry lists the known names
        for module in _BUILT_IN.values():
            importlib.import_module(module)
    return STORES.get(backend)(**options)


__all__ = ["STORES", "open_store"]
