"""The text reader: ``.txt``, ``.md``, ``.html``, ``.pdf`` into blocks of plain text.

Markup is dropped but remembered where it helps extraction: headings give the
document's title (often the entity it is about) and emphasis (``*Solaris*``,
``<em>``, ``<cite>``) marks titles of works. Offsets are positions in the extracted
text, whose blocks are joined by a blank line. Plain-text files are streamed
paragraph by paragraph, so a long file is never held whole in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kgqa.registry import Registry

from ingest.model import Block, TextContent
from ingest.readers import register_reader
from ingest.readers.base import IngestError, ReadContext, Reader, SkipDocument, check_text_file

#: Parsers by extension: each takes a path and returns the content.
FORMATS: Registry[Callable[[Path], TextContent]] = Registry("text format")
_SEPARATOR = 2  # blocks are joined by "\n\n"
_MAX_PARAGRAPH = 20_000  # characters; a longer "paragraph" (no blank lines) is cut at a line end


@register_reader("text")
class TextReader(Reader):
    extensions = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf")

    def read(self, path: Path, context: ReadContext) -> TextContent:
        suffix = path.suffix.lower()
        kind = {".text": ".txt", ".markdown": ".md", ".htm": ".html"}.get(suffix, suffix)
        if kind != ".pdf":
            check_text_file(path)
        return FORMATS.get(kind)(path)


def _offsets(blocks: Iterator[Block]) -> Iterator[Block]:
    """Give each block its offset in the joined text."""
    position = 0
    for block in blocks:
        block.offset = position
        position += len(block.text) + _SEPARATOR
        yield block


# -- plain text ---------------------------------------------------------------------
def _paragraphs(lines: Iterator[str]) -> Iterator[str]:
    current: list[str] = []
    size = 0
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
            size += len(stripped)
        if (not stripped or size > _MAX_PARAGRAPH) and current:
            yield " ".join(current)
            current, size = [], 0
    if current:
        yield " ".join(current)


def _looks_like_title(paragraph: str) -> bool:
    return len(paragraph) <= 120 and not paragraph.rstrip().endswith((".", "!", "?", ":", ";", ","))


@FORMATS.register(".txt")
def read_txt(path: Path) -> TextContent:
    """Paragraphs separated by blank lines; a short first line without a full stop is the title."""
    with open(path, encoding="utf-8") as fh:
        first = next(_paragraphs(iter(fh.readline, "")), None)
    title = first if first and _looks_like_title(first) else None

    def blocks() -> Iterator[Block]:
        with open(path, encoding="utf-8") as fh:
            for i, paragraph in enumerate(_paragraphs(fh)):
                yield Block(paragraph, heading=(i == 0 and title is not None))

    return TextContent(_offsets(blocks()), title)


# -- Markdown -----------------------------------------------------------------------
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_CODE = re.compile(r"`([^`]*)`")


def _strip_inline(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Markdown inline markup removed; the emphasised spans' offsets in the result."""
    text = _MD_CODE.sub(r"\1", _MD_LINK.sub(r"\1", text))
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    length = 0
    for match in _MD_EMPHASIS.finditer(text):
        before = text[position : match.start()]
        out.append(before)
        length += len(before)
        inner = match.group(2)
        spans.append((length, length + len(inner)))
        out.append(inner)
        length += len(inner)
        position = match.end()
    out.append(text[position:])
    return "".join(out), spans


