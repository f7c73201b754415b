"""Hand-written reference data: regions, network, bodies, administrations, organisations."""

import re

import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, SKOS

import ontology
from ontology import ORG, WN, WNID

SCHEMA = Namespace("https://schema.org/")
REGION_BIELEFELD = WNID["region/regiopolregion-bielefeld"]
REGION_PADERBORN = WNID["region/regiopolregion-paderborn"]
NETWORK = WNID["network/deutsches-regiopole-netzwerk"]
PARTNERS = {
    "05711000", "05754008", "05758012", "05766008", "05754036", "05754044", "05754012",
    "05754040", "05758008", "05766056", "05766048", "05758032", "05754052",
}  # fmt: skip
FOUNDERS = {"05711000", "16051000", "05774032", "13003000", "05970040", "07211000"}
LATER = {"07111000", "09663000"}
IRI_SHAPE = re.compile(
    r"^https://w3id\.org/wissensnetz/id/"
    r"(municipality/\d{8}|(region|network|organisation|body|person|membership)/[a-z0-9-]+)$"
)


@pytest.fixture(scope="module")
def ref() -> Graph:
    return Graph().parse(ontology.reference_file())


def _municipality(ags: str) -> URIRef:
    return WNID[f"municipality/{ags}"]


def _ags(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1]


def _german_label(graph: Graph, node: URIRef) -> str:
    labels = [lab for lab in graph.objects(node, RDFS.label) if isinstance(lab, Literal)]
    german = [str(lab) for lab in labels if lab.language == "de"]
    assert german, f"{node} has no German rdfs:label"
    return german[0]


def test_reference_conforms_to_shapes(ref: Graph) -> None:
    shapes = Graph().parse(ontology.shapes_file())
    conforms, _, text = validate(ref, shacl_graph=shapes)
    assert conforms, text


def test_iris_are_readable_and_in_the_id_namespace(ref: Graph) -> None:
    nodes = {n for triple in ref for n in triple if isinstance(n, URIRef)}
    for node in (n for n in nodes if str(n).startswith(str(WNID))):
        assert IRI_SHAPE.match(str(node)), node


def test_every_referenced_municipality_exists(ref: Graph) -> None:
    known = ontology.municipalities_by_ags()
    referenced = {n for n in ref.all_nodes() if str(n).startswith(str(WNID["municipality/"]))}
    assert referenced
    for node in referenced:
        assert _ags(node) in known, node
        assert (node, None, None) not in ref, "municipality triples are generated elsewhere"


def test_regiopolregion_bielefeld_has_the_13_partners(ref: Graph) -> None:
    assert (REGION_BIELEFELD, RDF.type, WN.Region) in ref
    members = {_ags(m) for m in ref.objects(REGION_BIELEFELD, ORG.hasMember)}
    assert members == PARTNERS


def test_regiopolregion_paderborn(ref: Graph) -> None:
    assert (REGION_PADERBORN, RDF.type, WN.Region) in ref
    members = {_ags(m) for m in ref.objects(REGION_PADERBORN, ORG.hasMember)}
    kreis_paderborn = {r.ags for r in ontology.municipalities() if r.kreis_key == "05774"}
    assert "05774032" in members
    assert members <= kreis_paderborn
    assert "UNCERTAIN" in str(ref.value(REGION_PADERBORN, RDFS.comment))
    verein = WNID["organisation/regiopolregion-paderborn-ev"]
    assert (verein, RDF.type, ORG.FormalOrganization) in ref
    assert (verein, RDF.type, ORG.Organization) in ref


def test_network_founders_and_later_members(ref: Graph) -> None:
    assert (NETWORK, RDF.type, WN.Network) in ref
    members = {_ags(m) for m in ref.objects(NETWORK, ORG.hasMember)}
    founders = {_ags(m) for m in ref.objects(NETWORK, WN.foundingMember)}
    assert founders == FOUNDERS
    assert members == FOUNDERS | LATER
    for ags in members:
        memberships = [
            m
            for m in ref.subjects(ORG.member, _municipality(ags))
            if (m, ORG.organization, NETWORK) in ref
        ]
        assert len(memberships) == 1, ags
        start = ref.value(memberships[0], SCHEMA.startDate)
        if ags in FOUNDERS:
            assert start == Literal("2016-03-16", datatype=XSD.date)
        else:
            assert start is None


