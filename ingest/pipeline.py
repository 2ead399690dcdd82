"""The ingestion pipeline: files in, one transaction per document, a summary out.

For every file (folders are walked, ``.kgqaignore`` and ``exclude`` globs honoured)
:func:`ingest_paths`:

1. skips it when its fingerprint (bytes, mapping, extractor settings) is unchanged
   since the last successful ingest;
2. otherwise removes what an earlier version left (its document graph, its
   candidates, its provenance rows), marks it ``pending`` in SQLite, reads it,
   extracts and resolves its statements in memory (spilling to a temporary file
   when large), records their provenance, writes all its quads in **one** store
   call, then marks it ``ok``;
3. on any error, removes whatever it wrote and marks it ``failed`` with the reason.

A document still ``pending`` when a run starts was interrupted: it is cleaned the
same way and ingested again, so re-running the same command resumes the work.
RDF files come first (ontologies before data), then tables, then text, so text
mentions link to the entities structured sources define.

Example:
    >>> import tempfile, pathlib
    >>> from kgqa import Engine
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "facts.ttl").write_text('<http://ex.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .')
    >>> engine = Engine.memory()
    >>> summary = ingest_paths(engine, [folder])
    >>> summary.counts()
    {'ok': 1, 'skipped': 0, 'failed': 0}
    >>> ingest_paths(engine, [folder]).items[0].reason
    'unchanged'
"""

from __future__ import annotations

import fnmatch
import hashlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, URIRef
from rdflib.util import from_n3

from kgqa.errors import KgqaError
from kgqa.linking import LabelIndex, fold
from kgqa.namespaces import CANDIDATE_GRAPH, ONTOLOGY_GRAPH, document_graph
from kgqa.ontology import validate_file
from kgqa.sparql.build import render_term

from ingest.mapping import MAPPING_FOLDER
from ingest.model import Content, RdfContent, RecordsContent, TextContent
from ingest.provenance import Provenance, provenance_path
from ingest.readers import ReadContext, Reader, reader_for
from ingest.readers.base import IngestError, SkipDocument
from ingest.resolve import Resolver
from ingest.writer import DocumentWriter, QuadSink, document_quads

if TYPE_CHECKING:
    from kgqa.engine import Engine

    from ingest.extract import Extractor

IGNORE_FILE = ".kgqaignore"
# Ingest order: ontologies, other RDF, tables, then text and plugins, then what has no reader.
_ONTOLOGY, _RDF, _TABLES, _OTHER, _UNREADABLE = range(5)
_PHASES = {"rdf": _RDF, "csv": _TABLES, "json": _TABLES}
_DELETE_BATCH = 500


@dataclass
class DocumentResult:
    """What happened to one file."""

    path: str
    status: str  # ok | skipped | failed
    reason: str = ""
    triples: int = 0
    candidates: int = 0
    seconds: float = 0.0
    reader: str = ""
    #: Written, but worth a look (a mapped field that no record has).
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestSummary:
    """The outcome of one run: a line per file, and the totals."""

    items: list[DocumentResult] = field(default_factory=list)
    seconds: float = 0.0
    #: The file being ingested when Ctrl-C stopped the run (left pending: the next run redoes it).
    interrupted: str | None = None

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "skipped": 0, "failed": 0}
        for item in self.items:
            out[item.status] += 1
        return out

    @property
    def failed(self) -> list[DocumentResult]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no document failed."""
        return not self.failed

    @property
    def triples(self) -> int:
        return sum(i.triples for i in self.items)

    @property
    def candidates(self) -> int:
        return sum(i.candidates for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "triples": self.triples,
            "candidates": self.candidates,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
            "documents": [asdict(i) for i in self.items],
        }


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; ``summary`` says what was done (a ``KeyboardInterrupt``, so callers stop as usual)."""

    def __init__(self, summary: IngestSummary) -> None:
        where = f" while ingesting {summary.interrupted}" if summary.interrupted else " between documents"
        super().__init__(f"interrupted{where}")
        self.summary = summary


