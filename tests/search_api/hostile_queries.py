"""The hostile SPARQL requests of ``test_hostile_sparql.py`` and the answer each must get.

The expectations hold for the limits the test server runs with (``TIMEOUT_S``, ``ROW_CAP``):
the ``cut`` cases are connected but huge, so only the timeout stops them, and the ``answered``
cases say whether the row cap truncates them.
"""

from dataclasses import dataclass

TIMEOUT_S = 1.0
ROW_CAP = 500
LAND_JOIN = "SELECT * WHERE { ?a wn:land ?x . ?b wn:land ?x } OFFSET 1000000000"
PATH = "SELECT * WHERE { ?s (wn:kreis|!wn:kreis)* ?o }"
# Populations are integers, postal codes strings: without the rewrite Oxigraph's sort panics
# and aborts the whole process (pyoxigraph 0.5 is built with panic = "abort").
MIXED_ORDER = "SELECT ?o WHERE { ?s wn:population|schema:postalCode ?o } ORDER BY ?o"


@dataclass(frozen=True)
class Hostile:
    """One hostile request and the exact answer it must get."""

    id: str
    query: str
    status: int
    says: str = ""  # part of the error message
    truncated: bool | None = None
    send: str = "get"  # get, form, direct (application/sparql-query) or bytes


def refused(id_: str, query: str, says: str, send: str = "get") -> Hostile:
    return Hostile(id_, query, 400, says, send=send)


def cut(id_: str, query: str) -> Hostile:
    return Hostile(id_, query, 504, "LIMIT")


def answered(id_: str, query: str, truncated: bool | None = None) -> Hostile:
    return Hostile(id_, query, 200, truncated=truncated)


def nested(opening: str, inner: str, closing: str, depth: int) -> str:
    return opening * depth + inner + closing * depth


