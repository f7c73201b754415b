"""The eight documents of the retrieval tests, and the persons they name.

Each document is written as passages with their topics, mentions and experiences (agent, kind,
topic), so ``retrieval_kb.py`` can build both the triples the ingest pipeline would write and
the vector points of the passages. The documents are chosen so that ranking, filters, "who
did X" and the speaker finder each have a clear right answer.
"""

from dataclasses import dataclass, field

VERL, OERLINGHAUSEN, DELBRUECK = "05754044", "05766056", "05774020"
HERFORD, GUETERSLOH, BIELEFELD = "05758012", "05754008", "05711000"
ORGS = {
    VERL: "stadt-verl",
    OERLINGHAUSEN: "stadt-oerlinghausen",
    HERFORD: "stadt-herford",
    GUETERSLOH: "stadt-guetersloh",
    BIELEFELD: "stadt-bielefeld",
}


@dataclass
class P:
    text: str
    topics: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # AGS or person names
    experiences: tuple[tuple[str, str, str], ...] = ()  # (agent, kind, topic)


@dataclass
class Doc:
    id: str
    kind: str  # Protocol | ProjectDescription | EventDescription | Page
    title: str
    date: str
    passages: list[P]
    topics: tuple[str, ...] = ()
    project: tuple[str, str, str] | None = None  # (AGS, contact name, status)
    event: tuple[str, tuple[str, ...]] | None = None  # (start date, speaker names)
    pates: dict[str, str] = field(default_factory=dict)  # AGS -> person name


# Persons: name -> (AGS of the employing administration, role)
PERSONS = {
    "Annika Strothmann": (VERL, "Klimaschutzmanagerin"),
    "Tim Hagedorn": (VERL, "Mobilitätsmanager"),
    "Daniel Rottmann": (OERLINGHAUSEN, "Sachgebietsleiter Tiefbau"),
    "Matthias Schlüter": (DELBRUECK, "Abwasserbetrieb"),
    "Miriam Kowalski": (HERFORD, "Klimaanpassungsmanagerin"),
    "Elke Sundermann": (GUETERSLOH, "Leiterin Gesundheitsamt"),
    "Jan-Philipp Kuhlmann": (GUETERSLOH, "Energieplaner"),
    "Henrike Placke": (BIELEFELD, "regiopolPatin"),
}

