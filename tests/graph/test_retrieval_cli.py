"""The retrieval commands (search, who, speakers, eval) on the hand-built knowledge base."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph import retrieval_cli
from graph.search import Searcher
from tests.graph.retrieval_kb import KB


@pytest.fixture
def runner(kb: KB, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The retrieval commands, opened on the fixture's knowledge base instead of a data dir."""

    @contextmanager
    def opened(data_dir: Path | None) -> Iterator[Searcher]:
        yield kb.searcher

    monkeypatch.setattr(retrieval_cli, "opened_searcher", opened)
    return CliRunner()


def test_cli_search_prints_json_and_a_table(runner: CliRunner) -> None:
    result = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--json", "-n", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["hits"]) == 2
    assert "facets" in data
    table = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--municipality", "Verl"])
    assert table.exit_code == 0
    assert "Verl" in table.stdout


def test_cli_who_and_speakers(runner: CliRunner) -> None:
    who = runner.invoke(retrieval_cli.app, ["who", "Wer hat schon einen Hitzeaktionsplan?"])
    assert who.exit_code == 0, who.output
    assert "Herford" in who.stdout
    speakers = runner.invoke(
        retrieval_cli.app, ["speakers", "Hitzeschutz", "--today", "2026-11-21", "--json"]
    )
    assert speakers.exit_code == 0, speakers.output
    assert json.loads(speakers.stdout)["speakers"]


def test_cli_domain_error_is_one_line(runner: CliRunner) -> None:
    result = runner.invoke(retrieval_cli.app, ["search", "Starkregen", "--topic", "Quantenkochen"])
    assert result.exit_code == 1
    assert "unknown topic" in result.output


def test_cli_eval_reports_all_systems(runner: CliRunner, tmp_path: Path) -> None:
    queries = tmp_path / "queries.yaml"
    queries.write_text(
        """reference_date: 2026-11-21
queries:
  - {id: s1, text: Wo laufen bei heftigen Gewittern Keller voll, type: search, lang: de,
     gold_documents: [starkregen-verl, akademie-2024-04-starkregen]}
  - {id: w1, text: "Wer hat schon einen Hitzeaktionsplan?", type: who, lang: de,
     gold_municipalities: ["05758012"], gold_persons: [Miriam Kowalski]}
  - {id: p1, text: Referentin zum Hitzeschutz, type: speaker, lang: de,
     gold_persons: [Elke Sundermann, Miriam Kowalski]}
""",
        encoding="utf-8",
    )
    result = runner.invoke(retrieval_cli.app, ["eval", "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["system"], r["lang"]): r for r in json.loads(result.stdout)["rows"]}
    assert rows[("search/hybrid", "all")]["MRR"] == 1.0
    assert rows[("who", "all")]["R@5"] == 1.0
    assert rows[("speaker", "all")]["R@5"] == 1.0
