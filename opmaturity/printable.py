"""A team's hearing sheet as one HTML page that prints well on A4 from a browser.

Self-contained: the style sheet is inline, there is no script, no image, no link and no other file or address it
loads. Every text from the data (products, teams, notes, action titles, model titles) is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import duckdb
import pandas as pd

from . import views
from .model import Model
from .reports import AGENDA_DISAGREEMENTS, AGENDA_PERCEPTION, AGENDA_PRIORITIES, Hearing, hearing, translator
from .rounding import half_up

STYLE = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; font-size: 10pt;
       color: #1a1a1a; margin: 0 auto; max-width: 186mm; line-height: 1.45; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5pt solid #4c78a8;
     break-after: avoid; page-break-after: avoid; }
p.meta { margin: 0 0 3mm; color: #444; }
p.empty { color: #666; font-style: italic; margin: 1mm 0; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; }
thead { display: table-header-group; }
th, td { border: 0.6pt solid #999; padding: 1.2mm 1.6mm; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th:first-child { width: 30%; }
th { background: #e8eef5; font-weight: 600; word-break: keep-all; }  /* 目標, カテゴリ whole; long ones break at （ */
th.short { font-size: 9pt; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.memo { width: 24%; }
tr { break-inside: avoid; page-break-inside: avoid; }
.below { color: #ca0020; font-weight: 600; }
dl.counts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 0.5mm 4mm; margin: 0; }
dl.counts dt { color: #444; } dl.counts dd { margin: 0; font-weight: 600; }
@media screen { body { padding: 10mm; } }
"""


def _cell(value: object, *, number: bool = False, css: str = "") -> str:
    classes = " ".join(c for c in ("num" if number else "", css) if c)
    attr = f' class="{classes}"' if classes else ""
    return f"<td{attr}>{escape('' if value is None else str(value))}</td>"


