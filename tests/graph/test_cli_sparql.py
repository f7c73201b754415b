"""`wissensnetz sparql` against a fresh data directory: reference data is there at once."""

import json
from pathlib import Path

from typer.testing import CliRunner

from wissensnetz_cli import app

runner = CliRunner()

PARTNERS = {
    "05711000": "Bielefeld",
    "05754008": "Gütersloh",
    "05758012": "Herford",
    "05766008": "Bad Salzuflen",
    "05754036": "Schloß Holte-Stukenbrock",
    "05754044": "Verl",
    "05754012": "Halle (Westf.)",
    "05754040": "Steinhagen",
    "05758008": "Enger",
    "05766056": "Oerlinghausen",
    "05766048": "Leopoldshöhe",
    "05758032": "Spenge",
    "05754052": "Werther (Westf.)",
}


def _sparql(data_dir: Path, query: str, fmt: str = "json") -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["sparql", query, "--format", fmt, "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_counts_every_german_municipality(tmp_path: Path) -> None:
    data = _sparql(tmp_path, "SELECT (COUNT(?m) AS ?n) WHERE { ?m a wn:Municipality }")
    assert int(data["results"]["bindings"][0]["n"]["value"]) >= 10_000


def test_regiopolregion_bielefeld_has_exactly_its_13_partners(tmp_path: Path) -> None:
    query = """SELECT ?ags ?name WHERE {
      ?r a wn:Region ; rdfs:label ?label ; org:hasMember ?m .
      FILTER(CONTAINS(LCASE(STR(?label)), "bielefeld"))
      ?m wn:ags ?ags ; rdfs:label ?name }"""
    rows = _sparql(tmp_path, query)["results"]["bindings"]
    found = {r["ags"]["value"]: r["name"]["value"] for r in rows}
    assert found == PARTNERS


def test_update_is_refused_with_exit_code_1(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "read-only" in result.stderr


def test_query_from_file_as_table(tmp_path: Path) -> None:
    query_file = tmp_path / "q.rq"
    query_file.write_text(
        "SELECT ?l WHERE { <https://w3id.org/wissensnetz/id/municipality/05711000> rdfs:label ?l }"
    )
    result = runner.invoke(
        app, ["sparql", f"@{query_file}", "--format", "table", "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    assert "Bielefeld" in result.stdout


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    for command in ("sparql", "export", "validate", "serve", "ingest", "model"):
        assert command in result.stdout
