"""The ``llama-cpp`` backend: a local GGUF model through llama-cpp-python.

An optional extra (``pip install 'kgqa[llama]'``); imported only when
``[llm] backend = "llama-cpp"``. ``[llm] model`` is the path of the ``.gguf`` file.

Example (needs llama-cpp-python and a model file, so not run as a doctest)::

    llm = LlamaChat("models/qwen2.5-0.5b-instruct-q4_k_m.gguf")
    llm.chat([{"role": "user", "content": "Say hi."}])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kgqa.llm import LLMError, Message

if TYPE_CHECKING:
    from kgqa.config import Config

MAX_TOKENS = 256
CONTEXT_TOKENS = 2048


class LlamaChat:
    """A chat model loaded from a GGUF file in this process."""

    def __init__(self, model_path: str | Path) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise LLMError("llm.backend 'llama-cpp' needs llama-cpp-python: pip install 'kgqa[llama]'") from None
        path = Path(model_path)
        if not str(model_path) or not path.is_file():
            raise LLMError(f"llm.model: no GGUF model file at {str(model_path)!r}")
        self._model: Any = Llama(model_path=str(path), n_ctx=CONTEXT_TOKENS, verbose=False)

    @classmethod
    def from_config(cls, config: Config) -> LlamaChat:
        return cls(config.settings.llm.model)

    def chat(self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None) -> str:
        """The assistant's reply to ``messages`` (temperature 0 unless given)."""
        reply = self._model.create_chat_completion(
            messages=messages,
            max_tokens=max_tokens or MAX_TOKENS,
            temperature=0.0 if temperature is None else temperature,
        )
        try:
            return str(reply["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError):
            raise LLMError(f"llama-cpp: not a chat-completion reply: {str(reply)[:200]}") from None
