"""Turn the raw bytes of a text format into ``str``, refusing binary data.

German municipal files arrive as UTF-8 (with or without BOM), as Windows cp1252 or Latin-1 from
older office exports, sometimes as UTF-16 from Windows tools. charset-normalizer decides whether
the bytes are text at all; among the single-byte encodings it proposes, a German-aware score picks
the one that yields umlauts rather than box-drawing characters, because charset-normalizer alone
confuses cp1252 with cp1250 and cp850 with mac_roman on short German texts.
"""

import codecs
import re
import unicodedata
from pathlib import Path

import charset_normalizer

from ingest.errors import UnreadableFile

__all__ = ["decode_text"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Single-byte encodings worth considering for German text; cp1252 first so it wins ties.
_CANDIDATES = ("cp1252", "iso8859_15", "cp1250", "cp850", "mac_roman", "latin_1")
_FAVOURED = frozenset("äöüÄÖÜß€„“”‚‘’–—…éèáàçñ«»°§")
_SCORE_SAMPLE = 256 * 1024
_MAX_CONTROL_RATIO = 0.01
_NON_ASCII_RE = re.compile("[^\x00-\x7f\ufffd]")
# C0 and C1 control characters except tab, line feed, vertical tab, form feed, carriage return.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BINARY_HINT = "check that it is really a text file; convert it to UTF-8 text"


def decode_text(raw: bytes, path: Path) -> str:
    """Decode ``raw`` and normalise line endings to ``\\n``.

    Raises:
        UnreadableFile: The bytes look binary or fit no supported encoding.
    """
    text = _decode_with_bom(raw, path)
    if text is None:
        if b"\x00" in raw:
            raise UnreadableFile(path, "looks binary (contains NUL bytes)", _BINARY_HINT)
        text = _decode_without_bom(raw, path)
    if _control_ratio(text) > _MAX_CONTROL_RATIO:
        raise UnreadableFile(path, "looks binary (many control characters)", _BINARY_HINT)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_with_bom(raw: bytes, path: Path) -> str | None:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    path, f"starts with a {encoding} byte-order mark but is not valid {encoding}"
                ) from exc
    return None


def _decode_without_bom(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(raw)
    if mostly_utf8 is not None:
        return mostly_utf8
    matches = charset_normalizer.from_bytes(raw, cp_isolation=list(_CANDIDATES))
    if matches.best() is None:
        raise UnreadableFile(path, "looks binary (no text encoding fits)", _BINARY_HINT)
    proposed = {match.encoding for match in matches}
    encodings = [name for name in _CANDIDATES if name in proposed or name == "cp1252"]
    best = max(encodings, key=lambda name: _german_score(raw[:_SCORE_SAMPLE], name))
    try:
        return raw.decode(best)
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte, the control check follows.
        return raw.decode("latin_1")


def _mostly_utf8(raw: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a bad edit, a cut download) stays UTF-8.

    Decoding it as cp1252 would garble every umlaut to rescue a handful of bytes; instead the
    broken bytes become U+FFFD. Latin-1 text rarely forms valid UTF-8 sequences, so it fails the
    ratio and goes on to the single-byte path.
    """
    text = raw.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for _ in _NON_ASCII_RE.finditer(text))
    if valid and broken <= valid:
        return text
    return None


def _german_score(sample: bytes, encoding: str) -> int:
    """Score how German a decoding looks: umlauts and typographic quotes up, symbols down."""
    try:
        text = sample.decode(encoding)
    except UnicodeDecodeError:
        return -(10**9)
    score = 0
    for char in text:
        if char.isascii():
            continue
        if char in _FAVOURED:
            score += 2
        elif not unicodedata.category(char).startswith("L"):
            score -= 3
    return score


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for _ in _CONTROL_RE.finditer(text))
    return controls / len(text)