class _Interrupt:
    """SIGINT while a run is going: noted, and acted on at the pipeline's next safe point.

    Python raises ``KeyboardInterrupt`` wherever the main thread happens to be, and when that
    is a finalizer (``__del__``, which libraries such as ``regex`` have) the exception is
    printed and dropped: the run went on and exited 0. So the first Ctrl-C only sets a flag,
    which the pipeline checks between documents, text blocks and table rows; a second one
    interrupts at once (for a step that never reaches a check, such as a bulk load).
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def __enter__(self) -> _Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def _metered(items: Iterable[Any], size: Callable[[Any], int], limit: int, tick: Callable[[int], None]) -> Iterator[Any]:
    """``items`` passed through, counting ``size`` of each: over ``limit`` skips the document."""
    total = 0
    for item in items:
        total += size(item)
        if total > limit:
            raise SkipDocument(_too_long(limit))
        tick(total)
        yield item


def _too_long(limit: int) -> str:
    return (f"more than {limit / 1e6:g} MB of text (ingest.max_text_mb); raise it in kgqa.toml to ingest this file")


def open_provenance(engine: Engine) -> Provenance:
    return Provenance(provenance_path(engine))


# -- choosing files -------------------------------------------------------------------------
def _ignore_patterns(folder: Path) -> list[str]:
    path = folder / IGNORE_FILE
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _ignored(relative: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatch(relative, pat) or fnmatch.fnmatch(relative, pat + "/*") or fnmatch.fnmatch(Path(relative).name, pat):
            return True
    return False


def collect_files(paths: Sequence[Path], exclude: Sequence[str] = ()) -> list[Path]:
    """Files as given, and the files of folders walked in sorted order.

    Hidden files and folders, mapping files (``mappings/*.toml``), ``.kgqaignore``
    patterns of the named folder and ``exclude`` globs (matched against the path
    relative to the folder, and the name) are left out. A path that does not exist raises :class:`IngestError`.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_file():
            if not any(fnmatch.fnmatch(path.name, p) for p in exclude):
                out.append(path)
            continue
        if not path.is_dir():
            raise IngestError(f"{path}: no such file or folder")
        patterns = [*_ignore_patterns(path), *exclude]
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path).as_posix()
            if not file.is_file() or any(part.startswith(".") for part in file.relative_to(path).parts):
                continue
            if _ignored(relative, patterns) or (file.parent.name == MAPPING_FOLDER and file.suffix == ".toml"):
                continue  # mapping files describe tables; they are not documents
            out.append(file)
    return out


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- the run ------------------------------------------------------------------------------
class Pipeline:
    """One ingest run over an engine; see the module docstring for the per-document steps."""

    def __init__(
        self,
        engine: Engine,
        *,
        mappings: Sequence[Path] = (),
        threshold: float | None = None,
        extractor: str | None = None,
        force: bool = False,
        progress: bool | None = None,
    ) -> None:
        self.engine = engine
        self.prov = open_provenance(engine)
        self.mappings = [Path(m) for m in mappings]
        cfg = engine.config
        self.threshold = cfg.get("ingest.confidence_threshold") if threshold is None else threshold
        self.extractor_name = extractor or cfg.get("ingest.extractor")
        self.language = cfg.get("ingest.label_language")
        self.max_text = int(cfg.get("ingest.max_text_mb") * 1_000_000)
        self.force = force
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.interrupt = _Interrupt()
        #: Called with a short line while a long document is read ("dune.md: 3.2 MB of text").
        self.status: Callable[[str], None] = lambda line: None
        self._resolver: Resolver | None = None
        self._extractor: Extractor | None = None

    def close(self) -> None:
        self.prov.close()

    # lazily built, rebuilt when RDF documents changed the graph or the ontology
    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = Resolver(
                LabelIndex.from_store(self.engine.store),
                self.engine.ontology,
                threshold=self.engine.config.get("ingest.resolve_threshold"),
                blocked=self.prov.blocked(),
            )
        return self._resolver

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            from ingest.extract import get_extractor

            self._extractor = get_extractor(self.extractor_name, self.engine)
        return self._extractor

    def _graph_changed(self, ontology: bool) -> None:
        self._resolver = None
        if ontology:
            self.engine.invalidate()
            self._extractor = None

    # -- resume ------------------------------------------------------------------------------
    def resume(self) -> list[str]:
        """Clean documents left ``pending`` by an interrupted run; they will be redone."""
        cleaned = []
        for row in self.prov.documents(status="pending"):
            self.cleanup(row)
            self.prov.fail(row["id"], "interrupted; ingest it again to finish")
            cleaned.append(row["path"])
        return cleaned

    def cleanup(self, row: dict[str, Any]) -> None:
        """Remove from the store and SQLite everything a document wrote (idempotent)."""
        store = self.engine.store
        store.drop_graph(URIRef(row["graph"]))
        # Names only the old version stated must not resolve the new version's mentions.
        self._graph_changed(ontology=False)
        orphans = self.prov.orphan_candidates(row["id"], str(CANDIDATE_GRAPH))
        _delete_triples(store, CANDIDATE_GRAPH, [tuple(from_n3(t) for t in triple) for triple in orphans])
        if row.get("ontology_nt"):
            self._remove_ontology(row)
        self.prov.clear_rows(row["id"])

    def _remove_ontology(self, row: dict[str, Any]) -> None:
        others: set[tuple] = set()
        for other in self.prov.documents():
            if other["id"] != row["id"] and other.get("ontology_nt"):
                others.update(Graph().parse(data=other["ontology_nt"], format="nt"))
        mine = [t for t in Graph().parse(data=row["ontology_nt"], format="nt") if t not in others]
        _delete_triples(self.engine.store, ONTOLOGY_GRAPH, mine)
        self._graph_changed(ontology=True)

    # -- planning ----------------------------------------------------------------------------
    def plan(self, files: list[Path]) -> list[tuple[Path, Reader | None]]:
        """Files with their readers, in ingest order: ontologies, RDF, tables, text, others."""
        planned = []
        for path in files:
            reader = reader_for(path)
            phase = _UNREADABLE if reader is None else _PHASES.get(reader.name, _OTHER)
            if phase == _RDF:
                try:
                    content = reader.read(path, self._context())
                    if isinstance(content, RdfContent) and content.ontology:
                        phase = _ONTOLOGY
                except KgqaError:
                    pass  # reported when the file is ingested
            planned.append((phase, str(path), path, reader))
        planned.sort(key=lambda p: (p[0], p[1]))
        return [(path, reader) for _, _, path, reader in planned]

    def _context(self) -> ReadContext:
        return ReadContext(self.engine.ontology, self.mappings)

    def fingerprint(self, path: Path, reader: Reader, sha: str, context: ReadContext) -> str:
        parts = [sha, reader.name, reader.fingerprint_extra(path, context)]
        if reader.name not in ("rdf", "csv", "json"):
            parts += [self.extractor.fingerprint(), f"{self.threshold:g}"]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    # -- one document --------------------------------------------------------------------------
    def ingest_file(self, path: Path, reader: Reader | None) -> DocumentResult:
        shown = str(path)
        if reader is None:
            return DocumentResult(shown, "skipped", f"no reader for {path.suffix or 'files without extension'}")
        doc_id = str(path.resolve())
        previous = self.prov.document(doc_id)
        try:
            size = path.stat().st_size
            if size == 0:
                if previous is not None:
                    self.cleanup(previous)
                    self.prov.forget(doc_id)
                return DocumentResult(shown, "skipped", "empty file", reader=reader.name)
            context = self._context()
            if reader.name == "text" and size > self.max_text:
                self._check_length(reader.read(path, context))
            sha = sha256_file(path)
            fingerprint = self.fingerprint(path, reader, sha, context)
        except SkipDocument as exc:
            return DocumentResult(shown, "skipped", str(exc), reader=reader.name)
        except (KgqaError, OSError) as exc:
            return DocumentResult(shown, "failed", _message(exc), reader=reader.name)
        return self.ingest_document(
            doc_id, shown, sha=sha, size=size, fingerprint=fingerprint, kind=reader.name,
            read=lambda: reader.read(path, context),
        )

    def _check_length(self, content: Content) -> None:
        """Skip a text document over the size limit before any extraction (files larger than the limit)."""
        if isinstance(content, TextContent):
            for _ in _metered(content.blocks, lambda b: len(b.text), self.max_text, lambda n: self.interrupt.check()):
                pass

    def _checked(self, items: Iterable[Any]) -> Iterator[Any]:
        """``items``, stopping at the next one after a Ctrl-C."""
        for item in items:
            self.interrupt.check()
            yield item

    def _ticker(self, doc_id: str) -> Callable[[int], None]:
        """Reports how much of a long document was read, at most twice a second."""
        name, last = Path(doc_id).name, [time.monotonic()]

        def tick(chars: int) -> None:
            if time.monotonic() - last[0] >= 0.5:
                last[0] = time.monotonic()
                self.status(f"{name}: {chars / 1e6:.1f} MB of text")

        return tick

    def ingest_document(
        self, doc_id: str, shown: str, *, sha: str, size: int, fingerprint: str, kind: str, read: Callable[[], Content]
    ) -> DocumentResult:
        """The transactional steps for one document (a file, or a graph given from Python)."""
        start = time.perf_counter()
        previous = self.prov.document(doc_id)
        if previous is not None and previous["status"] == "ok" and previous["fingerprint"] == fingerprint and not self.force:
            return DocumentResult(shown, "skipped", "unchanged", reader=kind)
        if previous is not None:
            self.cleanup(previous)
        result = DocumentResult(shown, "ok", reader=kind)
        graph = document_graph(doc_id)
        self.prov.begin(
            doc_id, path=doc_id, sha256=sha, fingerprint=fingerprint, size=size, type=kind,
            graph=str(graph), triples=0, candidates=0, ontology_nt=None,
        )
        try:
            content = read()
            result.triples, result.candidates, extra = self._write(doc_id, graph, sha, content)
            result.warnings = list(getattr(content, "warnings", []))
            self.prov.finish(doc_id, triples=result.triples, candidates=result.candidates, **extra)
        except SkipDocument as exc:
            self._undo(doc_id)
            self.prov.forget(doc_id)
            result.status, result.reason = "skipped", str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad document must not stop the run
            self._undo(doc_id)
            result.status, result.reason = "failed", _message(exc)
            self.prov.fail(doc_id, result.reason)
        except BaseException:
            # Interrupted: clean what we can; the row stays "pending" so the next run redoes it.
            self._undo(doc_id)
            raise
        result.seconds = time.perf_counter() - start
        return result

    def _undo(self, doc_id: str) -> None:
        row = self.prov.document(doc_id)
        if row is not None:
            self.cleanup(row)

    def _write(self, doc_id: str, graph: URIRef, sha: str, content: Any) -> tuple[int, int, dict[str, Any]]:
        store = self.engine.store
        if isinstance(content, RdfContent):
            return self._write_rdf(doc_id, graph, sha, content)
        session = self.resolver.session()
        sink = QuadSink()
        try:
            writer = DocumentWriter(doc_id, graph, session, sink, threshold=self.threshold, language=self.language)
            writer.header(doc_id, sha)
            if isinstance(content, RecordsContent):
                statements = self._checked(content.statements)
            elif isinstance(content, TextContent):
                blocks = _metered(content.blocks, lambda b: len(b.text), self.max_text, self._ticker(doc_id))
                content = TextContent(self._checked(blocks), content.title)
                # Checked as they come too: extractors read blocks ahead, a window at a time.
                statements = self._checked(self.extractor.extract(content, session))
            else:
                raise IngestError(f"{doc_id}: reader returned {type(content).__name__}, which the pipeline cannot write")
            # Provenance first (one SQLite transaction), then every quad in one store call:
            # a crash in between leaves a "pending" row whose rows tell the cleanup what to undo.
            self.prov.add_triples(writer.rows(statements))
            sink.write_to(store)
        finally:
            sink.close()
        # The next document reads the store's state, as a later run would: what this document wrote
        # (labels and types in its own graph), not what its session guessed along the way.
        self.resolver.index.add_graph(store, graph)
        self.prov.record_merges(
            {"alias": m.alias, "alias_key": fold(m.alias), "iri": str(m.iri), "score": m.score, "method": m.method, "doc_id": doc_id}
            for m in session.merges
        )
        title = getattr(content, "title", None)
        return writer.asserted, writer.candidates, {"title": title}

    def _write_rdf(self, doc_id: str, graph: URIRef, sha: str, content: RdfContent) -> tuple[int, int, dict[str, Any]]:
        store = self.engine.store
        if content.ontology:
            report = validate_file(content.path, known=self.engine.ontology)
            report.raise_for_errors()
            nt = Graph().parse(str(content.path)).serialize(format="nt")
            self.engine.add_ontology(content.path)
            self._graph_changed(ontology=True)
            return report.triples, 0, {"ontology_nt": nt}
        if content.dataset:
            n = _load_flattened(store, content.path, graph)
        else:
            n = store.load(content.path, graph=graph)
        store.add(document_quads(graph, doc_id, sha))
        self._graph_changed(ontology=False)
        return n, 0, {}


def _load_flattened(store: Any, path: Path, graph: URIRef) -> int:
    """Load a quads file (N-Quads, TriG) into one graph: its document's."""
    import tempfile

    import pyoxigraph as ox

    from kgqa.store.formats import oxigraph_format, parse_quads, read_checked

    fmt = oxigraph_format(path)
    read_checked(path, fmt)
    with tempfile.NamedTemporaryFile(suffix=".nt", delete=False) as tmp:
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in parse_quads(path, fmt)),
                     output=tmp.name, format=ox.RdfFormat.N_TRIPLES)
    try:
        return store.load(Path(tmp.name), graph=graph)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def _delete_triples(store: Any, graph: URIRef, triples: list[tuple]) -> None:
    for i in range(0, len(triples), _DELETE_BATCH):
        body = " ".join(" ".join(render_term(t) for t in triple) + " ." for triple in triples[i : i + _DELETE_BATCH])
        store.update(f"DELETE DATA {{ GRAPH {render_term(graph)} {{ {body} }} }}")


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, KgqaError):
        text = f"{type(exc).__name__}: {text}"
    return text.splitlines()[0]


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path | str],
    *,
    exclude: Sequence[str] = (),
    mappings: Sequence[Path | str] = (),
    threshold: float | None = None,
    extractor: str | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> IngestSummary:
    """Ingest files and folders into ``engine`` (see the module docstring); never raises for one bad file.

    ``threshold`` overrides ``ingest.confidence_threshold``, ``extractor`` overrides
    ``ingest.extractor``, ``force`` re-ingests unchanged files, ``mappings`` adds
    mapping files for tables. ``progress`` shows a bar (default: when stderr is a
    terminal).
    """
    started = time.perf_counter()
    files = collect_files([Path(p) for p in paths], exclude)
    pipeline = Pipeline(
        engine, mappings=[Path(m) for m in mappings], threshold=threshold, extractor=extractor, force=force, progress=progress
    )
    summary = IngestSummary()
    try:
        with pipeline.interrupt:
            pipeline.resume()
            planned = pipeline.plan(files)
            from tqdm import tqdm

            bar = tqdm(planned, unit="doc", disable=not pipeline.progress, desc="ingest", file=sys.stderr)
            pipeline.status = bar.set_postfix_str
            triples = 0
            for path, reader in bar:
                pipeline.interrupt.check()
                summary.interrupted = str(path)
                item = pipeline.ingest_file(path, reader)
                summary.interrupted = None
                summary.items.append(item)
                triples += item.triples
                bar.set_postfix(triples=triples, failed=len(summary.failed), refresh=False)
            bar.close()
    except KeyboardInterrupt:
        summary.seconds = time.perf_counter() - started
        raise IngestInterrupted(summary) from None
    finally:
        pipeline.close()
    if hasattr(engine.store, "optimize") and summary.triples > 100_000:
        engine.store.optimize()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class RemoveReport:
    """What :func:`remove_document` deleted."""

    path: str
    triples: int
    candidates: int


def find_document(prov: Provenance, document: str | Path) -> dict[str, Any]:
    """A document row by path (as given or resolved), id, or graph name; :class:`IngestError` if unknown."""
    text = str(document)
    for key in (text, str(Path(text).resolve())):
        row = prov.document(key)
        if row is not None:
            return row
    for row in prov.documents():
        if text in (row["graph"], row["path"]) or row["path"].endswith("/" + text.lstrip("./")):
            return row
    raise IngestError(f"{document}: not an ingested document; `kgqa documents list` shows them")


def remove_document(engine: Engine, document: str | Path) -> RemoveReport:
    """Delete one document's facts, candidates and provenance.

    Entities other documents mention keep their labels and types: every document
    graph carries its own. Example: ``engine.remove("data/sample/docs/dune.md")``.
    """
    pipeline = Pipeline(engine, progress=False)
    try:
        row = find_document(pipeline.prov, document)
        pipeline.cleanup(row)
        pipeline.prov.forget(row["id"])
    finally:
        pipeline.close()
    return RemoveReport(row["path"], row.get("triples") or 0, row.get("candidates") or 0)


def unmerge(engine: Engine, alias: str, *, progress: bool | None = None) -> IngestSummary:
    """Undo the merges of ``alias`` and re-ingest the documents that made them.

    The alias then becomes an entity of its own in those documents, and is never
    merged into the same IRI again.
    """
    prov = open_provenance(engine)
    try:
        rows = prov.undo_merges(fold(alias))
        if not rows:
            raise IngestError(f"no merge of {alias!r} is recorded; `kgqa documents merges` lists them")
        paths = sorted({prov.document(r["doc_id"])["path"] for r in rows if prov.document(r["doc_id"])})
    finally:
        prov.close()
    return ingest_paths(engine, [Path(p) for p in paths if Path(p).exists()], force=True, progress=progress)