@FORMATS.register(".md")
def read_markdown(path: Path) -> TextContent:
    """Headings, paragraphs and list items; the first level-1 heading is the title."""
    text = path.read_text(encoding="utf-8")
    raw_blocks: list[tuple[str, bool]] = []
    paragraph: list[str] = []
    in_code = False

    def flush() -> None:
        if paragraph:
            raw_blocks.append((" ".join(paragraph), False))
            paragraph.clear()

    title = None
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush()
            raw_blocks.append((heading.group(2), True))
            if title is None and len(heading.group(1)) == 1:
                title = _strip_inline(heading.group(2))[0]
        elif not line.strip() or set(line.strip()) <= set("-=*_|: "):
            flush()
        elif _MD_LIST.match(line):
            flush()
            paragraph.append(_MD_LIST.sub("", line).strip())
        else:
            paragraph.append(line.strip().lstrip(">").strip())
    flush()
    blocks = []
    for raw, is_heading in raw_blocks:
        plain, spans = _strip_inline(raw)
        blocks.append(Block(plain, emphasis=spans, heading=is_heading))
    return TextContent(_offsets(iter(blocks)), title)


# -- HTML ---------------------------------------------------------------------------
_HTML_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote", "dd", "dt", "figcaption", "caption", "pre")
_HTML_EMPHASIS = ("em", "i", "cite", "q", "dfn")


@FORMATS.register(".html")
def read_html(path: Path) -> TextContent:
    """Block elements become blocks; ``<em>``, ``<i>``, ``<cite>`` and ``<q>`` mark titles."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        tag.decompose()
    title_tag = soup.find("title") or soup.find("h1")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None

    def flatten(node: Tag) -> tuple[str, list[tuple[int, int]]]:
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        length = 0
        for piece in node.descendants:
            if isinstance(piece, NavigableString) and not isinstance(piece, Comment):
                text = str(piece)
                parent = piece.parent
                emphasised = parent is not None and parent.name in _HTML_EMPHASIS
                if emphasised:
                    # Collapse whitespace now so the span offsets stay right.
                    inner = " ".join(text.split())
                    if parts and not parts[-1].endswith(" ") and text[:1].isspace():
                        parts.append(" ")
                        length += 1
                    spans.append((length, length + len(inner)))
                    parts.append(inner)
                    length += len(inner)
                    if text[-1:].isspace():
                        parts.append(" ")
                        length += 1
                else:
                    collapsed = re.sub(r"\s+", " ", text)
                    parts.append(collapsed)
                    length += len(collapsed)
        joined = "".join(parts)
        lead = len(joined) - len(joined.lstrip())
        return joined.strip(), [(a - lead, b - lead) for a, b in spans if b - lead > 0]

    blocks = []
    for element in soup.find_all(_HTML_BLOCKS):
        if element.find(_HTML_BLOCKS):
            continue  # its inner blocks are read on their own
        text, spans = flatten(element)
        if text:
            blocks.append(Block(text, emphasis=spans, heading=element.name.startswith("h")))
    if not blocks and soup.body is not None:
        text = " ".join(soup.body.get_text(" ").split())
        if text:
            blocks.append(Block(text))
    return TextContent(_offsets(iter(blocks)), title)


# -- PDF ----------------------------------------------------------------------------
@FORMATS.register(".pdf")
def read_pdf(path: Path) -> TextContent:
    """Text of each page (pypdf), split into paragraphs; the PDF title or first line is the title."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pdf = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in pdf.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"{path}: not a readable PDF ({exc})") from None
    if not any(page.strip() for page in pages):
        raise SkipDocument(f"no extractable text on its {len(pages)} page(s): scanned pages need OCR first")
    meta_title = (pdf.metadata or {}).get("/Title") if pdf.metadata else None
    lines = [line.strip() for line in (pages[0] if pages else "").splitlines() if line.strip()]
    # A first line that reads like a title is one, and a heading block of its own.
    first_line = lines[0] if lines and _looks_like_title(lines[0]) and len(lines) > 1 else None
    title = str(meta_title) if meta_title else first_line

    def blocks() -> Iterator[Block]:
        for number, page_text in enumerate(pages):
            if number == 0 and first_line:
                yield Block(first_line, heading=True)
                page_text = page_text.split(first_line, 1)[1]
            for paragraph in re.split(r"\n\s*\n", page_text):
                text = " ".join(paragraph.split())
                if text:
                    yield Block(text)

    return TextContent(_offsets(blocks()), title)
