"""German address lines ("Heinz Nixdorf MuseumsForum, Fürstenallee 7, 33102 Paderborn")."""

import re

from ingest.structure._lines import collapse
from ingest.structure.records import Place, TextItem

_POSTAL = re.compile(r"(?<!\d)(?P<code>\d{5})\s+(?P<city>[A-ZÄÖÜ][\w.\- ()/]*)")
_STREET_WORD = re.compile(
    r"(?:straße|strasse|str\.|weg|platz|allee|ring|gasse|damm|ufer|markt|wall)\s*\d", re.I
)
_HOUSE_NUMBER = re.compile(r"\s\d{1,4}\s*[a-zA-Z]?(?:\s*[-–]\s*\d{1,4}[a-z]?)?$")


def parse_place(value: TextItem) -> Place:
    """Split an address into place name, street, postal code and city; never guesses a city
    from a single word, as "Ort: Rathaus" names a building."""
    parts = [collapse(part).strip(" .;") for part in value.text.split(",")]
    parts = [part for part in parts if part]
    name = street = code = city = None
    for index, part in enumerate(parts):
        postal = _POSTAL.search(part)
        if postal is not None and code is None:
            code, city = postal["code"], postal["city"].strip()
        elif street is None and _is_street(part, first=index == 0):
            street = part
        elif name is None and index == 0:
            name = part
    if city is None and len(parts) >= 2 and street is None and _single_word(parts[-1]):
        city = parts[-1]
    return Place(
        value.text, value.start, value.end, name=name, street=street, postal_code=code, city=city
    )


def _single_word(part: str) -> bool:
    return len(part.split()) <= 2 and part[:1].isupper()


def _is_street(part: str, *, first: bool) -> bool:
    if _STREET_WORD.search(part):
        return True
    return not first and _HOUSE_NUMBER.search(part) is not None
