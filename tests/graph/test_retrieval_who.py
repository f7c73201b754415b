"""The "who did X" finder on the hand-built knowledge base: ranking, filters, fallbacks."""

from graph.experts import ExperienceFinder
from tests.graph.retrieval_documents import (
    BIELEFELD,
    DELBRUECK,
    GUETERSLOH,
    HERFORD,
    OERLINGHAUSEN,
    VERL,
)
from tests.graph.retrieval_kb import KB


def test_who_ranks_done_before_planned_with_contacts(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who(
        "Wer hat schon eine Karte erstellt, die zeigt, wo bei heftigen Gewittern Keller volllaufen?"
    )
    ranked = [m.ags for m in result.municipalities]
    assert ranked[:2] == [VERL, OERLINGHAUSEN] or ranked[0] == VERL
    assert ranked.index(VERL) < ranked.index(DELBRUECK)
    verl = result.municipalities[0]
    assert verl.contacts[0].name == "Annika Strothmann"
    assert "Klimaschutzmanagerin" in verl.contacts[0].roles
    assert verl.evidence
    assert verl.evidence[0].document.id.startswith(("starkregen", "akademie"))
    data = result.to_json()
    assert set(data) == {"query", "municipalities", "actors"}
    assert set(data["municipalities"][0]) == {"id", "name", "ags", "score", "evidence", "contacts"}
    assert set(data["actors"][0]) == {"id", "name", "type", "score", "affiliations", "evidence"}


def test_who_applies_region_kreis_and_exclusion(kb: KB) -> None:
    finder = ExperienceFinder(kb.searcher)
    region = finder.who(
        "Wer in unserer Regiopolregion hat Erfahrung mit Vorsorge gegen Sturzfluten?"
    )
    assert DELBRUECK not in [m.ags for m in region.municipalities]
    assert region.municipalities[0].ags in {VERL, OERLINGHAUSEN}
    kreis = finder.who("Welche Kommunen im Kreis Gütersloh haben Erfahrung mit Starkregenkarten?")
    assert {m.ags[:5] for m in kreis.municipalities} == {"05754"}
    excluded = finder.who("Wer außer Verl hat schon eine Starkregengefahrenkarte?")
    assert VERL not in [m.ags for m in excluded.municipalities]
    assert all("Verl" not in a.actor.name for a in excluded.actors)


def test_who_falls_back_to_the_regiopol_pate(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who(
        "Wer hat Erfahrung mit Hitzeschutz für ältere Menschen?"
    )
    ranked = {m.ags: m for m in result.municipalities}
    assert next(iter(ranked)) == HERFORD
    assert ranked[HERFORD].contacts[0].name == "Miriam Kowalski"
    assert [c.name for c in ranked[BIELEFELD].contacts] == ["Henrike Placke"]


def test_who_in_english(kb: KB) -> None:
    result = ExperienceFinder(kb.searcher).who("Which municipalities have done heat planning?")
    assert result.question.lang == "en"
    assert result.municipalities[0].ags == GUETERSLOH
