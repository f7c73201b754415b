"""Municipalities, Kreise and regions: variants, inflections, demonyms, cues, ambiguity."""

from functools import cache

import pytest

from ingest.gazetteer import Gazetteer, name_variants, regular_demonym
from ingest.geo import GeoContext
from ingest.nlp import AnalysisContext, Analyzer
from ingest.records import Mention
from ingest.regions import resolve_region

HALLE_WESTF = "05754012"
HALLE_SAALE = "15002000"
BIELEFELD_REGION = "regiopolregion-bielefeld"
PADERBORN_REGION = "regiopolregion-paderborn"


@cache
def analyzer() -> Analyzer:
    return Analyzer()


def places(text: str, geo: GeoContext | None = None) -> list[Mention]:
    mentions = analyzer().analyse(text, context=AnalysisContext(geo=geo)).mentions
    return [m for m in mentions if m.kind in {"municipality", "kreis", "region"}]


def keys(text: str) -> list[str]:
    return [m.key for m in places(text)]


def test_name_variants_cover_official_qualifiers() -> None:
    variants, stem = name_variants("Halle (Westf.)")
    assert stem == "Halle"
    assert {"Halle (Westf.)", "Halle/Westfalen", "Halle Westf.", "Halle (Westfalen)"} <= set(
        variants
    )
    variants, stem = name_variants("Schloß Holte-Stukenbrock")
    assert "Schloss Holte-Stukenbrock" in variants
    assert stem is None


def test_regular_demonyms() -> None:
    assert regular_demonym("Paderborn") == "Paderborner"
    assert regular_demonym("Bünde") == "Bünder"
    assert regular_demonym("Werther") is None


@pytest.mark.parametrize(
    ("text", "ags"),
    [
        ("Die Stadt Halle (Westf.) hat ein Konzept.", HALLE_WESTF),
        ("Wir waren in Halle/Westfalen zu Gast.", HALLE_WESTF),
        ("Treffen in Halle Westf. am Montag.", HALLE_WESTF),
        ("Die Stadt Schloß Holte-Stukenbrock plant viel.", "05754036"),
        ("Die Stadt Schloss Holte-Stukenbrock plant viel.", "05754036"),
        ("Die Verwaltung von Werther (Westf.) berichtet.", "05754052"),
        ("Bad Salzuflen setzt auf Radverkehr.", "05766008"),
        ("Vertreter der Stadt Paderborn kamen.", "05774032"),
        ("Paderborns Bürgermeister begrüßte alle.", "05774032"),
        ("Bielefelds Innenstadt wird umgebaut.", "05711000"),
        ("Der Bielefelder Oberbürgermeister sprach.", "05711000"),
        ("Die Paderborner Verwaltung ist schnell.", "05774032"),
        ("Das Gütersloher Modell überzeugt.", "05754008"),
        ("Die Herforder Stadtwerke investieren.", "05758012"),
        ("Der Verler Bürgermeister kam spät.", "05754044"),
        ("Die Gemeinde Borchen hat ein E-Auto.", "05774012"),
    ],
)
def test_municipality_forms(text: str, ags: str) -> None:
    assert ags in keys(text)


def test_halle_without_context_prefers_owl() -> None:
    found = places("Das Projekt läuft in Halle seit zwei Jahren.")
    assert [m.key for m in found] == [HALLE_WESTF]
    assert found[0].extra["candidates"]
    assert found[0].confidence < 0.9


def test_halle_disambiguated_by_kreis_context() -> None:
    text = "Im Kreis Gütersloh: die Stadt Halle und Steinhagen kooperieren."
    found = [m for m in places(text) if m.text == "Halle"]
    assert found[0].key == HALLE_WESTF
    assert found[0].confidence >= 0.8


def test_halle_saale_explicit_and_by_land_context() -> None:
    assert HALLE_SAALE in keys("Die Stadt Halle (Saale) hat ein Wärmekonzept.")
    saxony_anhalt = GeoContext(land_keys=frozenset({"15"}))
    found = places("Ein Besuch in Halle lohnt sich.", saxony_anhalt)
    assert [m.key for m in found] == [HALLE_SAALE]


def test_enger_needs_capitalised_mid_sentence_use() -> None:
    assert "05758008" in keys("Die Kommunen Herford und Enger arbeiten zusammen.")
    assert "05758008" in keys("Auch die Stadt Enger macht mit.")
    assert keys("Der Zeitplan wird enger als gedacht.") == []


def test_lage_only_with_a_cue() -> None:
    assert keys("Die Lage ist ernst, die Lage der Kommunen schwierig.") == []
    assert "05766040" in keys("Die Stadt Lage hat ein Klimaschutzkonzept.")
    assert "05766040" in keys("Wir trafen uns in Lage.")


def test_common_words_yield_no_municipality() -> None:
    text = (
        "Am Ort gab es Essen und Mittel für den Wald, am Berg stand eine Halle; "
        "weil es gern regnet, war die Lage im Bad schwierig. Das Essen war gut. "
        "Wissen ist Macht, Senden ist Pflicht, die Löhne steigen, Schlangen stehen an."
    )
    assert places(text) == []


def test_essen_city_with_cue() -> None:
    assert "05113000" in keys("Die Stadt Essen und Bochum kooperieren.")


