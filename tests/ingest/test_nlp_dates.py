"""German dates and times."""

from datetime import date

from ingest.dates import find_dates, find_times

REFERENCE = date(2019, 12, 18)


def isos(text: str, reference: date | None = REFERENCE) -> list[str]:
    return [d.iso for d in find_dates(text, reference)]


def test_seed_forms() -> None:
    text = "Datum: Mittwoch, 18. Dezember 2019 und PROTOKOLL AM 18. DEZEMBER 2019"
    found = find_dates(text, REFERENCE)
    assert [d.iso for d in found] == ["2019-12-18", "2019-12-18"]
    assert found[0].text == "Mittwoch, 18. Dezember 2019"
    assert text[found[0].start : found[0].end] == found[0].text


def test_numeric_and_iso_forms() -> None:
    assert isos("am 25.10.2023, am 19.09.23 und 2023-10-25") == [
        "2023-10-25",
        "2023-09-19",
        "2023-10-25",
    ]


def test_yearless_date_takes_the_closest_year() -> None:
    found = find_dates("Bis zur 2. Werkstatt (29. April) soll es weitergehen.", REFERENCE)
    assert [(d.iso, d.year_inferred) for d in found] == [("2020-04-29", True)]
    assert isos("am 29. April", None) == []


def test_month_spellings_and_abbreviations() -> None:
    assert isos("am 3. März 2021, 4. Maerz 2021, 5. Jan. 2020 und 6. Sept. 2020") == [
        "2021-03-03",
        "2021-03-04",
        "2020-01-05",
        "2020-09-06",
    ]
    month = find_dates("Stand: Oktober 2023")[0]
    assert (month.iso, month.precision) == ("2023-10", "month")


def test_no_false_dates() -> None:
    assert isos("rund 2.000 Einwohner, DS-Nr. 1045/2014-2020, am 31.02.2020, Version 1.2") == []


def test_times() -> None:
    found = find_times("Beginn: 10:00 Uhr, 9.30 Uhr Zusammenkommen, Ende 15 Uhr")
    assert [t.value for t in found] == ["10:00", "09:30", "15:00"]
