"""The ``openai`` backend: any OpenAI-compatible ``/v1/chat/completions`` endpoint.

Works with OpenAI itself and with local servers that speak the same protocol
(llama.cpp's ``llama-server``, vLLM, Ollama's ``/v1``). The API key is read from the
environment variable named by ``[llm] api_key_env``, never from the project file.

Example (needs a running server, so not run as a doctest)::

    llm = OpenAIChat("http://127.0.0.1:8080/v1", "qwen2.5-0.5b-instruct")
    llm.chat([{"role": "user", "content": "Say hi."}])
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import httpx

from kgqa.llm import LLMError, Message

if TYPE_CHECKING:
    from kgqa.config import Config

#: Seconds to wait for one completion.
TIMEOUT_S = 60.0
MAX_TOKENS = 256


class OpenAIChat:
    """A chat model behind an OpenAI-compatible HTTP endpoint."""

    def __init__(self, url: str, model: str, api_key: str | None = None, *, timeout: float = TIMEOUT_S) -> None:
        if not url:
            raise LLMError("llm.url is empty: set it to the endpoint's base URL, e.g. http://127.0.0.1:8080/v1")
        url = url.rstrip("/")
        self.url = url if url.endswith("/chat/completions") else url + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    @classmethod
    def from_config(cls, config: Config) -> OpenAIChat:
        llm = config.settings.llm
        return cls(llm.url, llm.model, os.environ.get(llm.api_key_env))

    def chat(self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None) -> str:
        """The assistant's reply to ``messages`` (temperature 0 unless given)."""
        body: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens or MAX_TOKENS,
            "temperature": 0.0 if temperature is None else temperature,
        }
        if self.model:
            body["model"] = self.model
        try:
            response = httpx.post(self.url, json=body, headers=self._headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise LLMError(f"{self.url}: {exc.__class__.__name__}: {exc}") from None
        if response.status_code != 200:
            raise LLMError(f"{self.url}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            return str(response.json()["choices"][0]["message"]["content"]).strip()
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"{self.url}: not a chat-completion reply: {response.text[:200]}") from None