def _table(headers: list[str], rows: Iterable[str], empty: str, texts: int) -> str:
    """A table, or a sentence saying why there is none; headers after the first `texts` (the figures and short
    words) and before the last (the notes column) are short (smaller); no header breaks inside a Japanese word
    (Chromium broke 目標, 温度感 and カテゴリ across lines in their narrow columns)."""
    body = "\n".join(rows)
    if not body:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(
        f'<th class="short">{escape(h)}</th>' if texts <= n < len(headers) - 1 else f"<th>{escape(h)}</th>"
        for n, h in enumerate(headers)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _n(value: object, digits: int = 2) -> str:  # 2 decimals, as every table shows a figure
    return "–" if value is None or pd.isna(value) else f"{half_up(float(value), digits):.{digits}f}"  # type: ignore[arg-type]


def hearing_html(found: Hearing, model: Model, lang: str = "ja") -> str:
    """The hearing as one printable page, in `lang`: overview, then the agenda in order (top priorities,
    team/SRE differences, split opinions, workshop notes about those items, open actions), then the finished
    actions with what their items did since, each table with an empty column for notes taken in the hearing."""
    tr, names = translator(lang), model.titles(lang)

    def title(key: object) -> str:
        return "" if not isinstance(key, str) else names.get(key, key)

    items = found.items.set_index("item")
    memo = tr("pages.col.hearing_notes")
    topics = found.agenda.groupby("topic", sort=False)["item"].apply(list).to_dict()

    def rows_of(topic: str) -> pd.DataFrame:
        return items.loc[topics.get(topic, [])]

    priority = [
        "<tr>" + _cell(title(k)) + _cell(title(r["category"])) + _cell(_n(r["level"]), number=True)
        + _cell(views.target_text(r["target"], r.get("target_low"), r.get("target_high")), number=True)
        + _cell(_n(r["importance"]) + (" *" if r["importance_assumed"] is True else ""), number=True)
        + _cell(_n(r["priority"]), number=True) + _cell("", css="memo") + "</tr>"
        for k, r in rows_of("priority").iterrows()
    ]  # fmt: skip
    assumed = bool(rows_of("priority")["importance_assumed"].eq(True).any())
    perception = [
        "<tr>" + _cell(title(k)) + _cell(_n(r["level"]), number=True) + _cell(_n(r["sre_level"]), number=True)
        + _cell(_n(r["perception_gap"]), number=True) + _cell("", css="memo") + "</tr>"
        for k, r in rows_of("team_vs_sre").iterrows()
    ]  # fmt: skip
    split = [
        "<tr>" + _cell(title(k)) + _cell(f"{_n(r['min_level'], 0)}–{_n(r['max_level'], 0)}", number=True)
        + _cell(_n(r["sd"], 2), number=True) + _cell(r["n"], number=True) + _cell("", css="memo") + "</tr>"
        for k, r in rows_of("members_disagree").iterrows()
    ]  # fmt: skip
    notes = found.agenda[found.agenda["topic"] == "note"]
    note_rows = [
        "<tr>" + _cell(r.figures) + _cell(title(r.item)) + _cell("", css="memo") + "</tr>"
        for r in notes.itertuples(index=False)
    ]
    actions = found.actions
    open_rows, done_rows = [], []
    for a in actions.itertuples(index=False):
        due = views.dates(pd.Series([a.due]))[0]
        if a.status == "done":
            moved = found.progress.get(int(a.id), "")
            done_rows.append("<tr>" + _cell(a.title) + _cell(title(a.item)) + _cell(a.round)
                             + _cell(moved, number=True) + _cell("", css="memo") + "</tr>")  # fmt: skip
        else:
            css = "below" if a.overdue else ""
            open_rows.append("<tr>" + _cell(a.title) + _cell(title(a.item)) + _cell(a.owner)
                             + _cell(tr(f"views.status.{a.status}")) + _cell(due, number=True, css=css)
                             + _cell("", css="memo") + "</tr>")  # fmt: skip
    counts = found.counts()
    overview = "".join(
        f"<dt>{escape(tr(f'pages.hearing.field.{k}'))}</dt><dd>{escape(str(v))}</dd>"
        for k, v in counts.items()
        if k not in ("product", "team", "round")  # the heading and subtitle say those
    )
    heading = tr("reports.hearing.title", product=found.product, team=found.team)
    sections = [
        (tr("reports.hearing.priorities", n=AGENDA_PRIORITIES),
         [tr("common.item"), tr("common.category"), tr("common.team_level"), tr("common.target"),
          tr("common.importance"), tr("common.priority"), memo], 2, priority, tr("reports.hearing.none.priorities"),
         tr("team.items.assumed") if assumed else None),
        (tr("reports.hearing.perception", n=AGENDA_PERCEPTION),
         [tr("common.item"), tr("common.team_level"), tr("common.sre_level"), tr("common.perception_gap"), memo],
         3, perception, tr("reports.hearing.none.perception"), tr("figures.rounded_apart") if perception else None),
        (tr("reports.hearing.disagreements", n=AGENDA_DISAGREEMENTS),
         [tr("common.item"), tr("reports.hearing.range"), tr("common.spread"), tr("common.n"), memo], 1, split,
         tr("reports.hearing.none.disagreements"), None),
        (tr("reports.hearing.notes"), [tr("views.note"), tr("common.item"), memo], 2, note_rows,
         tr("reports.hearing.none.notes"), None),
        (tr("reports.hearing.open_actions"),
         [tr("views.action"), tr("common.item"), tr("views.owner"), tr("views.status"), tr("views.due"), memo],
         3, open_rows, tr("reports.hearing.none.open_actions"), None),
        (tr("reports.hearing.done_actions"),
         [tr("views.action"), tr("common.item"), tr("reports.col.agreed_in"), tr("reports.col.moved"), memo],
         2, done_rows, tr("reports.hearing.none.done_actions"), None),
    ]  # fmt: skip
    body = "\n".join(
        f"<section><h2>{n}. {escape(name)}</h2>\n{_table(headers, rows, empty, texts)}"
        + (f'\n<p class="meta">{escape(note)}</p>' if note else "")
        + "</section>"
        for n, (name, headers, texts, rows, empty, note) in enumerate(sections, start=1)
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<title>{escape(heading)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(heading)}</h1>
<p class="meta">{escape(tr("reports.hearing.subtitle", round=found.round))}</p>
<dl class="counts">{overview}</dl>
{body}
</body>
</html>
"""


def hearing_page(
    con: duckdb.DuckDBPyConnection, model: Model, product: str, team: str, round_name: str | None, lang: str = "ja"
) -> bytes:
    """The printable hearing sheet of one team and round (default: the latest), as UTF-8 bytes."""
    return hearing_html(hearing(con, product, team, round_name, lang), model, lang).encode("utf-8")
