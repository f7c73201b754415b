"""Document structure: kind detection and the protocol, project, event and page parsers.

``parse_structure`` never raises on odd input: a field it cannot find stays None or empty.
"""

from ingest.records import DocKind, NormalisedDocument
from ingest.structure.event import parse_event
from ingest.structure.kinds import classify, detect_kind
from ingest.structure.page import parse_page
from ingest.structure.project import parse_project
from ingest.structure.protocol import parse_protocol
from ingest.structure.records import (
    AgendaItem,
    Bullet,
    ContactPerson,
    DocumentStructure,
    EventStructure,
    Heading,
    KindDecision,
    Moderation,
    NextMeeting,
    OfferNeed,
    PageStructure,
    ParticipantCount,
    Period,
    PersonLine,
    Place,
    ProjectStructure,
    ProtocolSection,
    ProtocolStructure,
    Resolution,
    Speaker,
    TaskItem,
    TextItem,
    WorkingGroup,
)

__all__ = [
    "AgendaItem",
    "Bullet",
    "ContactPerson",
    "DocumentStructure",
    "EventStructure",
    "Heading",
    "KindDecision",
    "Moderation",
    "NextMeeting",
    "OfferNeed",
    "PageStructure",
    "ParticipantCount",
    "Period",
    "PersonLine",
    "Place",
    "ProjectStructure",
    "ProtocolSection",
    "ProtocolStructure",
    "Resolution",
    "Speaker",
    "TaskItem",
    "TextItem",
    "WorkingGroup",
    "classify",
    "detect_kind",
    "parse_event",
    "parse_page",
    "parse_project",
    "parse_protocol",
    "parse_structure",
]


def parse_structure(doc: NormalisedDocument, kind: DocKind) -> DocumentStructure:
    """Run the parser for ``kind`` (use ``detect_kind`` when the kind is not known)."""
    if kind == "protocol":
        return parse_protocol(doc)
    if kind == "project":
        return parse_project(doc)
    if kind == "event":
        return parse_event(doc)
    return parse_page(doc)
