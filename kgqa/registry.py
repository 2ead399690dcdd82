"""Plugins chosen by name.

kgqa resolves its components (stores, readers, translators, LLM backends...) the way
PyKEEN resolves models and rdflib resolves parsers: a :class:`Registry` maps a short
name to a factory, and third-party packages can add their own through the Python
entry-point group ``kgqa.<kind>`` without touching kgqa's code.

Example:
    >>> from kgqa.registry import Registry
    >>> greeters = Registry("greeter")
    >>> @greeters.register("hello")
    ... def hello(name: str) -> str:
    ...     return f"hello {name}"
    >>> greeters.get("hello")("world")
    'hello world'
    >>> greeters.names()
    ['hello']
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from kgqa.errors import KgqaError

T = TypeVar("T")


class UnknownPluginError(KgqaError, KeyError):
    """Raised when a name is not registered."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0])


class Registry(Generic[T]):
    """A name -> factory map for one kind of plugin."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator that registers ``obj`` under ``name`` (lower-cased)."""

        def decorate(obj: T) -> T:
            self._items[name.lower()] = obj
            return obj

        return decorate

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"kgqa.{self.kind}"):
            self._items.setdefault(ep.name.lower(), ep.load())

    def get(self, name: str) -> T:
        """The factory registered as ``name``; a clear error lists the known names."""
        key = name.lower()
        if key not in self._items:
            self._load_entry_points()
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownPluginError(f"unknown {self.kind} {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        self._load_entry_points()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.names()
