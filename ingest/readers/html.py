"""HTML pages: main text as blocks, site chrome (navigation, cookie banners, scripts) left out.

The tree is walked with an explicit stack, never by recursion: scraped pages can nest thousands
of ``<div>``s deep and must not crash the reader with ``RecursionError``.
"""

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from ingest.errors import UnreadableFile
from ingest.readers.embedded import MARKER, embedded_front_matter, http_url
from ingest.readers.extraction import Extraction
from ingest.readers.frontmatter import MAX_FRONT_MATTER_CHARS
from ingest.records import Block

__all__ = ["parse_html"]

_DROP = frozenset(
    {
        "script", "style", "noscript", "nav", "form", "aside", "template", "iframe", "svg",
        "button", "select", "textarea", "input", "object", "embed", "canvas", "head", "title",
    }
)  # fmt: skip
_CHROME = frozenset({"header", "footer"})
_CONTENT_ROOTS = frozenset({"article", "main"})
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_BANNER = re.compile(r"cookie|consent|banner", re.IGNORECASE)
_ATOMIC = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "pre", "td", "th", "dt", "dd"})
_BLOCK = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "details", "dialog", "div", "dl",
        "figcaption", "figure", "footer", "header", "hr", "html", "li", "main", "ol", "section",
        "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "br",
    }
)  # fmt: skip
_MAX_META = 100

Event = tuple[Literal["start", "end", "atom", "text"], Tag | str]


@dataclass
class _State:
    """Walk state: pending inline text, open list items and the open table row."""

    blocks: list[Block] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    list_depth: int = 0
    items: list[int] = field(default_factory=list)  # levels of the open <li>s
    cells: list[str] | None = None

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        if not text:
            return
        if self.items:
            self.blocks.append(Block("list_item", text, level=self.items[-1]))
        else:
            self.blocks.append(Block("paragraph", text))


def parse_html(text: str, path: Path) -> Extraction:
    """Extract headings, paragraphs, list items, table rows, ``<title>`` and ``<meta>``.

    ``<meta name="wissensnetz:KEY">`` tags become front matter; when a page has any, its
    ``<link rel="canonical">`` is its ``source_url``.

    Raises:
        UnreadableFile: lxml rejects the markup.
        InvalidFrontMatter: A ``wissensnetz:`` value has the wrong form.
    """
    try:
        with warnings.catch_warnings():
            # bs4 warns when markup looks like a URL or XML; the content is read either way.
            warnings.simplefilter("ignore")
            soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # bs4 and lxml raise varied types on hostile markup
        raise UnreadableFile(path, f"HTML could not be parsed ({type(exc).__name__})") from exc
    meta, declared = _head_meta(soup)
    front = embedded_front_matter(declared, path)
    state = _State()
    root = soup.body if soup.body is not None else soup
    for event in _events(root):
        _handle(state, event)
    state.flush()
    return Extraction(tuple(state.blocks), meta, front)


def _events(root: Tag) -> Iterator[Event]:
    stack: list[tuple[Tag, Iterator[Any]]] = [(root, iter(root.contents))]
    while stack:
        tag, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield "end", tag
        elif isinstance(child, Tag):
            if _is_boilerplate(child):
                continue
            if child.name in _ATOMIC:
                yield "atom", child
                continue
            yield "start", child
            stack.append((child, iter(child.contents)))
        elif type(child) is NavigableString:  # not comments, CDATA or doctype
            yield "text", str(child)


def _handle(state: _State, event: Event) -> None:
    kind, node = event
    if isinstance(node, str):
        state.buffer.append(node)
        return
    name = node.name
    if kind == "atom":
        _atom(state, node)
        return
    if name in _BLOCK:
        state.flush()
    if kind == "start":
        _start(state, name)
    else:
        _end(state, name)


def _start(state: _State, name: str) -> None:
    if name in {"ul", "ol"}:
        state.list_depth += 1
    elif name == "li":
        state.items.append(max(state.list_depth - 1, 0))
    elif name == "tr":
        state.cells = []


def _end(state: _State, name: str) -> None:
    if name in {"ul", "ol"}:
        state.list_depth = max(state.list_depth - 1, 0)
    elif name == "li" and state.items:
        state.items.pop()
    elif name == "tr" and state.cells is not None:
        cells = [cell for cell in state.cells if cell]
        if cells:
            state.blocks.append(Block("table_row", " | ".join(cells)))
        state.cells = None


def _atom(state: _State, tag: Tag) -> None:
    text = " ".join(tag.get_text(" ").split())
    if tag.name in {"td", "th"} and state.cells is not None:
        state.cells.append(text)
        return
    state.flush()
    if tag.name[0] == "h" and tag.name[1:].isdigit():
        if text:
            state.blocks.append(Block("heading", text, level=int(tag.name[1:])))
        return
    state.buffer.append(text)
    state.flush()


def _is_boilerplate(tag: Tag) -> bool:
    name = tag.name
    if name in _DROP:
        return True
    if name in _CHROME and not any(parent.name in _CONTENT_ROOTS for parent in tag.parents):
        return True
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    if str(tag.get("role", "")).lower() in _DROP_ROLES:
        return True
    marks = [str(tag.get("id", "")), *tag.get_attribute_list("class")]
    return any(_BANNER.search(str(mark)) for mark in marks if mark)


def _head_meta(soup: BeautifulSoup) -> tuple[dict[str, Any], dict[str, str]]:
    """Format metadata, and the ``wissensnetz:`` values (prefix removed) kept apart from it."""
    meta: dict[str, Any] = {}
    if soup.title is not None:
        title = " ".join(soup.title.get_text(" ").split())
        if title:
            meta["title"] = title
    html = soup.find("html")
    if isinstance(html, Tag) and html.get("lang"):
        meta["language"] = str(html.get("lang")).strip()[:35]
    named: dict[str, str] = {}
    declared: dict[str, str] = {}
    for tag in soup.find_all("meta", limit=10 * _MAX_META):
        key = str(tag.get("name") or tag.get("property") or "").strip().lower()
        content = str(tag.get("content") or "")
        if key.startswith(MARKER) and len(declared) < _MAX_META:
            declared[key.removeprefix(MARKER)] = content[:MAX_FRONT_MATTER_CHARS]
        elif key and content and len(named) < _MAX_META:
            named[key[:100]] = " ".join(content.split())[:1000]
    if named:
        meta["html_meta"] = named
    if declared:
        declared.setdefault("source_url", _canonical(soup) or "")
    return meta, declared


def _canonical(soup: BeautifulSoup) -> str | None:
    link = soup.find("link", rel="canonical")
    return http_url(str(link.get("href") or "")) if isinstance(link, Tag) else None
