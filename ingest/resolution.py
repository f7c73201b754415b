"""Entity resolution: one person per real person, within a document and across documents.

Within a document "Herr Dreier" and "Dreier" are the "Michael Dreier" named in full, and
"Prof. Rudolf Scheuvens" is "Rudolf Scheuvens". Across documents a person is keyed by
normalised full name plus normalised main affiliation; a mention without affiliation joins
the one known person of that name. Users correct the rules with an alias file (YAML):

    # merge: spellings that name one person (or organisation); an optional affiliation
    #        becomes the person's main affiliation.
    # split: names shared by different people; an unaffiliated mention of such a name is never
    #        merged into a known person, and affiliations always keep namesakes apart.
    merge:
      - canonical: Michael Dreier
        aliases: [M. Dreier, Michael Dreyer]
        affiliation: Stadt Paderborn          # optional
      - canonical: OstWestfalenLippe GmbH
        kind: organisation                    # person (default) or organisation
        aliases: [OWL GmbH]
    split:
      - name: Thomas Müller
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.iris import normalise_name
from ingest.errors import IngestError
from ingest.persons import PersonRecord
from ingest.roles import Affiliation, Role

_ALIAS_HINT = "see the format in the header of ingest/resolution.py"


@dataclass(frozen=True)
class AliasTable:
    """Hand-made merge and split rules (see the module docstring for the YAML format)."""

    persons: Mapping[str, str] = field(default_factory=dict)  # normalised alias -> canonical
    organisations: Mapping[str, str] = field(default_factory=dict)
    affiliations: Mapping[str, str] = field(default_factory=dict)  # normalised canonical -> org
    split: frozenset[str] = frozenset()  # normalised names of namesakes

    def person(self, name: str) -> str:
        """Canonical spelling of a person's name."""
        return self.persons.get(normalise_name(name), name)

    def organisation(self, name: str) -> str:
        """Canonical spelling of an organisation's name."""
        return self.organisations.get(normalise_name(name), name)


def load_aliases(path: Path) -> AliasTable:
    """Read an alias file.

    Raises:
        IngestError: if the file is not valid YAML or an entry lacks a canonical name.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise IngestError(path, f"cannot read alias file ({error})", _ALIAS_HINT) from error
    if not isinstance(raw, dict):
        raise IngestError(path, "alias file must be a mapping with merge/split", _ALIAS_HINT)
    persons: dict[str, str] = {}
    organisations: dict[str, str] = {}
    affiliations: dict[str, str] = {}
    for entry in raw.get("merge") or ():
        canonical = _canonical(path, entry)
        table = organisations if entry.get("kind") == "organisation" else persons
        for alias in (canonical, *(entry.get("aliases") or ())):
            table[normalise_name(str(alias))] = canonical
        if entry.get("affiliation"):
            affiliations[normalise_name(canonical)] = str(entry["affiliation"])
    split = frozenset(normalise_name(str(e.get("name", ""))) for e in raw.get("split") or ())
    return AliasTable(persons, organisations, affiliations, split - {""})


def _canonical(path: Path, entry: Any) -> str:
    if not isinstance(entry, dict) or not str(entry.get("canonical", "")).strip():
        raise IngestError(path, f"merge entry without 'canonical': {entry!r}", _ALIAS_HINT)
    return str(entry["canonical"]).strip()


def affiliation_key(affiliation: Affiliation | None) -> str:
    """Key of an affiliation: the AGS for a town's administration, else the normalised name."""
    if affiliation is None:
        return ""
    return f"ags:{affiliation.municipality}" if affiliation.municipality else affiliation.key


def person_key(name: str, affiliation: Affiliation | None) -> str:
    """Stable cross-document key: normalised full name plus normalised main affiliation."""
    return f"{normalise_name(name)}|{affiliation_key(affiliation)}"


