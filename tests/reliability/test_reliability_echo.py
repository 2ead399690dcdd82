"""Injected questions: nothing they carry reaches the store, the SPARQL or a terminal.

Every question goes through the one answering pipeline (``engine.ask``, and the real
``kgqa ask`` in a pseudo-terminal). For each: the store is unchanged, no control
character comes back in the answer, the answer repeats at most a short span of the
question (:data:`kgqa.echo.ECHO_LIMIT`), and the SPARQL carries none of the payload.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIN
from rdflib.plugins.sparql.parser import parseQuery
from test_qa_support import SAMPLE_GRAPH, answering_engine, trained_translator

from kgqa.answer.context import translator_dir
from kgqa.echo import ECHO_LIMIT
from kgqa.engine import Engine
from kgqa.errors import KgqaError
from kgqa.ontology import bundled_ontology

ESCAPES = ("\x1b[2J", "\x1b]52;c;ZXZpbA==\x07", "\x1b[31m", "\x9b1;1H", "\x07", "\x00", "\u202e")
#: (name, question, payload that must not reach the SPARQL)
QUESTIONS = [
    ("sparql", "Who wrote Solaris? } ; DROP ALL ; {", "DROP ALL"),
    ("insert", 'Who wrote "Dune" } INSERT DATA { <urn:x> <urn:y> <urn:z> } #', "INSERT"),
    ("quotes", "Who wrote Dune\\\" ' \"\"\" '''?", '"""'),
    ("braces", "Who directed {{ ?s ?p ?o }} Solaris?", "?s ?p ?o"),
    ("service", "Who wrote SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }?", "SERVICE"),
    ("nul", "Who wrote\x00 Solaris?\x00", "\x00"),
    ("terminal", "Who wrote \x1b[2J\x1b]52;c;ZXZpbA==\x07 Nothing At All?", "\x1b"),
    ("c1", "Where was \x9b1;1H nobody born?", "\x9b"),
    ("bidi", "Who wrote \u202etxet desrever\u202c?", "\u202e"),
    ("script", "Who wrote <script>alert(1)</script>?", "<script>"),
    ("newlines", "Who wrote\n\n\r\nSolaris\r?", "\r"),
    ("long word", "Who wrote " + "x" * 5_000 + "?", "x" * 200),
    ("100 KB", "Where was " + "the author of a book " * 5_000 + "born?", "the author of a book the author"),
    ("emoji", "Who wrote 📚🚀 \U0001F9EA?", "📚"),
    ("iri", "Who wrote <http://example.org/a> } DROP ALL { ?", "DROP ALL"),
    ("prefix", "PREFIX x: <urn:> SELECT * { ?s ?p ?o }", "urn:"),
    ("values", "Who wrote ) } VALUES ?x { 1 } { (", "VALUES ?x { 1 }"),
    ("lang", 'Who wrote "Solaris"@en-x } ; CLEAR ALL ; {', "CLEAR ALL"),
    ("empty-ish", " \t\n ", None),
    ("only escapes", "\x1b[2J\x1b[H", None),
]


def _clean_spans(question: str) -> list[str]:
    """Spans of the question longer than the echo limit, as the answer would show them."""
    words = " ".join(question.split())
    return [words[i : i + ECHO_LIMIT + 1] for i in range(0, max(0, len(words) - ECHO_LIMIT), 97)]


def _count(engine: Engine) -> int:
    return int(engine.store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }").rows[0][0].toPython())


def test_injected_questions_change_nothing_and_echo_only_a_clean_short_span() -> None:
    engine = answering_engine("sample")
    try:
        before = _count(engine)
        refused = answered = 0
        longest = 0
        for name, question, payload in QUESTIONS:
            try:
                answer = engine.ask(question)
            except KgqaError as exc:  # a question kgqa cannot read is one line, not a crash
                assert "\n" not in str(exc), name
                refused += 1
                continue
            answered += 1
            text = answer.text
            longest = max(longest, len(text))
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text), (name, text)
            assert not any(span in text for span in _clean_spans(question)), (name, len(text))
            if payload and answer.sparql:
                assert payload not in answer.sparql, (name, answer.sparql)
                parseQuery(answer.sparql)  # what ran is one well-formed query
        assert _count(engine) == before
        assert answered >= len(QUESTIONS) - 2
        print(f"\ninjection: {len(QUESTIONS)} questions, {answered} answered, {refused} refused, store unchanged "
              f"({before} quads), longest answer {longest} characters")
    finally:
        engine.close()


def _pty_run(args: list[str], timeout: float = 120) -> bytes:
    """Run ``args`` with stdout and stderr on a pseudo-terminal; everything it wrote."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(args, stdout=secondary, stderr=secondary, stdin=subprocess.DEVNULL, close_fds=True)
    os.close(secondary)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(primary)
    return out


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminals as on Linux")
def test_kgqa_ask_writes_no_injected_control_sequence_to_a_terminal(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    with Engine.init(project, ontologies=[bundled_ontology("scifi.ttl")]) as engine:
        engine.load([SAMPLE_GRAPH])
        shutil.copytree(trained_translator("sample"), translator_dir(engine))
    question = "Who wrote " + "".join(e for e in ESCAPES if e != "\x00") + " Nothing At All " + "very " * 100 + "?"
    out = _pty_run([str(BIN / "kgqa"), "--project", str(project), "ask", "--explain", question])
    assert b"I could not find" in out or b"SPARQL" in out, out[-500:]
    for sequence in ESCAPES:
        assert sequence.encode() not in out, sequence
    assert b"\x9b" not in out and b"\x00" not in out
    sentence = out.decode("utf-8", "replace").split("confidence")[0]  # the answer, before --explain's details
    assert sentence.count("very") < 20, sentence