@pytest.mark.parametrize(
    "slug",
    [
        "steuerungskreis-regiopolregion-bielefeld",
        "ag-regiopolregion-bielefeld",
        "geschaeftsstelle-regiopolregion-bielefeld",
        "fachgruppe-mobilitaet-regiopolregion-bielefeld",
        "projektgruppe-buechereien-regiopolregion-bielefeld",
        "projektgruppe-museen-regiopolregion-bielefeld",
        "projektgruppe-kulturverantwortliche-regiopolregion-bielefeld",
        "projektgruppe-oekoprofit-regiopolregion-bielefeld",
        "regiopol-akademie",
    ],
)
def test_bodies_of_the_regiopolregion(ref: Graph, slug: str) -> None:
    body = WNID[f"body/{slug}"]
    assert (body, RDF.type, WN.Body) in ref
    assert (body, ORG.unitOf, REGION_BIELEFELD) in ref
    assert len(str(ref.value(body, RDFS.comment) or "")) > 40


def test_every_body_is_a_unit_of_something(ref: Graph) -> None:
    for body in ref.subjects(RDF.type, WN.Body):
        assert ref.value(body, ORG.unitOf) is not None, body
        _german_label(ref, body)


def test_akademie_partners_with_paderborn(ref: Graph) -> None:
    akademie = WNID["body/regiopol-akademie"]
    assert (akademie, WN.partner, REGION_PADERBORN) in ref
    comment = str(ref.value(akademie, RDFS.comment))
    assert "60 minutes" in comment
    assert "Six to eight" in comment


def test_administrations(ref: Graph) -> None:
    administered = {_ags(m): org for org, m in ref.subject_objects(WN.administers)}
    assert set(administered) == PARTNERS | {"05774032"}
    for ags, org in administered.items():
        assert (org, RDF.type, ORG.Organization) in ref
        assert str(org).startswith(str(WNID["organisation/stadt-"])) or str(org).startswith(
            str(WNID["organisation/gemeinde-"])
        )
        short_name = ontology.municipalities_by_ags()[ags].short_name
        assert short_name in _german_label(ref, org)


@pytest.mark.parametrize(
    "label",
    [
        "KGSt",
        "NRW.Energy4Climate",
        "Zukunftsnetz Mobilität NRW",
        "OstWestfalenLippe GmbH",
        "scheuvens + wachten plus",
        "Universität Paderborn",
        "TecUP",
        "Nahverkehrsverbund Paderborn/Höxter",
        "Bezirksregierung Detmold",
        "regiopolREGION PADERBORN e.V.",
    ],
)
def test_known_organisation(ref: Graph, label: str) -> None:
    matches = list(ref.subjects(RDFS.label, Literal(label, lang="de")))
    assert len(matches) == 1
    assert (matches[0], RDF.type, ORG.Organization) in ref


def test_every_organisation_and_collaboration_is_labelled(ref: Graph) -> None:
    for cls in (ORG.Organization, WN.Region, WN.Network):
        for node in ref.subjects(RDF.type, cls):
            assert isinstance(node, URIRef)
            _german_label(ref, node)


def test_alt_labels_are_german(ref: Graph) -> None:
    for label in ref.objects(None, SKOS.altLabel):
        assert isinstance(label, Literal)
        assert label.language == "de"


def test_clausen_is_oberbuergermeister_with_the_minted_iri(ref: Graph) -> None:
    from graph.iris import person_iri

    clausen = person_iri("Pit Clausen", "Stadt Bielefeld")
    assert ref.value(clausen, FOAF.name) == Literal("Pit Clausen")
    memberships = list(ref.subjects(ORG.member, clausen))
    assert len(memberships) == 1
    assert ref.value(memberships[0], ORG.organization) == WNID["organisation/stadt-bielefeld"]
    assert str(ref.value(memberships[0], WN.roleLabel)) == "Oberbürgermeister"
    assert set(ref.subjects(RDF.type, FOAF.Person)) == {clausen}
