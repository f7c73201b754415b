"""The data graph as nested dicts, read by the compiled SHACL checks of ``graph.shape_rules``.

rdflib's store lookups cost ~10 µs each and even a plain ``for s, p, o in graph`` costs ~1 µs
a triple, which made indexing half of the validation time of an ingest document. rdflib's
``Memory`` store already keeps the indexes we need (``spo[s][p][o]`` and ``pos[p][o][s]``), so
when the graph is the only one in its store they are read in place; any other graph or store
is copied into dicts of the same layout.
"""

from collections.abc import Collection, Mapping

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

__all__ = ["DataIndex"]

# s -> p -> o -> 1 and p -> o -> s -> 1: the layout of rdflib's Memory store
_Index = Mapping[Node, Mapping[Node, Mapping[Node, int]]]
_NONE: tuple[Node, ...] = ()
_TYPE = str(RDF.type)
_SUBCLASS = str(RDFS.subClassOf)


def _memory_indexes(data: Graph) -> tuple[_Index, _Index] | None:
    """The store's own indexes if they hold exactly the triples of ``data``, else ``None``.

    Memory keeps one set of triples per context and one for the default context (every
    non-quoted triple). With no other context and both sets the same size, every triple in
    the store belongs to ``data``. The attributes are private: if rdflib renames them this
    returns ``None``, the graph is copied as for any other store, and a test notices.
    """
    store = data.store
    if type(data) is not Graph or type(store) is not Memory:
        return None
    by_context = getattr(store, "_Memory__contextTriples", None)
    spo = getattr(store, "_Memory__spo", None)
    pos = getattr(store, "_Memory__pos", None)
    to_key = getattr(store, "_Memory__ctx_to_str", None)
    if not isinstance(by_context, dict) or spo is None or pos is None or to_key is None:
        return None
    key = to_key(data)
    if not set(by_context) <= {None, key}:
        return None
    if len(by_context.get(key, ())) != len(by_context.get(None, ())):
        return None
    return spo, pos


def _copied_indexes(data: Graph) -> tuple[_Index, _Index]:
    spo: dict[Node, dict[Node, dict[Node, int]]] = {}
    pos: dict[Node, dict[Node, dict[Node, int]]] = {}
    for s, p, o in data:
        spo.setdefault(s, {}).setdefault(p, {})[o] = 1
        pos.setdefault(p, {}).setdefault(o, {})[s] = 1
    return spo, pos


class DataIndex:
    """One data graph, indexed for the duration of one validation; never modify it.

    Shape paths are looked up by their string (``key``): a data predicate is only equal to
    an IRI path if it is a ``URIRef`` too, and matching the data's own predicate object first
    saves rdflib's Python-level ``__eq__`` on every lookup.
    """

    def __init__(self, data: Graph) -> None:
        indexes = _memory_indexes(data)
        self.spo, self.pos = indexes if indexes is not None else _copied_indexes(data)
        self.predicates: dict[str, Node] = {str(p): p for p in self.pos if type(p) is URIRef}
        self._type = self.predicates.get(_TYPE)
        self._subclasses = _SUBCLASS in self.predicates
        self._supers: dict[Node, set[Node]] = {}
        self._instances: dict[Node, set[Node]] | None = None
        # (shape, value) -> conforms, for shapes reached through sh:node
        self.conformance: dict[tuple[object, Node], bool] = {}

    def objects(self, node: Node, key: str) -> Collection[Node]:
        """Values of the IRI ``key`` on ``node`` (no duplicates: a graph is a set)."""
        predicate = self.predicates.get(key)
        if predicate is None:
            return _NONE
        by_predicate = self.spo.get(node)
        if by_predicate is None:
            return _NONE
        return by_predicate.get(predicate, _NONE)

    def subjects_of(self, predicate: Node) -> Collection[Node]:
        return {s for subjects in self.pos.get(predicate, {}).values() for s in subjects}

    def objects_of(self, predicate: Node) -> Collection[Node]:
        # Memory leaves an emptied dict behind when it removes a triple
        return {o for o, subjects in self.pos.get(predicate, {}).items() if subjects}

    def is_instance(self, node: Node, cls: Node) -> bool:
        """rdf:type with rdfs:subClassOf as far as the data graph states it (SHACL 3.2)."""
        types = self.objects(node, _TYPE)
        if not self._subclasses:
            return cls in types
        return any(cls in self._superclasses(t) for t in types)

    def instances(self, cls: Node) -> Collection[Node]:
        """Focus nodes of ``sh:targetClass cls``."""
        if self._type is None:
            return _NONE
        if not self._subclasses:
            return self.pos[self._type].get(cls, {}).keys()
        if self._instances is None:
            self._instances = {}
            for t, nodes in self.pos[self._type].items():
                for c in self._superclasses(t):
                    self._instances.setdefault(c, set()).update(nodes)
        return self._instances.get(cls, set())

    def _superclasses(self, cls: Node) -> set[Node]:
        if cls not in self._supers:
            found: set[Node] = set()
            stack = [cls]
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(self.objects(current, _SUBCLASS))
            self._supers[cls] = found
        return self._supers[cls]