def test_tiny_distant_village_needs_a_cue() -> None:
    # "Clausen" is a village in Rheinland-Pfalz and a surname in the seeds
    assert keys("Den Antrag, den Clausen stellte, nahm der Rat an.") == []
    assert keys("Das Dorf Bergen ist klein.") == []


def test_list_context_accepts_common_word_towns() -> None:
    text = "zwischen den Gründer-Regiopolen Bielefeld, Erfurt, Paderborn, Rostock, Siegen und Trier"
    assert {"05711000", "16051000", "05774032", "13003000", "05970040", "07211000"} <= set(
        keys(text)
    )


def test_kreise_and_regions() -> None:
    found = places(
        "Der Kreis Gütersloh, Teile des Kreises Soest und der Kreis Lippe liegen in OWL, "
        "im Regierungsbezirk Detmold; die regiopolREGION Paderborn ist OWL-weit aktiv."
    )
    by_kind = {(m.kind, m.key) for m in found}
    assert {("kreis", "05754"), ("kreis", "05974"), ("kreis", "05766")} <= by_kind
    assert ("region", "ostwestfalen-lippe") in by_kind
    assert ("region", "regierungsbezirk-detmold") in by_kind
    assert ("region", "regiopolregion-paderborn") in by_kind
    assert not any(m.kind == "municipality" and m.key == "05754008" for m in found)


def regions(text: str, geo: GeoContext | None = None) -> list[Mention]:
    return [m for m in places(text, geo) if m.kind == "region"]


def test_bare_regiopolregion_follows_document_context() -> None:
    text = "Die Regiopolregion tagt im Büro des Oberbürgermeisters der Stadt Bielefeld."
    assert [m.key for m in regions(text)] == [BIELEFELD_REGION]
    camel = regions("Die regiopolREGION wächst.")
    assert [m.key for m in camel] == [PADERBORN_REGION]


def test_bare_region_names_follow_a_bielefeld_context() -> None:
    text = (
        "Bielefeld, Gütersloh, Herford und Bad Salzuflen arbeiten in der Regiopolregion "
        "zusammen. Die regiopolREGION will den Radverkehr stärken; die REGIOPOLREGION lädt ein."
    )
    found = regions(text)
    assert [m.text for m in found] == ["Regiopolregion", "regiopolREGION", "REGIOPOLREGION"]
    assert {m.key for m in found} == {BIELEFELD_REGION}
    assert all(m.extra["candidates"] for m in found)
    # four partner towns are clear evidence; the brand spelling alone is only a default
    default = regions("Die regiopolREGION will den Radverkehr stärken.")[0]
    assert default.key == PADERBORN_REGION
    assert min(m.confidence for m in found) > default.confidence


def test_bare_region_names_follow_the_document_context_of_a_passage() -> None:
    document = "Der Steuerungskreis der Regiopolregion tagte in Bielefeld und Gütersloh."
    geo = analyzer().geo_context(document)
    assert dict(geo.region_counts)[BIELEFELD_REGION] >= 1  # the Steuerungskreis is its body
    passage = "Für die regiopolREGION ist der Radverkehr wichtig."
    assert [m.key for m in regions(passage, geo)] == [BIELEFELD_REGION]
    assert [m.key for m in regions(passage)] == [PADERBORN_REGION]


def test_bare_region_names_follow_a_paderborn_context() -> None:
    text = (
        "Der Verein regiopolREGION PADERBORN e.V. tagte in Borchen. "
        "Die Regiopolregion plant ein Mobilitätskonzept mit Salzkotten und Delbrück."
    )
    bare = [m for m in regions(text) if m.text == "Regiopolregion"]
    assert [m.key for m in bare] == [PADERBORN_REGION]
    assert bare[0].confidence >= 0.85


def test_region_resolution_needs_clear_evidence_against_the_spelling() -> None:
    gazetteer = Gazetteer.build([], [], lambda _word: False)
    bielefeld_first = (BIELEFELD_REGION, PADERBORN_REGION)  # "Regiopolregion"
    paderborn_first = bielefeld_first[::-1]  # "regiopolREGION"
    assert resolve_region(bielefeld_first, gazetteer, GeoContext()) == (BIELEFELD_REGION, 0.6)
    named_once = GeoContext(region_counts=((PADERBORN_REGION, 1),))
    assert resolve_region(paderborn_first, gazetteer, named_once) == (PADERBORN_REGION, 0.9)
    # one full name is not enough to read Bielefeld's own spelling as Paderborn ...
    assert resolve_region(bielefeld_first, gazetteer, named_once) == (BIELEFELD_REGION, 0.6)
    # ... a name and two towns in the Kreis Paderborn are
    towns = GeoContext(kreis_counts=(("05774", 2),))
    assert resolve_region(bielefeld_first, gazetteer, named_once.merged(towns))[0] == (
        PADERBORN_REGION
    )
    # towns count per mention, not per Kreis: Bielefeld's four Kreise give it no head start
    spread = GeoContext(kreis_counts=(("05711", 1), ("05754", 1), ("05774", 3)))
    assert resolve_region(paderborn_first, gazetteer, spread) == (PADERBORN_REGION, 0.75)
    assert resolve_region(bielefeld_first, gazetteer, spread, [PADERBORN_REGION]) == (
        PADERBORN_REGION,
        0.95,
    )


def test_mention_spans_match_text() -> None:
    text = "Grüße aus Paderborn und Bad Salzuflen."
    for mention in places(text):
        assert text[mention.start : mention.end] == mention.text
