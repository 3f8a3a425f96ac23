"""The reading page's cards as HTML, written in Python rather than the template.

Datasette renders templates with Jinja's async mode, which awaits every expression; a week of
5,000 cards took seconds that way, most of it in that machinery. Here the cards are f-strings
over values `cards.py` has already escaped (`Markup`) or that are escaped here, so a stored
`<script>` still shows as text. The page template places the result as it is.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from pipeline.browse.cards import Card


def render_groups(groups: list[tuple[str, str, list[tuple[str, list[Card]]]]], chip_urls: dict[str, str],
                  active_tag: str | None) -> Markup:
    out: list[str] = []
    for day, heading, modalities in groups:
        out.append(f'<section class="day" id="day-{escape(day)}">\n  <h2>{escape(heading)}</h2>\n')
        for modality, cards in modalities:
            out.append(f'  <section class="modality">\n    <h3>{escape(modality)} <span class="n">{len(cards)}</span></h3>\n')
            out.extend(_card(card, chip_urls, active_tag) for card in cards)
            out.append("  </section>\n")
        out.append("</section>\n")
    return Markup("".join(out))


def _card(card: Card, chip_urls: dict[str, str], active_tag: str | None) -> str:
    link = escape(card.link) if card.link else None
    title = (f'<a class="title" href="{link}" rel="noopener noreferrer">{card.title}</a>' if link
             else f'<span class="title">{card.title}</span>')
    meta = []
    if card.authors:
        meta.append(f'<span class="authors">{escape(card.authors)}</span>')
    if card.venue:
        meta.append(f'<span class="venue">{escape(card.venue)}</span>')
    if card.upvotes is not None:
        meta.append(f'<span class="upvotes" title="Hugging Face upvotes">▲ {int(card.upvotes)}</span>')
    if link:
        meta.append(f'<a href="{link}">{escape(card.link_label)}</a>')
    if card.code:
        meta.append(f'<a class="code" href="{escape(card.code)}" rel="noopener noreferrer">code</a>')
    if card.project:
        meta.append(f'<a class="project" href="{escape(card.project)}" rel="noopener noreferrer">project</a>')
    parts = [f'    <article class="card" data-paper="{escape(card.id)}">\n      <h4>{title}</h4>\n'
             f'      <p class="meta">{" · ".join(meta)}</p>\n']
    if card.chips:
        chips = "".join(
            f'<a class="chip chip-{escape(chip.facet)}{" on" if chip.tag == active_tag else ""}"'
            f' href="{escape(chip_urls.get(chip.tag, "?tag=" + chip.tag))}"'
            f' title="{escape(chip.tag + (": " + chip.why if chip.why else ""))}">{escape(chip.label)}</a>'
            for chip in card.chips)
        parts.append(f'      <p class="chips">{chips}</p>\n')
    if card.labels:
        labels = "".join(f'<span class="label">{escape(label)}</span>' for label in card.labels)
        parts.append(f'      <p class="labels">{labels}</p>\n')
    if card.rest:
        parts.append(f'      <details class="abstract"><summary>{card.lead}…</summary>{card.rest}</details>\n')
    elif card.lead:
        parts.append(f'      <p class="abstract">{card.lead}</p>\n')
    parts.append("    </article>\n")
    return "".join(parts)
