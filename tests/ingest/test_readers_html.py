"""The HTML reader keeps the article and drops the site chrome around it."""

from pathlib import Path

from ingest.normalise import normalise
from ingest.records import Block
from tests.ingest.reader_checks import assert_offsets, read_sample

HTML = """<!DOCTYPE html>
<html lang="de"><head><title>Regiopol Akademie</title>
<meta name="description" content="Wissen teilen">
<script>tracking()</script><style>body{}</style></head>
<body>
<header><nav><a href="/">Start</a> <a href="/kontakt">Kontakt</a></nav></header>
<div id="cookie-consent"><p>Wir verwenden Cookies.</p><button>OK</button></div>
<div class="cc-banner">Banner-Text</div>
<main>
<article>
<header><h1>Aufbau von Wissensnetzwerken</h1></header>
<p>Die Kommunen <b>teilen</b> Wissen.</p>
Freier Text im Artikel.
<ul><li>Erstens<ul><li>Unterpunkt</li></ul></li><li><p>Zweitens</p></li></ul>
<h2>Termine</h2>
<table><tr><th>Datum</th><th>Thema</th></tr><tr><td>12.03.</td><td>Wärmeplanung</td></tr></table>
<form><label>Suche</label><input name="q"></form>
<noscript>Bitte JavaScript aktivieren.</noscript>
</article>
<aside>Weitere Artikel</aside>
</main>
<footer><p>Impressum</p></footer>
<div hidden>Versteckt</div>
</body></html>"""


def test_html_keeps_content_and_drops_chrome(tmp_path: Path) -> None:
    doc = read_sample(tmp_path, "akademie.html", HTML)
    assert doc.media_type == "text/html"
    assert doc.meta["title"] == "Regiopol Akademie"
    assert doc.meta["language"] == "de"
    assert doc.meta["html_meta"] == {"description": "Wissen teilen"}
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Aufbau von Wissensnetzwerken"),
        ("paragraph", 0, "Die Kommunen teilen Wissen."),
        ("paragraph", 0, "Freier Text im Artikel."),
        ("list_item", 0, "Erstens"),
        ("list_item", 1, "Unterpunkt"),
        ("list_item", 0, "Zweitens"),
        ("heading", 2, "Termine"),
        ("table_row", 0, "Datum | Thema"),
        ("table_row", 0, "12.03. | Wärmeplanung"),
    ]
    assert_offsets(normalise(doc))


def test_html_in_cp1252_with_meta_charset(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Größe „x“</p></body></html>'
    doc = read_sample(tmp_path, "alt.htm", html.encode("cp1252"))
    assert doc.blocks == (Block("paragraph", "Größe „x“"),)
