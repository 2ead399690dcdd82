"""LLM backends and the guarded rewriter, against a real HTTP server on 127.0.0.1.

The server is a stand-in for an external OpenAI-compatible service: a stdlib
``http.server`` thread that records each request and answers with the reply the
test sets (or an HTTP error).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from rdflib import Literal, URIRef

from kgqa.config import Config
from kgqa.engine import Engine
from kgqa.facts import Fact
from kgqa.llm import BACKENDS, LLMError, get_llm
from kgqa.llm.openai_compat import OpenAIChat
from kgqa.ontology import Ontology, bundled_ontology
from kgqa.registry import UnknownPluginError
from kgqa.verbalize import Verbalizer
from kgqa.verbalize.rewrite import check

SF = "https://w3id.org/kgqa/scifi#"
R = "https://w3id.org/kgqa/resource/"


@dataclass
class ChatServer:
    """What the fake endpoint answers next, and what it was sent."""

    url: str
    reply: str = "ok"
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    state = ChatServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if state.status != 200:
                payload = b'{"error": "overloaded"}'
            else:
                payload = json.dumps({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model", ""),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": state.reply}, "finish_reason": "stop"}],
                }).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()


def llm_config(url: str, **extra: str) -> Config:
    return Config.from_dict({"llm": {"backend": "openai", "url": url, "model": "tiny-chat", **extra}})


# -- backends --------------------------------------------------------------------------------
def test_no_llm_by_default_and_backends_by_name() -> None:
    assert get_llm(Config.from_dict({})) is None
    assert {"openai", "llama-cpp"} <= set(BACKENDS.names())
    with pytest.raises(UnknownPluginError, match="unknown llm 'gpt-local'; known: llama-cpp, openai"):
        get_llm(Config.from_dict({"llm": {"backend": "gpt-local"}}))


def test_openai_backend_posts_a_chat_completion(chat_server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGQA_TEST_LLM_KEY", "sk-test-123")
    llm = get_llm(llm_config(chat_server.url, api_key_env="KGQA_TEST_LLM_KEY"))
    assert isinstance(llm, OpenAIChat)
    chat_server.reply = "Hello there."
    assert llm.chat([{"role": "user", "content": "Say hello."}]) == "Hello there."
    sent = chat_server.requests[-1]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test-123"
    assert sent["body"]["model"] == "tiny-chat" and sent["body"]["temperature"] == 0.0
    assert sent["body"]["messages"] == [{"role": "user", "content": "Say hello."}]


def test_openai_backend_errors_are_user_errors(chat_server: ChatServer, free_port: int) -> None:
    chat_server.status = 503
    with pytest.raises(LLMError, match=r"/v1/chat/completions: HTTP 503"):
        OpenAIChat(chat_server.url, "m").chat([{"role": "user", "content": "hi"}])
    with pytest.raises(LLMError, match=f"127.0.0.1:{free_port}"):
        OpenAIChat(f"http://127.0.0.1:{free_port}/v1", "m", timeout=2).chat([{"role": "user", "content": "hi"}])
    with pytest.raises(LLMError, match="llm.url is empty"):
        get_llm(Config.from_dict({"llm": {"backend": "openai"}}))


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed here")
def test_llama_backend_without_the_extra_says_how_to_install() -> None:
    with pytest.raises(LLMError, match=r"pip install 'kgqa\[llama\]'"):
        get_llm(Config.from_dict({"llm": {"backend": "llama-cpp", "model": "models/tiny.gguf"}}))


# -- the guarded rewriter --------------------------------------------------------------------
def facts_about_solaris(inferred: bool = False) -> list[Fact]:
    solaris = URIRef(R + "Solaris")
    return [
        Fact(solaris, "Solaris", URIRef(SF + "author"), URIRef(R + "Lem"), "Stanisław Lem",
             inferred=inferred, confidence=0.83 if inferred else None),
        Fact(solaris, "Solaris", URIRef(SF + "publicationYear"), Literal(1961), "1961"),
    ]


@pytest.fixture
def verbalizer_with_llm(chat_server: ChatServer) -> Verbalizer:
    ontology = Ontology.from_files([bundled_ontology("scifi.ttl")])
    return Verbalizer(ontology, llm=get_llm(llm_config(chat_server.url)))


def test_rewrite_accepts_a_faithful_polish(chat_server: ChatServer, verbalizer_with_llm: Verbalizer) -> None:
    facts = facts_about_solaris()
    text = verbalizer_with_llm.facts(facts)
    assert text == "Solaris was written by Stanisław Lem and was published in 1961."
    chat_server.reply = "Stanisław Lem wrote Solaris, which came out in 1961."
    assert verbalizer_with_llm.rewrite(text, facts, ["Stanisław Lem"]) == chat_server.reply
    prompt = chat_server.requests[-1]["body"]["messages"]
    assert prompt[0]["role"] == "system" and text in prompt[1]["content"]
    assert "Solaris | author | Stanisław Lem" in prompt[1]["content"]


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("Solaris was written in 1961.", "drops the answer"),
        ("Solaris was written by Stanisław Lem and Arkady Strugatsky in 1961.", "names an outside entity"),
        ("Solaris was written by Stanisław Lem in Kraków in 1961.", "names an outside place"),
        ("Solaris was written by Stanisław Lem in 1959.", "changes a number"),
        ("", "says nothing"),
    ],
)
def test_rewrite_rejects_unfaithful_text(chat_server: ChatServer, verbalizer_with_llm: Verbalizer, reply: str, why: str) -> None:
    facts = facts_about_solaris()
    text = verbalizer_with_llm.facts(facts)
    chat_server.reply = reply
    assert verbalizer_with_llm.rewrite(text, facts, ["Stanisław Lem"]) == text, why
    assert check(reply, text, facts, ["Stanisław Lem"]) is not None


def test_rewrite_must_keep_saying_a_fact_is_inferred(chat_server: ChatServer, verbalizer_with_llm: Verbalizer) -> None:
    facts = facts_about_solaris(inferred=True)
    text = verbalizer_with_llm.facts(facts)
    assert "(inferred by graph completion, confidence 0.83)" in text
    chat_server.reply = "Stanisław Lem wrote Solaris in 1961."
    assert verbalizer_with_llm.rewrite(text, facts, ["Stanisław Lem"]) == text
    chat_server.reply = "Solaris (1961) was probably written by Stanisław Lem (inferred, confidence 0.83)."
    assert verbalizer_with_llm.rewrite(text, facts, ["Stanisław Lem"]) == chat_server.reply


def test_rewrite_keeps_the_text_when_the_llm_fails(chat_server: ChatServer, verbalizer_with_llm: Verbalizer) -> None:
    facts = facts_about_solaris()
    text = verbalizer_with_llm.facts(facts)
    chat_server.status = 500
    assert verbalizer_with_llm.rewrite(text, facts, ["Stanisław Lem"]) == text


def test_verbalizer_for_engine_takes_the_llm_from_the_project_config(chat_server: ChatServer) -> None:
    engine = Engine.memory(ontologies=[bundled_ontology("scifi.ttl")],
                           config={"llm": {"backend": "openai", "url": chat_server.url, "model": "tiny-chat"}})
    try:
        v = Verbalizer.for_engine(engine)
        assert isinstance(v.llm, OpenAIChat) and v.llm.url == chat_server.url + "/chat/completions"
        assert v.template(URIRef(SF + "author")) == "{s} was written by {o}"
    finally:
        engine.close()
    plain = Engine.memory()
    try:
        assert Verbalizer.for_engine(plain).llm is None
    finally:
        plain.close()