PRODUCT, TOO_DEEP, COMPLEX = "cartesian product", "nested too deeply", "too complex"
TOWN = "a wn:Municipality"
CASES = [
    # Cartesian products: refused before they reach the store.
    refused("cartesian-3-patterns", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", PRODUCT),
    refused(
        "cartesian-4-municipalities-count",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {TOWN} . ?b {TOWN} . ?c {TOWN} . ?d {TOWN} }}",
        PRODUCT,
    ),
    refused(
        "order-by-over-cartesian",
        "SELECT ?a ?b WHERE { ?a rdfs:label ?x . ?b rdfs:label ?y } ORDER BY ?y ?x",
        PRODUCT,
    ),
    refused(
        "group-by-over-cartesian",
        f"SELECT ?a ?b (COUNT(*) AS ?n) WHERE {{ ?a {TOWN} . ?b {TOWN} }} GROUP BY ?a ?b",
        PRODUCT,
    ),
    refused(
        "group-concat-over-cartesian",
        "SELECT (GROUP_CONCAT(?l) AS ?all) WHERE { ?s rdfs:label ?l . ?t rdfs:label ?m }",
        PRODUCT,
    ),
    refused("construct-explosion", "CONSTRUCT { ?a ?p ?z } WHERE { ?a ?p ?o . ?b ?q ?z }", PRODUCT),
    refused(
        "cartesian-in-optional",
        f"SELECT * WHERE {{ ?s {TOWN} OPTIONAL {{ ?x {TOWN} }} }}",
        PRODUCT,
    ),
    refused(
        "cartesian-with-subselect",
        f"SELECT * WHERE {{ ?s {TOWN} {{ SELECT ?t WHERE {{ ?t {TOWN} }} }} }}",
        PRODUCT,
    ),
    refused(
        "cartesian-joined-by-filter",
        "SELECT * WHERE { ?a rdfs:label ?x . ?b wn:shortName ?y FILTER(?x = ?y) }",
        PRODUCT,
    ),
    refused(
        "values-times-everything",
        "SELECT * WHERE { VALUES ?i { 1 2 3 4 5 6 7 8 9 } ?s ?p ?o } ORDER BY ?o",
        PRODUCT,
    ),
    refused("ask-over-cartesian", 'ASK { ?a ?b ?c . ?d ?e ?f FILTER(?c = "nie") }', PRODUCT),
    # SERVICE: the server never connects where a query says, loopback included.
    refused(
        "service", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"
    ),
    refused(
        "service-in-subselect",
        "SELECT * WHERE { { SELECT ?x WHERE { SERVICE SILENT <http://x.invalid/> "
        "{ ?x ?y ?z } } } }",
        "SERVICE",
    ),
    refused(
        "service-in-optional",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <https://dbpedia.org/sparql> "
        "{ ?s ?q ?r } } }",
        "SERVICE",
    ),
    refused(
        "service-in-exists",
        "ASK { ?s ?p ?o FILTER EXISTS { SERVICE ?endpoint { ?s ?q ?r } } }",
        "SERVICE",
    ),
    refused(
        "service-in-union-to-loopback",
        "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:1/sparql> "
        "{ ?s ?p ?o } } }",
        "SERVICE",
    ),
    # Updates never parse as queries.
    refused("load", "LOAD <http://example.org/data.ttl>", "LOAD"),
    refused("load-file", "LOAD SILENT <file:///etc/passwd> INTO GRAPH <urn:x>", "LOAD"),
    refused("insert-data", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT DATA"),
    refused("delete-where", "DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    refused(
        "delete-insert-where",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "DELETE/INSERT",
    ),
    refused("clear-all", "CLEAR ALL", "CLEAR"),
    refused("drop-all", "DROP ALL", "DROP"),
    refused("copy", "COPY DEFAULT TO <urn:g>", "COPY"),
    refused("add", "ADD <urn:a> TO <urn:b>", "ADD"),
    refused("query-then-update", "SELECT * WHERE { ?s ?p ?o } ; DROP ALL", "not a valid"),
    refused("update-content-type", "DROP ALL", "read-only", send="update"),
    refused("update-form-field", "DROP ALL", "read-only", send="update-field"),
    # Parser bombs: refused quickly, never a 500 (RecursionError) or a parser held for long.
    refused("deep-parentheses", f"ASK {{ FILTER({nested('(', '1', ')', 500)}) }}", TOO_DEEP),
    refused("deep-groups", f"SELECT * WHERE {nested('{ ', '?s ?p ?o', ' }', 2000)}", TOO_DEEP),
    refused(
        "deep-subselects",
        f"SELECT * WHERE {nested('{ SELECT * WHERE { ', '?s ?p ?o', ' } }', 200)}",
        TOO_DEEP,
    ),
    refused(
        "deep-blank-nodes", f"ASK {{ ?s wn:p {nested('[ wn:p ', '?o', ' ]', 300)} }}", TOO_DEEP
    ),
    refused("deep-collections", f"ASK {{ ?s wn:p {nested('( ', '?o', ' )', 300)} }}", TOO_DEEP),
    refused(
        "deep-update",
        f"INSERT DATA {{ <urn:a> <urn:b> {nested('( ', '1', ' )', 3000)} }}",
        "not a valid",
    ),
    refused(
        "many-triples-in-one-block",
        "SELECT * WHERE { " + " ".join(f"?s wn:p{i} ?o{i} ." for i in range(400)) + " }",
        "triple patterns",
    ),
    refused(
        "operator-chain",
        "SELECT (" + " + ".join(["?o"] * 3000) + " AS ?x) WHERE { ?s ?p ?o }",
        COMPLEX,
    ),
    refused(
        "union-branches",
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 2000) + " }",
        COMPLEX,
    ),
    refused("query-over-100k-chars", "ASK { } # " + "x" * 101_000, "longer than", send="form"),
    refused("empty-query", "   ", "empty", send="direct"),
    refused("comment-only", "# nur ein Kommentar", "not a valid"),
    refused("surrogate-escape", 'SELECT * WHERE { ?s ?p "\\uD800" }', "syntax error"),
    refused("nul-outside-literal", "SELECT * WHERE { ?s ?p \x00 }", "not a valid"),
    refused("limit-overflow", "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999", "limit"),
    # Connected but huge: cut by the timeout.
    cut("offset-1e9-over-large-join", LAND_JOIN),
    cut("unbounded-path-any-predicate", PATH),
    cut("count-over-unbounded-path", PATH.replace("SELECT *", "SELECT (COUNT(*) AS ?n)")),
    cut(
        "order-by-over-large-join",
        "SELECT * WHERE { ?a wn:kreis ?x . ?b wn:kreis ?x } ORDER BY ?a",
    ),
    # Capped or simply answered.
    answered("huge-limit", "SELECT * WHERE { ?s ?p ?o } LIMIT 1000000000000", truncated=True),
    answered("offset-1e9-small", "SELECT * WHERE { ?s ?p ?o } OFFSET 1000000000", truncated=False),
    answered("describe-star", "DESCRIBE * WHERE { ?s ?p ?o }", truncated=True),
    answered("construct-everything", "CONSTRUCT WHERE { ?s ?p ?o }", truncated=True),
    answered(
        "group-concat-all-labels",
        'SELECT (GROUP_CONCAT(?l; separator=" ") AS ?all) WHERE { ?s rdfs:label ?l }',
        truncated=False,
    ),
    answered(
        "catastrophic-regex", 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER REGEX(?l, "(a+)+$") }'
    ),
    answered("order-by-mixed-literal-types", MIXED_ORDER, truncated=True),
    answered("order-by-rand", "SELECT ?s WHERE { ?s a wn:Land } ORDER BY RAND()", truncated=False),
    answered(
        "bidirectional-transitive-path",
        "SELECT * WHERE { ?s (^skos:broader|skos:broader)+ ?o }",
        truncated=True,
    ),
    answered(
        "too-many-variables",
        "SELECT " + " ".join(f"?v{i}" for i in range(3000)) + " WHERE { ?s ?p ?o } LIMIT 3",
        truncated=False,
    ),
    answered(
        "nested-aggregates",
        "SELECT (MAX(?c) AS ?n) WHERE { { SELECT ?k (COUNT(?m) AS ?c) "
        "WHERE { ?m wn:kreis ?k } GROUP BY ?k } }",
        truncated=False,
    ),
    answered("empty-group", "ASK { {} UNION {} OPTIONAL {} }", truncated=False),
    answered("nul-in-literal", 'SELECT * WHERE { ?s ?p "a\x00b" }', truncated=False),
    answered("emoji-and-bidi-override", 'SELECT * WHERE { ?s ?p "\U0001f4a3\u202egnp.exe" }'),
    Hostile("malformed-utf8-body", 'SELECT * WHERE { ?s ?p "\udcff\udcfe" }', 200, send="bytes"),
]
