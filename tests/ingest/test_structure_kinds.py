"""Kind detection: front matter first, then weighted cues."""

from pathlib import Path

import pytest

from ingest.normalise import normalise
from ingest.readers import read_document
from ingest.records import NormalisedDocument
from ingest.structure import classify, detect_kind

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _read(tmp_path: Path, name: str, text: str) -> NormalisedDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return normalise(read_document(path, tmp_path))


@pytest.mark.parametrize(
    ("seed", "kind"),
    [
        ("000_8d066401b9da103d.txt", "page"),
        ("001_afd0eaa4d2aef28f.txt", "page"),  # describes the Akademie, no session
        ("002_04082e3a3c9b2262.txt", "protocol"),
        ("003_6770bf608ec1a824.txt", "page"),
        ("004_ae2a2a8725a018bf.txt", "page"),
    ],
)
def test_seeds(seed: str, kind: str) -> None:
    assert detect_kind(normalise(read_document(SEEDS / seed, SEEDS))) == kind


def test_protocol_mentioning_a_project_database_stays_a_protocol() -> None:
    decision = classify(normalise(read_document(SEEDS / "002_04082e3a3c9b2262.txt", SEEDS)))
    assert decision.kind == "protocol"
    assert "Protokoll im Titel" in decision.reason
    scores = dict(decision.scores)
    assert scores["protocol"] > scores["project"] > 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("# Sitzung der AG Mobilität\n\n## TOP 1: Begrüßung\n\nText.\n", "protocol"),
        ("# Tagesordnung\n\n- Begrüßung\n\n## Teilnehmende\n\n- Frau A\n", "protocol"),
        ("Projekttitel: Dorfladen\n\nStatus: Idee\n", "project"),
        (
            "# Dorfladen\n\n## Ziele\n\n- Nahversorgung\n\n"
            "## Aufgetretene Probleme\n\n- Personal\n",
            "project",
        ),
        ("# Regiopol Akademie\n\nTermin: 14. März 2024\n\nReferentin: Dr. M. K.\n", "event"),
        ("# Webinar\n\nFormat: digital\n\nAnmeldung bis 1. März\n", "event"),
        ("# Neuigkeiten\n\nDie Region wächst.\n", "page"),
    ],
)
def test_cues(tmp_path: Path, text: str, kind: str) -> None:
    assert detect_kind(_read(tmp_path, "doc.md", text)) == kind


def test_front_matter_kind_wins(tmp_path: Path) -> None:
    text = "---\nkind: event\n---\n\n# Protokoll der Sitzung\n\n## TOP 1: Begrüßung\n"
    decision = classify(_read(tmp_path, "doc.md", text))
    assert decision.kind == "event"
    assert "front matter" in decision.reason


def test_reason_for_plain_pages(tmp_path: Path) -> None:
    decision = classify(_read(tmp_path, "doc.md", "# Über uns\n\nWir sind eine Region.\n"))
    assert decision.kind == "page"
    assert "no kind reached" in decision.reason
