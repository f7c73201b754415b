"""Discovery of the ingest pipeline through the ``wissensnetz.ingestors`` entry point."""

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from graph import ingestion
from graph.ingestion import ENTRY_POINT_GROUP, DocumentIngestor, load_ingestor


class Recorder:
    def __init__(self, kb: Any, settings: Any) -> None:
        self.kb = kb
        self.settings = settings

    def ingest_file(self, path: Path, *, original_name: str) -> dict[str, Any]:
        return {"path": str(path), "name": original_name}

    def delete_document(self, doc_id: str) -> bool:
        return doc_id == "da"


def make_recorder(kb: Any, settings: Any) -> Recorder:
    return Recorder(kb, settings)


def not_an_ingestor(kb: Any, settings: Any) -> object:
    return object()


def use_entry_points(monkeypatch: pytest.MonkeyPatch, *entries: EntryPoint) -> None:
    def fake(*, group: str, name: str) -> list[EntryPoint]:
        return [e for e in entries if e.group == group and e.name == name]

    monkeypatch.setattr(ingestion, "entry_points", fake)


def entry(target: str, name: str = "default") -> EntryPoint:
    return EntryPoint(
        name=name, value=f"tests.search_api.test_ingestion:{target}", group=ENTRY_POINT_GROUP
    )


def test_none_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch)
    assert load_ingestor(object(), object()) is None  # type: ignore[arg-type]


def test_factory_gets_kb_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, entry("make_recorder"), entry("not_an_ingestor", "other"))
    kb, settings = object(), object()
    found = load_ingestor(kb, settings)  # type: ignore[arg-type]
    assert isinstance(found, Recorder)
    assert isinstance(found, DocumentIngestor)
    assert found.kb is kb
    assert found.settings is settings


def test_wrong_factory_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, entry("not_an_ingestor"))
    with pytest.raises(TypeError, match="ingest_file"):
        load_ingestor(object(), object())  # type: ignore[arg-type]


def test_real_registry_lookup_does_not_fail() -> None:
    found = ingestion._find("no-such-ingestor-name")
    assert found is None


def make_with_embedder(kb: Any, settings: Any, embedder: Any = None) -> Recorder:
    recorder = Recorder(kb, settings)
    recorder.embedder = embedder  # type: ignore[attr-defined]
    return recorder


def test_loaded_model_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    use_entry_points(monkeypatch, entry("make_with_embedder"))
    model = object()
    found = load_ingestor(object(), object(), embedder=model)  # type: ignore[arg-type]
    assert found.embedder is model  # type: ignore[union-attr]
    use_entry_points(monkeypatch, entry("make_recorder"))
    assert isinstance(load_ingestor(object(), object(), embedder=model), Recorder)  # type: ignore[arg-type]
