"""Logical lines of a normalised document: the unit every structure parser walks.

Readers differ in what they keep (a .txt list item may still start with "- +", a Markdown one
not), so lines are rebuilt from the normalised text itself: markers are skipped, indentation
becomes a nesting level and wrapped continuation lines join the list item they belong to.
"""

import re
from dataclasses import dataclass, replace

from ingest.records import Block, NormalisedDocument
from ingest.structure.records import TextItem

_PHYSICAL = re.compile(r"[^\n]+")
_MARKER = re.compile(r"(?:(?:[-–—•*+▪◦●·]|→)[ \t]+|→[ \t]*)+(?:\[[ xX]\][ \t]+)?")
_NUMBERED = re.compile(r"\d{1,2}[.)][ \t]+")
_HEADING_MARK = re.compile(r"#{1,6}(?:[ \t]+|$)|→[ \t]*")
_FIELD = re.compile(
    r"[*_]*(?P<label>[^\W\d_][\w .()/&+-]{0,48}?(?:[:*/]in(?:nen)?)?)[*_]*[ \t]*:(?![/\d])[*_ \t]*"
)
_TRIM = " \t\r\n\f\v*_"
LIST_SEPARATORS = re.compile(r"[,;]|\s(?:und|sowie)\s")
_END_PUNCT = tuple(".!?;,")


@dataclass(frozen=True)
class Line:
    """One logical line; ``raw`` is exactly ``doc.text[start:end]`` (marker excluded)."""

    raw: str
    start: int
    end: int
    block: int
    heading: bool = False  # from a heading block
    heading_level: int = 0
    bullet: bool = False
    level: int = 0
    arrow: bool = False
    table: bool = False

    @property
    def text(self) -> str:
        """The line with whitespace collapsed."""
        return collapse(self.raw)

    def item(self) -> TextItem:
        """The whole line as a record."""
        return TextItem(self.text, self.start, self.end)


@dataclass(frozen=True)
class Field:
    """A "Label: value" line; ``value`` is None when the value follows on the next lines."""

    label: str
    value: TextItem | None
    line: Line


def collapse(text: str) -> str:
    """Whitespace runs to single spaces, so records compare independent of line wrapping."""
    return " ".join(text.split())


def span_item(source: str, base: int, start: int, end: int) -> TextItem | None:
    """The record for ``source[start:end]`` trimmed of blanks and bold markers.

    ``base`` is the document offset of ``source[0]``, so the same helper serves the whole
    text (base 0) and a line's raw text (base ``line.start``).
    """
    start, end = max(0, start), min(len(source), end)
    while start < end and source[start] in _TRIM:
        start += 1
    while end > start and source[end - 1] in _TRIM:
        end -= 1
    if start >= end:
        return None
    return TextItem(collapse(source[start:end]), base + start, base + end)


def joined_item(text: str, start: int, end: int) -> TextItem:
    """A record spanning several lines of the document text."""
    return TextItem(collapse(text[start:end]), start, end)


def document_lines(doc: NormalisedDocument, labels: re.Pattern[str] | None = None) -> list[Line]:
    """All logical lines of the document in text order.

    Readers join the physical lines of a paragraph, so "Ort: ...", "Uhrzeit: ..." written on
    consecutive lines arrive as one line; ``labels`` (see ``label_splitter``) cuts them apart.
    """
    lines: list[Line] = []
    size = len(doc.text)
    for index, (block, span) in enumerate(zip(doc.source.blocks, doc.block_spans, strict=False)):
        start, end = max(0, min(span[0], size)), max(0, min(span[1], size))
        lines.extend(_block_lines(doc.text, index, block, start, end))
    if labels is not None:
        lines = [piece for line in lines for piece in _split_at_labels(line, labels)]
    return sorted(lines, key=lambda line: line.start)


def label_splitter(alternation: str) -> re.Pattern[str]:
    """A pattern for capitalised "Label:" starts inside a line (case-insensitive labels)."""
    return re.compile(
        r"(?<=\s)(?=[*_]*[A-ZÄÖÜ])[*_]*(?i:" + alternation + r")[*_]*[ \t]*:(?![/\d])"
    )


def _split_at_labels(line: Line, labels: re.Pattern[str]) -> list[Line]:
    if line.heading or line.table:
        return [line]
    cuts = [match.start() for match in labels.finditer(line.raw) if match.start() > 0]
    if not cuts:
        return [line]
    pieces: list[Line] = []
    for index, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(line.raw)], strict=True)):
        raw = line.raw[a:b].rstrip()
        if not raw.strip():
            continue
        piece = replace(line, raw=raw, start=line.start + a, end=line.start + a + len(raw))
        pieces.append(piece if index == 0 else replace(piece, bullet=False, level=0, arrow=False))
    return pieces


def block_spans(doc: NormalisedDocument) -> list[tuple[int, int]]:
    """The block spans clamped to the text, for sentence-level scans."""
    size = len(doc.text)
    spans = [(max(0, min(s, size)), max(0, min(e, size))) for s, e in doc.block_spans]
    return sorted(span for span in spans if span[0] < span[1])


