"""The HTML renderer: a municipal web page around the source's blocks.

The page deliberately carries site chrome (navigation, cookie banner, sidebar, footer,
scripts) that the HTML reader has to drop, and the metadata as ``wissensnetz:*`` meta tags.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator

from corpus_sources import MdBlock, Source, inline_runs, meta_values, plain

NAV = (
    ("Start", "/"),
    ("Über uns", "/ueber-uns"),
    ("Projektdatenbank", "/projektdatenbank"),
    ("Regiopol Akademie", "/akademie"),
    ("Aktuelles", "/aktuelles"),
    ("Kontakt", "/kontakt"),
)

HTML_HEAD = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Regiopolregion</title>
{metas}
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/assets/css/site.min.css">
<script src="/assets/js/consent-manager.js" defer></script>
</head>
<body class="page-{kind}">
<a class="skip-link" href="#inhalt">Zum Hauptinhalt der Seite</a>
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookie-Einstellungen">
<p>Diese Website verwendet Cookies und vergleichbare Techniken. Einige sind technisch
notwendig, andere helfen uns, das Angebot zu verbessern. Sie entscheiden, welche Sie zulassen.</p>
<button type="button" class="btn-accept">Alle akzeptieren</button>
<button type="button" class="btn-reject">Nur notwendige Cookies</button>
<a href="/datenschutz">Datenschutzerklärung</a>
</div>
<header class="site-header">
<a class="logo" href="/">Regiopolregion – gemeinsam stark</a>
<nav class="main-nav" aria-label="Hauptnavigation">
<ul>
{nav}
</ul>
</nav>
<form class="site-search" action="/suche"><input type="search" name="q" placeholder="Suchen …">
<button type="submit">Suche</button></form>
</header>
<nav class="breadcrumb" aria-label="Brotkrumen">
<a href="/">Start</a> › <a href="{section_url}">{section}</a> › <span>{short}</span>
</nav>
<main id="inhalt">
<article>
<p class="meta"><time datetime="{date}">{date_de}</time></p>
"""

HTML_TAIL = """</article>
</main>
<aside class="sidebar">
<h2>Das könnte Sie auch interessieren</h2>
<ul>
<li><a href="/projektdatenbank">Zur Projektdatenbank</a></li>
<li><a href="/akademie">Alle Termine der Regiopol Akademie</a></li>
<li><a href="/newsletter">Newsletter abonnieren</a></li>
</ul>
</aside>
<footer class="site-footer">
<p>Geschäftsstelle der Regiopolregion · Büro des Oberbürgermeisters · Postfach 00 00 00</p>
<ul>
<li><a href="/impressum">Impressum</a></li>
<li><a href="/datenschutz">Datenschutz</a></li>
<li><a href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a></li>
</ul>
<p>© {year} Regiopolregion. Alle Rechte vorbehalten.</p>
</footer>
<div class="orientation-hint" aria-hidden="true">
Bitte drehen Sie Ihr Gerät ins Hochformat, damit die Seite richtig angezeigt wird.
</div>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}
document.querySelector('.btn-accept').addEventListener('click', function () {{
  document.getElementById('cookie-banner').hidden = true;
  gtag('consent', 'update', {{analytics_storage: 'granted'}});
}});
</script>
</body>
</html>
"""

SECTIONS = {
    "event": ("Regiopol Akademie", "/akademie"),
    "page": ("Über uns", "/ueber-uns"),
    "project": ("Projektdatenbank", "/projektdatenbank"),
    "protocol": ("Gremien", "/gremien"),
}
MONTHS_DE = (
    *("Januar", "Februar", "März", "April", "Mai", "Juni"),
    *("Juli", "August", "September", "Oktober", "November", "Dezember"),
)


def date_de(day: dt.date) -> str:
    return f"{day.day}. {MONTHS_DE[day.month - 1]} {day.year}"


def html_inline(text: str) -> str:
    parts = []
    for run, bold, italic in inline_runs(text):
        esc = html.escape(run, quote=False)
        if bold:
            esc = f"<strong>{esc}</strong>"
        elif italic:
            esc = f"<em>{esc}</em>"
        parts.append(esc)
    return "".join(parts)


def render_html(src: Source) -> bytes:
    meta = src.meta
    heads = [
        ("description", plain(next((b.text for b in src.blocks if b.kind == "paragraph"), ""))),
        ("author", str(meta.get("author", ""))),
        ("date", str(meta["date"])),
        ("language", "de"),
        ("keywords", ", ".join(meta.get("topics") or [])),
        *meta_values(meta),
    ]
    metas = "\n".join(
        f'<meta name="{name}" content="{html.escape(value)}">' for name, value in heads
    )
    section, section_url = SECTIONS[str(meta["kind"])]
    out = [
        HTML_HEAD.format(
            title=html.escape(str(meta["title"])),
            metas=metas,
            url=html.escape(str(meta.get("source_url", ""))),
            kind=meta["kind"],
            nav="\n".join(f'<li><a href="{u}">{html.escape(t)}</a></li>' for t, u in NAV),
            section=section,
            section_url=section_url,
            short=html.escape(str(meta["title"]).split(":")[0].split("–")[0].strip()),
            date=src.date.isoformat(),
            date_de=date_de(src.date),
        )
    ]
    out.extend(html_blocks(src.blocks))
    out.append(HTML_TAIL.format(year=src.date.year))
    return "".join(out).encode("utf-8")


def html_blocks(blocks: list[MdBlock]) -> Iterator[str]:
    open_list: str | None = None
    for block in blocks:
        tag = {"bullet": "ul", "number": "ol"}.get(block.kind)
        if open_list and tag != open_list:
            yield f"</{open_list}>\n"
            open_list = None
        if tag and not open_list:
            yield f"<{tag}>\n"
            open_list = tag
        if block.kind == "heading":
            yield f"<h{block.level}>{html_inline(block.text)}</h{block.level}>\n"
        elif block.kind == "paragraph":
            yield f"<p>{html_inline(block.text)}</p>\n"
        elif tag:
            yield f"<li>{html_inline(block.text)}</li>\n"
        elif block.kind == "table":
            yield "<table>\n<thead><tr>"
            yield "".join(f"<th>{html_inline(c)}</th>" for c in block.rows[0])
            yield "</tr></thead>\n<tbody>\n"
            for row in block.rows[1:]:
                yield "<tr>" + "".join(f"<td>{html_inline(c)}</td>" for c in row) + "</tr>\n"
            yield "</tbody>\n</table>\n"
    if open_list:
        yield f"</{open_list}>\n"
