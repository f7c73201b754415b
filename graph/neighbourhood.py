"""The neighbourhood of an entity as a picture: a small graph laid out server-side as SVG.

The nodes come from an :class:`~graph.entity_page.EntityPage` (contacts, memberships, facts,
events, projects, experiences, related actors); networkx places them with a seeded spring
layout around the fixed centre, so the same page always gets the same picture. Every node
with a page is an ``<a>`` link, which keeps the SVG keyboard-accessible; no script or CDN.
"""

import re
from collections.abc import Callable, Iterable
from html import escape

import networkx as nx

from graph.entity_page import EXPERIENCE_LABELS, Edge, EntityPage, Neighbourhood, Node, Ref
from ontology.namespaces import ID_IRI, TOPIC_IRI

__all__ = ["neighbourhood", "render_svg"]

MAX_NODES = 24
EDGE_LABEL_LIMIT = 14
NODE_HEIGHT = 28
_COLOURS = {
    "person": "#fde2c8",
    "organisation": "#d6e6fb",
    "municipality": "#d3f0d9",
    "topic": "#f5d9f2",
    "project": "#fff2b3",
    "event": "#e2dcfa",
    "document": "#e9ecef",
}
_OTHER = "#f1f3f5"
_OWN = (ID_IRI, TOPIC_IRI)  # external IRIs (geocoding URIs, schemes) stay out of the picture


def _candidates(page: EntityPage) -> Iterable[tuple[Ref, str]]:
    """Neighbours in order of importance, each with the relation to the centre."""
    for link in page.contacts:
        if link.target:
            yield link.target, link.relation
    for membership in page.memberships:
        other = membership.organisation if page.kind == "person" else membership.person
        yield other, membership.role or "Mitglied"
    for link in (*page.facts, *page.events, *page.projects):
        if link.target:
            yield link.target, link.relation
    for experience in page.experiences:
        label = EXPERIENCE_LABELS.get(experience.kind, experience.kind)
        if page.kind == "topic":
            yield experience.agent, label
        else:
            for topic in experience.topics:
                yield topic, label
    for link in page.related:
        if link.target:
            yield link.target, link.relation
    for document in page.documents[:4]:
        yield Ref.of(document["iri"], document.get("title") or document["id"]), "Dokument"


