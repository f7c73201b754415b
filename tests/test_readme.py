"""The README settings table lists every setting (datasette's test_docs idea)."""

import re

from graph.settings import GraphSettings
from ingest.settings import IngestSettings
from search_api.settings import ApiSettings
from tests.conftest import REPO


def _documented() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    return set(re.findall(r"`(WN_[A-Z0-9_]+)`", table))


def test_every_setting_is_in_the_readme_table() -> None:
    fields: set[str] = set()
    for cls in (GraphSettings, IngestSettings, ApiSettings):
        fields |= {f"WN_{name.upper()}" for name in cls.model_fields}
    documented = _documented()
    assert fields - documented == set(), "add these to the README settings table"
    assert documented - fields == set(), "these README rows name no setting"


def test_readme_starts_with_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart")[1]
    commands = re.findall(r"^make (\w+)", quickstart, flags=re.MULTILINE)
    assert commands[:2] == ["run", "test"]
