"""YAML front matter: split it from the body and validate the keys the pipeline trusts.

Front matter is written by people, so every trusted key is type-checked and a wrong type stops
the file with a message naming the key. Unknown keys are kept under ``meta["extra"]`` so nothing
is lost, but downstream code must not treat them as validated.
"""

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import InvalidFrontMatter

__all__ = [
    "DOC_ID_PATTERN",
    "KINDS",
    "MAX_FRONT_MATTER_CHARS",
    "load_front_matter",
    "split_front_matter",
    "validate_front_matter",
]

DOC_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,120}")
KINDS = frozenset({"protocol", "project", "event", "page"})
_FENCE = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL | re.MULTILINE)
_OPENING = re.compile(r"---[ \t]*\n")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_FRONT_MATTER_CHARS = 64 * 1024


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """Return the validated front matter and the body after it.

    Text without a leading ``---`` line has no front matter and comes back unchanged.

    Raises:
        InvalidFrontMatter: The block is unclosed, too large, not YAML or has wrong types.
    """
    if _OPENING.match(text) is None:
        return {}, text
    match = _FENCE.match(text)
    if match is None:
        raise InvalidFrontMatter(
            path, "front matter starts with '---' but is never closed", "add a closing '---' line"
        )
    return load_front_matter(match.group(1), path, first_line=2), text[match.end() :]


def load_front_matter(block: str, path: Path, *, first_line: int = 1) -> dict[str, Any]:
    """Parse a YAML mapping (front matter without fences, or a sidecar file) and validate it.

    Args:
        block: The YAML text.
        path: The file to name in error messages.
        first_line: Line of ``path`` on which ``block`` starts, for error positions.

    Raises:
        InvalidFrontMatter: The block is too large, not YAML, not a mapping or has wrong types.
    """
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise InvalidFrontMatter(path, "front matter is larger than 64 KiB", "shorten it")
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise InvalidFrontMatter(
            path, f"front matter is not valid YAML ({_yaml_where(exc, first_line)})"
        ) from exc
    except (ValueError, OverflowError) as exc:  # PyYAML's constructors, e.g. date: 2019-13-45
        raise InvalidFrontMatter(path, f"front matter has an impossible value ({exc})") from exc
    except RecursionError as exc:
        raise InvalidFrontMatter(path, "front matter is nested too deeply") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidFrontMatter(
            path,
            f"front matter is a {type(data).__name__}, not a mapping",
            "write it as 'key: value' lines",
        )
    return validate_front_matter(data, path)


def validate_front_matter(data: dict[Any, Any], path: Path) -> dict[str, Any]:
    """Check the trusted keys and move unknown keys under ``extra``.

    Raises:
        InvalidFrontMatter: A key is not a string or a trusted key has the wrong type.
    """
    meta: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise InvalidFrontMatter(path, f"front matter key {key!r} is not a string")
        check = _CHECKS.get(key)
        if check is None:
            extra[key] = value
        elif value is not None:
            meta[key] = check(key, value, path)
    if extra:
        meta["extra"] = extra
    return meta


def _wrong(path: Path, key: str, expected: str, value: object) -> InvalidFrontMatter:
    return InvalidFrontMatter(
        path,
        f"front matter key '{key}' must be {expected}, got {type(value).__name__}",
        f"write '{key}' as {expected}",
    )


def _text(key: str, value: object, path: Path) -> str:
    # YAML reads ``title: 2019`` as an int; a number is still an acceptable title.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _wrong(path, key, "a string", value)
    return str(value).strip()


def _text_list(key: str, value: object, path: Path) -> list[str]:
    if isinstance(value, str):
        return [value.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _wrong(path, key, "a list of strings", value)
    return [item.strip() for item in value]


def _doc_id(key: str, value: object, path: Path) -> str:
    text = _text(key, value, path)
    if DOC_ID_PATTERN.fullmatch(text) is None:
        raise InvalidFrontMatter(
            path,
            f"front matter 'id' {text[:40]!r} is not 1-120 characters of A-Z a-z 0-9 . _ -",
            "use only letters, digits, '.', '_' and '-'",
        )
    return text


def _date(key: str, value: object, path: Path) -> str:
    if isinstance(value, dt.date):  # YAML turns an unquoted 2019-12-18 into a date
        return value.isoformat()
    if not isinstance(value, str):
        raise _wrong(path, key, "a date (YYYY-MM-DD or '18. Dezember 2019')", value)
    text = value.strip()
    if _ISO_DATE.match(text):
        try:
            dt.date.fromisoformat(text[:10])
        except ValueError as exc:
            raise InvalidFrontMatter(
                path, f"front matter 'date' {text!r} is not a real date", "write YYYY-MM-DD"
            ) from exc
    return text


def _kind(key: str, value: object, path: Path) -> str:
    text = _text(key, value, path)
    if text not in KINDS:
        raise InvalidFrontMatter(
            path,
            f"front matter 'kind' {text[:40]!r} is unknown",
            f"use one of {', '.join(sorted(KINDS))}",
        )
    return text


def _url(key: str, value: object, path: Path) -> str:
    text = _text(key, value, path)
    # The URL ends up as a link in the search UI; javascript: and data: must never get there.
    if not re.match(r"https?://", text, re.IGNORECASE):
        raise InvalidFrontMatter(
            path, f"front matter '{key}' must be an http(s) URL", "write it as https://..."
        )
    return text


def _speakers(key: str, value: object, path: Path) -> list[str | dict[str, str]]:
    items = [value] if isinstance(value, str | dict) else value
    if not isinstance(items, list):
        raise _wrong(path, key, "a list of names or of {name: ...} mappings", value)
    result: list[str | dict[str, str]] = []
    for item in items:
        if isinstance(item, str):
            result.append(item.strip())
        elif (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in item.items())
        ):
            result.append({k: v.strip() for k, v in item.items()})
        else:
            raise _wrong(path, key, "a list of names or of {name: ...} mappings", item)
    return result


def _yaml_where(exc: yaml.YAMLError, first_line: int) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "syntax error"
    if mark is None:
        return str(problem)
    return f"{problem} at line {mark.line + first_line}"


_CHECKS: dict[str, Callable[[str, object, Path], Any]] = {
    "id": _doc_id,
    "title": _text,
    "date": _date,
    "kind": _kind,
    "source": _text,
    "source_url": _url,
    "municipality": _text_list,
    "author": _text,
    "language": _text,
    "tags": _text_list,
    "speakers": _speakers,
    "organiser": _text,
    "status": _text,
    "topics": _text_list,
}