def neighbourhood(page: EntityPage, max_nodes: int = MAX_NODES) -> Neighbourhood:
    """At most ``max_nodes`` neighbours of the page's entity (pages first, then others)."""
    centre = page.ref
    hood = Neighbourhood([Node(centre.iri, centre.label, centre.kind, centre.key, True)])
    seen = {centre.iri}
    edges: dict[str, list[str]] = {}
    for ref, relation in _candidates(page):
        if not ref.iri.startswith(_OWN) or (ref.iri in seen and ref.iri not in edges):
            continue
        if ref.iri not in seen:
            if len(seen) > max_nodes or (ref.kind is None and len(seen) > max_nodes // 2):
                continue
            seen.add(ref.iri)
            # "Kreis: Gütersloh" next to the town Gütersloh, not a second "Gütersloh"
            label = f"{relation}: {ref.label}" if ref.label == centre.label else ref.label
            hood.nodes.append(Node(ref.iri, label, ref.kind, ref.key))
        labels = edges.setdefault(ref.iri, [])
        if relation not in labels:
            labels.append(relation)
    hood.edges = [Edge(centre.iri, iri, ", ".join(labels[:2])) for iri, labels in edges.items()]
    return hood


def _box(node: Node) -> float:
    """Width of a node's pill, from its (shortened) label."""
    label = _short(node.label, 34 if node.centre else 28)
    return max(60.0, (7.6 if node.centre else 7.0) * len(label) + 20)


def _layout(hood: Neighbourhood, width: int, height: int) -> dict[str, tuple[float, float]]:
    """Seeded spring layout around the fixed centre, scaled to the canvas, overlaps removed."""
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(n.iri for n in hood.nodes)
    graph.add_edges_from((e.source, e.target) for e in hood.edges)
    centre = hood.nodes[0].iri
    if len(hood.nodes) == 1:
        return {centre: (width / 2, height / 2)}
    raw = nx.spring_layout(graph, pos={centre: (0.0, 0.0)}, fixed=[centre], seed=7, k=0.9)
    span_x = max(abs(float(p[0])) for p in raw.values()) or 1.0
    span_y = max(abs(float(p[1])) for p in raw.values()) or 1.0
    half_w, half_h = width / 2 - 110, height / 2 - 40
    pos = {
        iri: [float(p[0]) / span_x * half_w, float(p[1]) / span_y * half_h]
        for iri, p in raw.items()
    }
    _separate(pos, {n.iri: _box(n) for n in hood.nodes}, centre)
    return {iri: (x, y) for iri, (x, y) in pos.items()}


def _separate(
    pos: dict[str, list[float]], widths: dict[str, float], centre: str, rounds: int = 60
) -> None:
    """Push overlapping pills apart (vertically first: labels are wide and low)."""
    keys = sorted(pos)
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                dx = pos[b][0] - pos[a][0]
                dy = pos[b][1] - pos[a][1]
                overlap_x = (widths[a] + widths[b]) / 2 + 8 - abs(dx)
                overlap_y = NODE_HEIGHT + 8 - abs(dy)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                moved = True
                axis, amount = (1, overlap_y) if overlap_y <= overlap_x * 1.5 else (0, overlap_x)
                direction = 1.0 if (dy if axis else dx) >= 0 else -1.0
                share = {a: -0.5 * direction, b: 0.5 * direction}
                if centre in share:  # the centre stays put; the other node moves all the way
                    share = {k: (0.0 if k == centre else 2 * v) for k, v in share.items()}
                for key, factor in share.items():
                    pos[key][axis] += factor * amount
        if not moved:
            return


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(text: str) -> str:
    """Escaped text without the characters XML forbids (labels come from documents)."""
    return escape(_XML_ILLEGAL.sub("\ufffd", text))


def _short(text: str, size: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def render_svg(
    hood: Neighbourhood,
    href: Callable[[Node], str | None],
    *,
    title: str,
    width: int = 760,
    height: int | None = None,
) -> str:
    """The neighbourhood as an inline SVG; ``href`` gives each node's link (or None).

    Without ``height`` the picture is lower for few nodes, so a small graph stays compact.
    """
    height = height or (300 if len(hood.nodes) <= 7 else 440)
    pos = _layout(hood, width, height)
    left = min(x - _box(n) / 2 for n in hood.nodes for x in [pos[n.iri][0]]) - 12
    right = max(x + _box(n) / 2 for n in hood.nodes for x in [pos[n.iri][0]]) + 12
    top = min(y for _, y in pos.values()) - NODE_HEIGHT
    bottom = max(y for _, y in pos.values()) + NODE_HEIGHT
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{left:.0f} {top:.0f} {right - left:.0f} {bottom - top:.0f}" '
        f'class="graph" role="img" aria-labelledby="graph-title">',
        f'<title id="graph-title">{_text(title)}</title>',
    ]
    show_labels = len(hood.nodes) <= EDGE_LABEL_LIMIT
    for edge in hood.edges:
        (x1, y1), (x2, y2) = pos[edge.source], pos[edge.target]
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="edge">'
            f"<title>{_text(edge.label)}</title></line>"
        )
        if show_labels and edge.label:
            out.append(
                f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 4:.1f}" class="edge-label">'
                f"{_text(_short(edge.label, 22))}</text>"
            )
    for node in sorted(hood.nodes, key=lambda n: n.centre):
        out.append(_node_svg(node, pos[node.iri], href(node)))
    out.append("</svg>")
    return "\n".join(out)


def _node_svg(node: Node, at: tuple[float, float], link: str | None) -> str:
    x, y = at
    label = _short(node.label, 34 if node.centre else 28)
    box = _box(node)
    fill = _COLOURS.get(node.kind or "", _OTHER)
    css = "node centre" if node.centre else f"node kind-{node.kind or 'other'}"
    shape = (
        f'<rect x="{x - box / 2:.1f}" y="{y - NODE_HEIGHT / 2:.1f}" width="{box:.1f}" '
        f'height="{NODE_HEIGHT}" rx="14" fill="{fill}"/>'
        f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{_text(label)}</text>'
    )
    if link is None or node.centre:
        return f'<g class="{css}"><title>{_text(node.label)}</title>{shape}</g>'
    return (
        f'<a href="{escape(link)}" class="{css}" aria-label="{_text(node.label)}">'
        f"<title>{_text(node.label)}</title>{shape}</a>"
    )
