"""The store interface every backend implements."""

from __future__ import annotations

import threading
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from rdflib import URIRef
from rdflib.term import Node

from kgqa.errors import QueryTimeout
from kgqa.sparql.build import render_term
from kgqa.sparql.results import QueryResult

Quad = tuple[Node, Node, Node, URIRef | None]
T = TypeVar("T")

#: Default limits, overridable per call and in kgqa.toml ([query] timeout / limit).
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_LIMIT = 100_000


class Cancelled(Exception):
    """Raised inside a query worker when its caller gave up waiting."""


def run_with_timeout(
    work: Callable[[threading.Event], T], timeout: float | None, what: str, *, interruptible: bool = True
) -> T:
    """Run ``work(cancel)`` in a worker thread and wait at most ``timeout`` seconds.

    ``work`` must check ``cancel`` between result rows. Oxigraph releases the GIL while
    it evaluates, so the caller regains control on time even when a single blocking
    step (a large aggregate, an update) keeps the worker busy: that step cannot be
    interrupted and finishes in the background. ``timeout`` ``None`` or ``<= 0``
    means no limit. Pass ``interruptible=False`` for work that cannot be stopped (an
    update): the error then says it may still complete.
    """
    if timeout is None or timeout <= 0:
        return work(threading.Event())
    cancel = threading.Event()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except BaseException as exc:  # re-raised in the caller's thread
            # Oxigraph result iterators must be freed by the thread that made them:
            # drop the frames' locals here, keeping the traceback's lines.
            _clear_frames(exc)
            box["error"] = exc

    worker = threading.Thread(target=target, name="kgqa-query", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        cancel.set()
        worker.join(0.1)  # a worker between rows notices at once and frees its iterator
        if not interruptible:
            raise QueryTimeout(f"{what} did not finish within the {timeout:g} s timeout; it cannot be interrupted and may still complete")
        raise QueryTimeout(f"{what} stopped after the {timeout:g} s timeout")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def one_line(value: object) -> str:
    """``str(value)`` with its whitespace runs (newlines too) collapsed: error messages are one line."""
    return " ".join(str(value).split())


def _clear_frames(exc: BaseException | None) -> None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__context__


class Store(ABC):
    """An RDF dataset with SPARQL 1.1 query and update.

    Backends are registered by name in :data:`kgqa.store.STORES`. All methods take and
    return rdflib terms; ``graph=None`` means the union of all graphs for queries.
    """

    #: Registry name of the backend.
    backend: str = ""
    read_only: bool = False
    #: Where the data lives, for messages.
    location: str = ""

    @abstractmethod
    def query(
        self,
        query: str,
        *,
        graph: URIRef | str | None = None,
        bindings: dict[str, Node] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT_S,
        limit: int | None = DEFAULT_LIMIT,
    ) -> QueryResult:
        """Run a SPARQL query; ``bindings`` pre-binds variables to terms (never spliced as text)."""

    @abstractmethod
    def update(self, update: str, *, timeout: float | None = DEFAULT_TIMEOUT_S) -> None:
        """Run a SPARQL update atomically."""

    @abstractmethod
    def add(self, quads: Iterable[Quad]) -> int:
        """Add quads atomically (all or none); returns how many were given."""

    @abstractmethod
    def load(self, path: Path, *, graph: URIRef | str | None = None, fmt: str | None = None) -> int:
        """Load an RDF file atomically into ``graph`` (default: the file's own graphs or the default graph)."""

    @abstractmethod
    def graphs(self) -> list[URIRef]:
        """Names of the named graphs, sorted (Oxigraph also lists graphs emptied by ``CLEAR``)."""

    @abstractmethod
    def count(self, graph: URIRef | str | None = None) -> int:
        """Number of quads in ``graph`` (all graphs when ``None``)."""

    @abstractmethod
    def drop_graph(self, graph: URIRef | str) -> None:
        """Remove a named graph and its triples (no error if absent)."""

    def replace_graph(self, graph: URIRef | str, quads: Iterable[Quad]) -> int:
        """Atomically replace the content of ``graph`` with ``quads`` (their graph is ignored).

        Readers see either the old or the new content, never a mix: the new triples are
        staged in a scratch graph, then ``MOVE``d over the old one in one update.
        """
        target = URIRef(str(graph))
        staging = URIRef(f"urn:kgqa:staging:{uuid.uuid4().hex}")
        n = self.add((s, p, o, staging) for s, p, o, _ in quads)
        if n == 0:  # MOVE from a graph that does not exist would keep the old content
            self.drop_graph(target)
        else:
            self.update(f"MOVE {render_term(staging)} TO {render_term(target)}")
        return n

    def has_graph(self, graph: URIRef | str) -> bool:
        return URIRef(str(graph)) in set(self.graphs())

    def close(self) -> None:
        """Release files and connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
