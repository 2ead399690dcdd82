"""Optional large language models, chosen by name: never needed, never loaded by default.

kgqa answers without any LLM. When ``[llm] backend`` is set in ``kgqa.toml``,
:func:`get_llm` builds the named backend from the :data:`BACKENDS` registry; the
answer verbalizer may then ask it to polish a sentence (and checks the result, see
:mod:`kgqa.verbalize.rewrite`). Backends:

- ``openai``: any OpenAI-compatible ``/v1/chat/completions`` endpoint (``url``,
  ``model``, the API key read from the environment variable named by ``api_key_env``);
- ``llama-cpp``: a local GGUF file (``model`` = its path) through llama-cpp-python,
  the optional extra ``pip install 'kgqa[llama]'``.

Public objects: :class:`LLM` (the protocol: ``chat(messages) -> str``),
:class:`LLMError`, :data:`BACKENDS`, :func:`get_llm`.

Example:
    >>> from kgqa.config import Config
    >>> get_llm(Config.from_dict({})) is None
    True
    >>> BACKENDS.names()[:2]
    ['llama-cpp', 'openai']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from kgqa.errors import KgqaError
from kgqa.registry import Registry

if TYPE_CHECKING:
    from kgqa.config import Config

#: A chat message: ``{"role": "system" | "user" | "assistant", "content": "..."}``.
Message = dict[str, str]


class LLMError(KgqaError):
    """An LLM backend that is not installed, not reachable or answered nonsense."""


class LLM(Protocol):
    """A chat model: messages in, the assistant's reply out."""

    def chat(self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None) -> str:
        ...


#: Backend factories by name; each takes the project Config and returns an :class:`LLM`.
BACKENDS: Registry[Callable[[Config], LLM]] = Registry("llm")


@BACKENDS.register("openai")
def _openai(config: Config) -> LLM:
    from kgqa.llm.openai_compat import OpenAIChat

    return OpenAIChat.from_config(config)


@BACKENDS.register("llama-cpp")
def _llama_cpp(config: Config) -> LLM:
    from kgqa.llm.llama import LlamaChat

    return LlamaChat.from_config(config)


def get_llm(config: Config) -> LLM | None:
    """The LLM ``[llm] backend`` names, or ``None`` when it is empty (the default)."""
    name = config.settings.llm.backend
    if not name:
        return None
    return BACKENDS.get(name)(config)


__all__ = ["BACKENDS", "LLM", "LLMError", "Message", "get_llm"]
