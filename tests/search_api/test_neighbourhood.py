"""Pure logic of entity pages: IRI -> page keys, the neighbourhood picture, the SVG."""

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from graph.entity_page import EntityPage, Experience, Link, Membership, Ref, ref_of
from graph.neighbourhood import neighbourhood, render_svg
from ontology.namespaces import ID_IRI, TOPIC_IRI

SVG = "{http://www.w3.org/2000/svg}"


def test_ref_of() -> None:
    assert ref_of(f"{ID_IRI}municipality/05754008") == ("municipality", "05754008")
    assert ref_of(f"{ID_IRI}body/regiopol-akademie") == ("organisation", "regiopol-akademie")
    assert ref_of(f"{ID_IRI}region/x") == ("organisation", "x")
    assert ref_of(f"{ID_IRI}passage/doc-a/3") == ("document", "doc-a")
    assert ref_of(f"{TOPIC_IRI}radverkehr") == ("topic", "radverkehr")
    assert ref_of(f"{ID_IRI}kreis/05754") == (None, None)
    assert ref_of("http://example.org/x") == (None, None)
    assert ref_of(f"{ID_IRI}person/a b") == (None, None)


def page_with(count: int) -> EntityPage:
    centre = Ref.of(f"{ID_IRI}municipality/05754008", "Gütersloh <&>")
    page = EntityPage("municipality", "05754008", centre)
    page.contacts = [
        Link("regiopolPate", Ref.of(f"{ID_IRI}person/p-{i}", f"P {i}")) for i in range(count)
    ]
    page.memberships = [
        Membership(
            Ref.of(f"{ID_IRI}person/p-0", "P 0"),
            Ref.of(f"{ID_IRI}organisation/stadt", "Stadt"),
            "Leitung",
        )
    ]
    page.facts = [
        Link("Kreis", Ref.of(f"{ID_IRI}kreis/05754", "Gütersloh <&>")),
        Link("Geokodierung", Ref.of("http://dcat-ap.de/x/05754008", "05754008")),
    ]
    topic = Ref.of(f"{TOPIC_IRI}radverkehr", "Radverkehr")
    page.experiences = [Experience("e1", centre, "done", (topic,), 0.9, ())]
    return page


def test_neighbourhood_is_bounded_and_labelled() -> None:
    hood = neighbourhood(page_with(60), max_nodes=10)
    assert hood.nodes[0].centre
    assert len(hood.nodes) <= 11
    labels = {e.target: e.label for e in hood.edges}
    assert labels[f"{ID_IRI}person/p-0"] == "regiopolPate, Leitung"
    small = neighbourhood(page_with(2))
    names = {n.label for n in small.nodes}
    assert "Kreis: Gütersloh <&>" in names, "a node named like the centre says what it is"
    assert "05754008" not in names, "external IRIs stay out of the picture"
    assert "umgesetzt" in {e.label for e in small.edges}


def test_svg_is_well_formed_and_links_pages() -> None:
    hood = neighbourhood(page_with(5))
    svg = render_svg(hood, lambda n: f"/e/{n.kind}/{n.key}" if n.kind else None, title="T <x>")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "T <x>"
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert "/e/person/p-0" in links
    assert "/e/topic/radverkehr" in links
    assert all(link and link.startswith("/e/") for link in links)
    assert svg == render_svg(
        hood, lambda n: f"/e/{n.kind}/{n.key}" if n.kind else None, title="T <x>"
    ), "the seeded layout is deterministic"


@given(st.text(min_size=1, max_size=40))
def test_svg_escapes_any_label(label: str) -> None:
    page = EntityPage("person", "x", Ref.of(f"{ID_IRI}person/x", label))
    page.related = [Link(label, Ref.of(f"{ID_IRI}person/y", label))]
    ET.fromstring(render_svg(neighbourhood(page), lambda n: None, title=label))
