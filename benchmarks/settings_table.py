"""Regenerate the README settings table from the settings classes.

Run: .venv/bin/python -m benchmarks.settings_table (rewrites README.md in place; run as a
module, since the script folder holds a benchmarks/ingest.py that would shadow the package).
"""

from pathlib import Path

from graph.settings import GraphSettings
from ingest.settings import IngestSettings
from search_api.settings import ApiSettings

README = Path(__file__).resolve().parent.parent / "README.md"


def rows() -> list[str]:
    seen: set[str] = set()
    out = ["| variable | default | meaning |", "|---|---|---|"]
    for cls in (GraphSettings, IngestSettings, ApiSettings):
        for name, field in cls.model_fields.items():
            if name in seen:
                continue
            seen.add(name)
            default = field.default if field.default_factory is None else field.default_factory()  # type: ignore[call-arg]
            shown = "" if default is None else str(default)
            out.append(f"| `WN_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return out


def main() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split("<!-- settings-table -->\n")
    _, tail = rest.split("<!-- /settings-table -->")
    README.write_text(
        head
        + "<!-- settings-table -->\n"
        + "\n".join(rows())
        + "\n<!-- /settings-table -->"
        + tail,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