@dataclass(frozen=True)
class ResolvedPerson:
    """One person of a document with everything its mentions said about them."""

    name: str
    surname: str
    given_names: tuple[str, ...]
    titles: tuple[str, ...]
    roles: tuple[Role, ...]
    affiliations: tuple[Affiliation, ...]
    records: tuple[PersonRecord, ...]

    @property
    def main_affiliation(self) -> Affiliation | None:
        """The affiliation named first in the document."""
        return self.affiliations[0] if self.affiliations else None

    @property
    def key(self) -> str:
        """Document-level key (see :func:`person_key`)."""
        return person_key(self.name, self.main_affiliation)

    @property
    def affiliation_keys(self) -> frozenset[str]:
        """Keys of all affiliations, for matching across documents."""
        return frozenset(affiliation_key(a) for a in self.affiliations)


def resolve_in_document(
    records: Sequence[PersonRecord], aliases: AliasTable | None = None
) -> list[ResolvedPerson]:
    """Merge a document's person records: full names by name, surnames into the one full name."""
    aliases = aliases or AliasTable()
    clusters: dict[str, list[PersonRecord]] = {}
    surnames_only: list[PersonRecord] = []
    for record in records:
        if record.given_names or normalise_name(record.name) in aliases.persons:
            clusters.setdefault(normalise_name(aliases.person(record.name)), []).append(record)
        else:
            surnames_only.append(record)
    for record in surnames_only:
        target = _cluster_for_surname(clusters, record)
        clusters.setdefault(target or normalise_name(record.name), []).append(record)
    return [_merge(group, aliases) for group in clusters.values()]


def _cluster_for_surname(
    clusters: Mapping[str, list[PersonRecord]], record: PersonRecord
) -> str | None:
    surname = normalise_name(record.surname)
    candidates = [
        key
        for key, group in clusters.items()
        if any(normalise_name(r.surname) == surname and r.given_names for r in group)
    ]
    if len(candidates) == 1:
        return candidates[0]
    own = {affiliation_key(a) for a in record.affiliations}
    overlapping = [
        key
        for key in candidates
        if own & {affiliation_key(a) for r in clusters[key] for a in r.affiliations}
    ]
    return overlapping[0] if len(overlapping) == 1 else None


def _merge(group: Sequence[PersonRecord], aliases: AliasTable) -> ResolvedPerson:
    full = max(group, key=lambda r: (len(r.given_names), -r.start))
    name = aliases.person(full.name)
    affiliations = _unique(a for r in sorted(group, key=lambda r: r.start) for a in r.affiliations)
    preferred = aliases.affiliations.get(normalise_name(name))
    if preferred:
        main = Affiliation(preferred, preferred, normalise_name(preferred), None, 1.0)
        affiliations = [main, *(a for a in affiliations if a.key != main.key)]
    roles = {(r.label, affiliation_key(r.affiliation)): r for rec in group for r in rec.roles}
    titles = dict.fromkeys(t for r in group for t in r.titles)
    return ResolvedPerson(
        name=name,
        surname=full.surname,
        given_names=full.given_names,
        titles=tuple(titles),
        roles=tuple(roles.values()),
        affiliations=tuple(affiliations),
        records=tuple(group),
    )


def _unique(affiliations: Iterable[Affiliation]) -> list[Affiliation]:
    seen: dict[str, Affiliation] = {}
    for affiliation in affiliations:
        seen.setdefault(affiliation_key(affiliation), affiliation)
    return list(seen.values())


class PersonRegistry:
    """Cross-document identities: feed documents in a fixed order for stable keys."""

    def __init__(self, aliases: AliasTable | None = None) -> None:
        """Start empty; ``aliases`` adds the user's merge/split rules."""
        self._aliases = aliases or AliasTable()
        self._known: dict[str, list[tuple[str, set[str]]]] = {}  # name -> [(key, affiliations)]

    def resolve(self, person: ResolvedPerson) -> str:
        """The stable key of ``person``, registering it if new."""
        name = normalise_name(self._aliases.person(person.name))
        known = self._known.setdefault(name, [])
        own = set(person.affiliation_keys)
        namesakes = name in self._aliases.split
        for key, affiliations in known:
            if own & affiliations:
                affiliations |= own
                return key
        if not own and len(known) == 1 and not namesakes:
            return known[0][0]
        if own and not namesakes:
            for key, affiliations in known:
                if not affiliations:
                    affiliations |= own
                    return key
        key = person_key(self._aliases.person(person.name), person.main_affiliation)
        known.append((key, own))
        return key