DOCS = [
    Doc(
        "starkregen-verl",
        "ProjectDescription",
        "Starkregengefahrenkarte Verl",
        "2023-09-12",
        [
            P(
                "Die Stadt Verl hat 2023 eine Starkregengefahrenkarte für das gesamte Stadtgebiet "
                "fertiggestellt. Sie zeigt, wo bei heftigen Gewittern Straßen und Keller "
                "volllaufen können, und wird in der Bauleitplanung genutzt.",
                ("starkregen",),
                (VERL,),
                ((VERL, "Done", "starkregen"), ("Annika Strothmann", "Done", "starkregen")),
            ),
            P(
                "Ansprechpartnerin ist Dr. Annika Strothmann, Klimaschutzmanagerin der Stadt Verl.",
                (),
                (VERL, "Annika Strothmann"),
            ),
        ],
        ("starkregen",),
        project=(VERL, "Annika Strothmann", "completed"),
    ),
    Doc(
        "starkregen-oerlinghausen",
        "ProjectDescription",
        "Starkregenrisikomanagement am Hang – Oerlinghausen",
        "2025-04-10",
        [
            P(
                "Oerlinghausen liegt am Hang. Bei kurzen, heftigen Niederschlägen fließt Wasser "
                "aus dem Wald in die Altstadt. Die Stadt hat ein Handlungskonzept zur "
                "Überflutungsvorsorge erarbeitet und 2025 ein Rückhaltebecken gebaut.",
                ("starkregen",),
                (OERLINGHAUSEN,),
                ((OERLINGHAUSEN, "Done", "starkregen"), ("Daniel Rottmann", "Done", "starkregen")),
            ),
        ],
        ("starkregen",),
        project=(OERLINGHAUSEN, "Daniel Rottmann", "running"),
    ),
    Doc(
        "starkregen-delbrueck",
        "ProjectDescription",
        "Starkregenvorsorge im flachen Land – Delbrück",
        "2025-10-01",
        [
            P(
                "Die Stadt Delbrück plant eine Starkregengefahrenkarte für das flache "
                "Gemeindegebiet und will dabei die Erfahrungen aus Verl nutzen.",
                ("starkregen",),
                (DELBRUECK, VERL),
                ((DELBRUECK, "Planned", "starkregen"), (VERL, "Mentioned", "starkregen")),
            ),
        ],
        ("starkregen",),
        project=(DELBRUECK, "Matthias Schlüter", "planned"),
    ),
    Doc(
        "akademie-2024-04-starkregen",
        "EventDescription",
        "Regiopol Akademie: Starkregen – von der Gefahrenkarte zur Vorsorge",
        "2024-04-25",
        [
            P(
                "Dr. Annika Strothmann stellte den Weg von der Ratsentscheidung bis zur "
                "veröffentlichten Starkregenkarte in Verl vor.",
                ("starkregen",),
                (VERL, "Annika Strothmann"),
                (("Annika Strothmann", "Presented", "starkregen"),),
            ),
            P(
                "Daniel Rottmann berichtete, wie Oerlinghausen aus der Karte ein Handlungskonzept "
                "mit baulichen Maßnahmen gegen Sturzfluten ableitet.",
                ("starkregen",),
                (OERLINGHAUSEN, "Daniel Rottmann"),
                (("Daniel Rottmann", "Presented", "starkregen"),),
            ),
            P(
                "Tim Hagedorn aus Verl ergänzte, wie die Feuerwehr die Karte für Einsätze bei "
                "Unwettern nutzt.",
                ("starkregen",),
                (VERL, "Tim Hagedorn"),
                (("Tim Hagedorn", "Presented", "starkregen"),),
            ),
        ],
        ("starkregen",),
        event=("2024-04-25", ("Annika Strothmann", "Daniel Rottmann")),
    ),
    Doc(
        "hitzeaktionsplan-herford",
        "ProjectDescription",
        "Hitzeaktionsplan Herford",
        "2024-05-02",
        [
            P(
                "Die Hansestadt Herford hat 2024 einen Hitzeaktionsplan beschlossen: Warnketten "
                "an Pflegeheime und Kitas, Trinkwasserbrunnen und kühle Räume für ältere Menschen "
                "bei tagelanger Sommerhitze.",
                ("hitzeschutz",),
                (HERFORD,),
                ((HERFORD, "Done", "hitzeschutz"), ("Miriam Kowalski", "Done", "hitzeschutz")),
            ),
        ],
        ("hitzeschutz",),
        project=(HERFORD, "Miriam Kowalski", "completed"),
    ),
    Doc(
        "akademie-2026-09-hitze",
        "EventDescription",
        "Regiopol Akademie: Hitze in der Stadt",
        "2026-09-10",
        [
            P(
                "Dr. Miriam Kowalski stellte den Herforder Hitzeaktionsplan vor: Warnketten für "
                "Pflegeheime bei Hitzewellen und kühle Orte in der Innenstadt.",
                ("hitzeschutz",),
                (HERFORD, "Miriam Kowalski"),
                (("Miriam Kowalski", "Presented", "hitzeschutz"),),
            ),
        ],
        ("hitzeschutz",),
        event=("2026-09-10", ("Miriam Kowalski",)),
    ),
    Doc(
        "waermeplanung-guetersloh",
        "ProjectDescription",
        "Kommunale Wärmeplanung Gütersloh",
        "2025-02-01",
        [
            P(
                "Gütersloh hat die kommunale Wärmeplanung abgeschlossen: Gebiet für Gebiet ist "
                "festgelegt, wo Fernwärme ausgebaut wird und wo Wärmepumpen die Häuser heizen.",
                ("kommunale-waermeplanung",),
                (GUETERSLOH,),
                (
                    (GUETERSLOH, "Done", "kommunale-waermeplanung"),
                    ("Jan-Philipp Kuhlmann", "Done", "kommunale-waermeplanung"),
                ),
            ),
        ],
        ("kommunale-waermeplanung",),
        project=(GUETERSLOH, "Jan-Philipp Kuhlmann", "completed"),
    ),
    Doc(
        "fachgruppe-2025-06",
        "Protocol",
        "Protokoll der Fachgruppe Klimaanpassung, Juni 2025",
        "2025-06-17",
        [
            P(
                "Bielefeld fragt, welche Partner schon Erfahrungen mit Hitzeschutz für ältere "
                "Menschen haben; Herford verweist auf seinen Hitzeaktionsplan.",
                ("hitzeschutz",),
                (BIELEFELD, HERFORD),
                ((BIELEFELD, "Asked", "hitzeschutz"),),
            ),
            P(
                "Elke Sundermann vom Gütersloher Gesundheitsamt berichtete, wie Gütersloh seit "
                "2024 Pflegeheime mit einer Hitzewarnkette vor Hitzewellen warnt.",
                ("hitzeschutz",),
                (GUETERSLOH, "Elke Sundermann"),
                (
                    ("Elke Sundermann", "Presented", "hitzeschutz"),
                    (GUETERSLOH, "Done", "hitzeschutz"),
                ),
            ),
            P(
                "Die regiopolPatin Henrike Placke nimmt Anfragen aus Bielefeld entgegen.",
                (),
                (BIELEFELD, "Henrike Placke"),
            ),
        ],
        pates={BIELEFELD: "Henrike Placke"},
    ),
]
