"""Question understanding: topic extraction and constraints, in German and English."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.questions import Constraints, PlaceNames, normalise, parse_question, strip_frame

BIELEFELD, GUETERSLOH, HERFORD, VERL = "05711000", "05754008", "05758012", "05754044"
HALLE, SHS, PADERBORN, DELBRUECK = "05754012", "05754036", "05774032", "05774020"
BIELEFELD_REGION = frozenset({BIELEFELD, GUETERSLOH, HERFORD, VERL, HALLE, SHS})
PADERBORN_REGION = frozenset({PADERBORN, DELBRUECK})

PLACES = PlaceNames(
    municipalities={
        "bielefeld": BIELEFELD,
        "guetersloh": GUETERSLOH,
        "herford": HERFORD,
        "verl": VERL,
        "halle westf": HALLE,
        "halle": HALLE,
        "schloss holte stukenbrock": SHS,
        "paderborn": PADERBORN,
        "delbrueck": DELBRUECK,
        "ohne": "03461007",  # a real municipality in Lower Saxony, and a German preposition
    },
    kreise={"guetersloh": "05754", "herford": "05758", "lippe": "05766", "paderborn": "05774"},
    regions={
        "regiopolregion bielefeld": BIELEFELD_REGION,
        "regiopolregion": BIELEFELD_REGION,
        "regiopolregion paderborn": PADERBORN_REGION,
    },
    home_region=BIELEFELD_REGION,
)


def parse(text: str) -> tuple[str, Constraints, str]:
    question = parse_question(text, PLACES)
    return question.topic, question.constraints, question.lang


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Wer hat schon eine Starkregengefahrenkarte erstellt?", "Starkregengefahrenkarte"),
        ("Wer hat Erfahrung mit Carsharing?", "Carsharing"),
        ("Welche Kommunen haben schon Erfahrungen mit Mobilstationen gemacht?", "Mobilstationen"),
        ("Gibt es Kommunen, die schon ein Mobilitätskonzept haben?", "Mobilitätskonzept"),
        ("Wer kennt sich mit dem Onlinezugangsgesetz aus?", "Onlinezugangsgesetz"),
        ("Wer kann etwas zu Ökoprofit erzählen?", "Ökoprofit"),
        ("Who has experience with heat action plans?", "heat action plans"),
        ("Which municipalities have implemented open data?", "open data"),
        ("Is there anyone with experience in citizen buses?", "citizen buses"),
        ("Bürgerbus", "Bürgerbus"),
    ],
)
def test_question_frames_are_stripped(text: str, topic: str) -> None:
    assert parse(text)[0] == topic


def test_kreis_constraint_in_german() -> None:
    topic, constraints, lang = parse(
        "Welche Kommunen im Kreis Gütersloh haben Erfahrung mit Starkregengefahrenkarten?"
    )
    assert topic == "Starkregengefahrenkarten"
    assert constraints == Constraints(kreise=frozenset({"05754"}))
    assert lang == "de"


@pytest.mark.parametrize(
    "text",
    [
        "Who has experience with heavy rain maps in the Gütersloh district?",
        "Who has experience with heavy rain maps in Gütersloh district?",
        "Which towns in the district of Gütersloh have heavy rain maps?",
    ],
)
def test_kreis_constraint_in_english(text: str) -> None:
    topic, constraints, lang = parse(text)
    assert constraints.kreise == {"05754"}
    assert not constraints.municipalities
    assert "Gütersloh" not in topic
    assert lang == "en"


def test_town_name_alone_means_the_municipality() -> None:
    topic, constraints, _ = parse("Wer in Paderborn hat Erfahrung mit Carsharing?")
    assert constraints.municipalities == {PADERBORN}
    assert not constraints.kreise
    assert topic == "Carsharing"
    assert parse("Wer im Kreis Paderborn hat ein Dorfauto?")[1].kreise == {"05774"}


@pytest.mark.parametrize(
    ("text", "excluded"),
    [
        ("Wer hat außer Bielefeld schon ein Dorfauto?", {BIELEFELD}),
        ("Wer außer in Bielefeld hat schon ein Dorfauto?", {BIELEFELD}),
        ("Wer hat Erfahrung mit Bauleitplanung ohne Bielefeld und Herford?", {BIELEFELD, HERFORD}),
        ("Wer hat Bürgerbusse, außer Bielefeld, Herford und Verl?", {BIELEFELD, HERFORD, VERL}),
        ("Which municipalities except Bielefeld have implemented open data?", {BIELEFELD}),
        ("open data portals other than Gütersloh", {GUETERSLOH}),
    ],
)
def test_exclusions(text: str, excluded: set[str]) -> None:
    topic, constraints, _ = parse(text)
    assert constraints.exclude_municipalities == excluded
    assert not constraints.municipalities
    assert "Bielefeld" not in topic


@pytest.mark.parametrize(
    ("text", "members"),
    [
        (
            "Welche Kommunen in unserer Regiopolregion haben einen Hitzeaktionsplan?",
            BIELEFELD_REGION,
        ),
        ("Wer in der Regiopolregion hat Erfahrung mit Sturzfluten?", BIELEFELD_REGION),
        ("Wer in unserer Region hat schon ein Dorfauto?", BIELEFELD_REGION),
        ("Which towns in our region are building mobility hubs?", BIELEFELD_REGION),
        ("Wärmeplanung in der regiopolREGION Paderborn", PADERBORN_REGION),
        ("Wärmeplanung in der Regiopolregion Bielefeld", BIELEFELD_REGION),
    ],
)
def test_region_constraints(text: str, members: frozenset[str]) -> None:
    topic, constraints, _ = parse(text)
    assert constraints.municipalities == members
    assert "egion" not in topic


def test_multiword_and_parenthesised_names() -> None:
    _, constraints, _ = parse("Radverkehr in Halle (Westf.) oder Schloß Holte-Stukenbrock")
    assert constraints.municipalities == {HALLE, SHS}
    assert parse("Radverkehr in Schloss Holte Stukenbrock")[1].municipalities == {SHS}


def test_a_preposition_before_a_non_place_is_left_alone() -> None:
    topic, constraints, _ = parse("Wer hat Erfahrung in der Bauleitplanung?")
    assert constraints.is_empty
    assert topic == "Bauleitplanung"
    topic, constraints, _ = parse("Wer hat Bürgerbusse ohne Fahrplan?")
    assert constraints.is_empty
    assert "ohne Fahrplan" in topic


def test_years() -> None:
    assert parse("Wärmeplanung seit 2023")[1] == Constraints(year_from=2023)
    assert parse("Wärmeplanung in 2024")[1] == Constraints(year_from=2024, year_to=2024)
    assert parse("Carsharing before 2020")[1] == Constraints(year_to=2019)


def test_constraints_allow() -> None:
    kreis = Constraints(kreise=frozenset({"05754"}), exclude_municipalities=frozenset({VERL}))
    assert kreis.allows(GUETERSLOH)
    assert not kreis.allows(VERL)
    assert not kreis.allows(HERFORD)
    region = Constraints(municipalities=BIELEFELD_REGION)
    assert region.allows(HERFORD)
    assert not region.allows(DELBRUECK)
    assert Constraints().allows(DELBRUECK)


def test_normalise_folds_names() -> None:
    assert normalise("Schloß Holte-Stukenbrock") == "schloss holte stukenbrock"
    assert normalise("Halle (Westf.)") == "halle westf"
    assert normalise("Gütersloh") == normalise("Guetersloh")


def test_strip_frame_keeps_plain_search_words() -> None:
    assert strip_frame("Starkregen Gefahrenkarte Verl") == "Starkregen Gefahrenkarte Verl"


@given(st.text(max_size=120))
def test_parser_never_fails_and_keeps_a_topic(text: str) -> None:
    question = parse_question(text, PLACES)
    if any(ch.isalnum() for ch in text):
        assert question.topic
    assert question.lang in {"de", "en"}
