"""Markdown structure via markdown-it-py's token stream (CommonMark plus GFM tables).

A real CommonMark parser, not line regexes, because nested lists, lazy continuation lines, code
fences and setext headings are where hand-written Markdown readers go wrong. markdown-it-py also
caps nesting depth, so hostile input cannot exhaust the stack.
"""

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ingest.records import Block

__all__ = ["parse_markdown"]

_PARSER = MarkdownIt("commonmark", {"maxNesting": 40}).enable("table")


@dataclass
class _State:
    """Where the token walk is: list depth, open list item text, open table row cells."""

    blocks: list[Block] = field(default_factory=list)
    list_levels: list[int] = field(default_factory=list)  # item level of each open list
    item_parts: list[str] | None = None
    item_level: int = 0
    cells: list[str] | None = None
    heading_level: int | None = None

    def flush_item(self) -> None:
        if self.item_parts:
            self.blocks.append(Block("list_item", " ".join(self.item_parts), level=self.item_level))
        self.item_parts = None


def parse_markdown(text: str) -> list[Block]:
    """Split Markdown (front matter already removed) into blocks."""
    state = _State()
    for token in _PARSER.parse(text):
        _handle(state, token)
    state.flush_item()
    return state.blocks


def _handle(state: _State, token: Token) -> None:
    kind = token.type
    if kind in {"bullet_list_open", "ordered_list_open"}:
        state.list_levels.append(_nested_level(state))
        state.flush_item()
    elif kind in {"bullet_list_close", "ordered_list_close"}:
        state.flush_item()
        state.list_levels.pop()
    elif kind == "list_item_open":
        state.flush_item()
        state.item_parts, state.item_level = [], state.list_levels[-1]
    elif kind == "list_item_close":
        state.flush_item()
    elif kind == "heading_open":
        state.heading_level = int(token.tag[1:])
    elif kind == "heading_close":
        state.heading_level = None
    elif kind == "tr_open":
        state.cells = []
    elif kind == "tr_close":
        _close_row(state)
    elif kind == "inline":
        _inline(state, _inline_text(token))
    elif kind in {"fence", "code_block", "html_block"}:
        _inline(state, token.content.strip())


def _nested_level(state: _State) -> int:
    """Level of a list about to open; ``- + Text`` (an item holding only a list) adds none."""
    if state.item_parts is not None:
        return state.item_level + (1 if state.item_parts else 0)
    return state.list_levels[-1] + 1 if state.list_levels else 0


def _inline(state: _State, text: str) -> None:
    if not text:
        return
    if state.cells is not None:
        state.cells.append(text)
    elif state.heading_level is not None:
        state.blocks.append(Block("heading", text, level=state.heading_level))
        state.heading_level = None
    elif state.item_parts is not None:
        state.item_parts.append(text)
    else:
        state.blocks.append(Block("paragraph", text))


def _close_row(state: _State) -> None:
    cells = [cell for cell in state.cells or [] if cell]
    if cells:
        state.blocks.append(Block("table_row", " | ".join(cells)))
    state.cells = None


def _inline_text(token: Token) -> str:
    """Visible text of an inline token: link text and image alt kept, markup and URLs dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()