def _block_lines(text: str, index: int, block: Block, start: int, end: int) -> list[Line]:
    """The block's lines; a line without marker after a bullet continues that bullet."""
    out: list[Line] = []
    joined_end: int | None = None  # end of the continuation lines of ``out[-1]``
    for match in _PHYSICAL.finditer(text, start, end):
        line = _physical_line(text, match.start(), match.end(), index, block, first=not out)
        if line is None:
            continue
        if out and out[-1].bullet and not (line.bullet or line.heading or line.table):
            joined_end = line.end
            continue
        _finish(text, out, joined_end)
        joined_end = None
        out.append(line)
    _finish(text, out, joined_end)
    return out


def _finish(text: str, out: list[Line], joined_end: int | None) -> None:
    if out and joined_end is not None:
        out[-1] = replace(out[-1], raw=text[out[-1].start : joined_end], end=joined_end)


def _physical_line(
    text: str, start: int, end: int, index: int, block: Block, *, first: bool
) -> Line | None:
    segment = text[start:end]
    body = segment.lstrip(" \t\r\f\v")
    indent = len(segment[: len(segment) - len(body)].expandtabs(4))
    offset = start + len(segment) - len(body)
    heading = block.kind == "heading"
    marker = _marker(body, block, heading=heading)
    cut = offset + (marker.end() if marker else 0)
    while end > cut and text[end - 1] in " \t\r\f\v":
        end -= 1
    if cut >= end:
        return None
    bullet = (not heading and marker is not None) or (block.kind == "list_item" and first)
    level = max(block.level if block.kind == "list_item" else 0, (indent + 1) // 2)
    return Line(
        raw=text[cut:end],
        start=cut,
        end=end,
        block=index,
        heading=heading,
        heading_level=_heading_level(block, marker) if heading else 0,
        bullet=bullet,
        level=level if bullet else 0,
        arrow=marker is not None and "→" in marker.group(),
        table=block.kind == "table_row",
    )


def _marker(body: str, block: Block, *, heading: bool) -> re.Match[str] | None:
    if heading:
        return _HEADING_MARK.match(body)
    if block.kind == "table_row":
        return None
    marker = _MARKER.match(body)
    if marker is None and block.kind == "list_item":
        marker = _NUMBERED.match(body)
    return marker


def _heading_level(block: Block, marker: re.Match[str] | None) -> int:
    if block.level > 0:
        return block.level
    return (marker.group().count("#") if marker is not None else 0) or 1


def is_caps(line: Line) -> bool:
    """An ALL-CAPS line such as "EINFÜHRUNG" or 'ARBEITSGRUPPE "DIE NEUE MOBILITÄT"'."""
    if line.bullet or line.table or len(line.raw) > 200:
        return False
    letters = [char for char in line.raw if char.isalpha()]
    if len(letters) < 4:
        return False
    return sum(char.isupper() for char in letters) >= 0.85 * len(letters)


def is_short_title(line: Line) -> bool:
    """A heading block or a short plain line without final punctuation (a sub-heading)."""
    if line.heading:
        return True
    text = line.text
    if line.bullet or line.table or not text or len(text) > 160 or len(text.split()) > 16:
        return False
    if text.endswith(_END_PUNCT) or text.startswith(("[", "(", '"', "„")):
        return False
    return text[0].isupper() or text[0].isdigit()


def field(line: Line) -> Field | None:
    """Split a "Label: value" line; the label is at most a few words before the first colon."""
    match = _FIELD.match(line.raw)
    if match is None or len(match["label"].split()) > 5:
        return None
    value = span_item(line.raw, line.start, match.end(), len(line.raw))
    return Field(label=match["label"].strip(), value=value, line=line)


def heading_label(line: Line) -> str | None:
    """The text of a heading-like line without its trailing colon ("Ziele:" -> "Ziele")."""
    text = line.text.strip("*_# ")
    if line.heading or (not line.bullet and not line.table and text.endswith(":")):
        return text.rstrip(":").strip("*_ ") or None
    if is_short_title(line):
        return text
    return None


def split_items(
    line: Line, start: int, end: int, separators: re.Pattern[str] = LIST_SEPARATORS
) -> list[TextItem]:
    """Split ``line.raw[start:end]`` at separators outside parentheses into records."""
    items: list[TextItem] = []
    cursor = start
    end = min(end, len(line.raw))
    for match in separators.finditer(line.raw, start, end):
        before = line.raw[start : match.start()]
        if before.count("(") > before.count(")"):
            continue
        items.extend(_some(span_item(line.raw, line.start, cursor, match.start())))
        cursor = match.end()
    items.extend(_some(span_item(line.raw, line.start, cursor, end)))
    return items


def _some(item: TextItem | None) -> list[TextItem]:
    return [item] if item is not None else []


def cells(line: Line) -> list[TextItem | None]:
    """The cells of a table row ("a | b | c", Markdown pipes or tabs); empty cells are None."""
    separator = "|" if "|" in line.raw else "\t"
    raw = line.raw
    bounds: list[tuple[int, int]] = []
    cursor = 0
    for position, char in enumerate(raw):
        if char == separator:
            bounds.append((cursor, position))
            cursor = position + 1
    bounds.append((cursor, len(raw)))
    if separator == "|" and raw.strip().startswith("|"):
        bounds = bounds[1:]
    if separator == "|" and raw.strip().endswith("|"):
        bounds = bounds[:-1]
    return [span_item(raw, line.start, a, b) for a, b in bounds]
