"""The one module that imports streamlit: cached connection and queries, shared widgets, error box."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from . import config, i18n, store
from .errors import OpmaturityError
from .model import Model, load_model

LANG_KEY = "lang"
ROUND_KEY = "round"
# The language switch shows (and the URL carries) these labels: a bound widget puts its label in the URL.
LANG_LABELS = {"ja": "日本語", "en": "English"}


@st.cache_resource(show_spinner=False)
def model() -> Model:
    """The maturity model, loaded once per process."""
    return load_model()


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    _secret_from_streamlit()
    return store.connect(path, model())


def _secret_from_streamlit() -> None:
    """Take the pseudonym key from Streamlit secrets (`opmaturity_secret`) when the environment has none."""
    if os.environ.get("OPMATURITY_SECRET"):
        return
    try:
        secret = st.secrets.get("opmaturity_secret")
    except (FileNotFoundError, KeyError, AttributeError, st.errors.StreamlitSecretNotFoundError):
        return
    if secret:
        os.environ["OPMATURITY_SECRET"] = str(secret)


def db_path() -> str:
    """The database file this dashboard serves ($OPMATURITY_DB or data/opmaturity.duckdb)."""
    return str(config.db_path())


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor of the shared connection for this script run (DuckDB wants one per thread)."""
    return _connection(db_path()).cursor()


def lang() -> str:
    """The UI language chosen in the sidebar (ja by default)."""
    chosen = st.session_state.get(LANG_KEY)
    return next((code for code, label in LANG_LABELS.items() if label == chosen), i18n.DEFAULT_LANG)


def tr(key: str, **values: object) -> str:
    """A UI string in the chosen language."""
    return i18n.t(key, lang(), **values)


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(
    _fn: Callable[..., Any], name: str, db: str, revision: int, args: tuple[Any, ...], kwargs: tuple[Any, ...]
) -> Any:
    return _fn(_connection(db).cursor(), *args, **dict(kwargs))


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(cursor, *args, **kwargs)` cached until the data changes (the store's revision moves)."""
    db = db_path()
    rev = store.revision(cursor())
    return _cached(fn, f"{fn.__module__}.{fn.__qualname__}", db, rev, args, tuple(sorted(kwargs.items())))


def rounds() -> list[str]:
    """Round names, oldest first."""
    return query(store.rounds)["name"].tolist()


def current_round() -> str | None:
    """The round chosen in the sidebar (the latest by default)."""
    names = rounds()
    chosen = st.session_state.get(ROUND_KEY)
    return chosen if chosen in names else (names[-1] if names else None)


def sidebar() -> None:
    """The shared sidebar: language switch and round selector (both kept in the URL)."""
    with st.sidebar:
        st.segmented_control(
            "言語 / Language",
            list(LANG_LABELS.values()),
            default=LANG_LABELS[i18n.DEFAULT_LANG],
            key=LANG_KEY,
            required=True,
            bind="query-params",
        )
        names = rounds()
        if names:
            st.selectbox(
                tr("sidebar.round"),
                list(reversed(names)),
                key=ROUND_KEY,
                help=tr("sidebar.round_help"),
                bind="query-params",
            )
        st.caption(tr("sidebar.database", path=db_path()))


def titles() -> dict[str, str]:
    """Category and item key -> title in the UI language."""
    m, chosen = model(), lang()
    return {c.key: c.title(chosen) for c in m.categories} | {i.key: i.title(chosen) for i in m.items}


def team_link(product: str, team: str | None) -> dict[str, str]:
    """Query parameters of the Team page for a product (and team).

    The round and the language are not set here: their sidebar widgets are bound to the URL and
    carry themselves over (Streamlit refuses to set a bound parameter directly).
    """
    return {"product": product} | ({"team": team} if team else {})


def show_error(error: OpmaturityError) -> None:
    """The error box: the title, then every problem as a table in the user's words."""
    st.error(error.title, icon="⚠️")
    if error.problems:
        problems_table(error.problems)


def problems_table(problems: list[Any]) -> None:
    """Every problem as a row: where (file, sheet, Excel row, column, value), then what to fix."""
    order = ("file", "sheet", "row", "column", "value", "message")
    table = pd.DataFrame([p.to_dict() for p in problems], columns=list(order))
    st.dataframe(table.rename(columns={c: tr(f"import.col.{c}") for c in order}), hide_index=True, width="stretch")


def offer_demo() -> bool:
    """On an empty database: explain, and offer the demo organisation; True while still empty."""
    if not store.is_empty(cursor()):
        return False
    st.info(tr("empty.body"), icon="👋")
    if st.button(tr("empty.demo_button"), type="primary", key="load_demo"):
        from . import demo

        with st.spinner(tr("empty.loading")):
            demo.load_demo(cursor(), model())
        st.rerun()
    return True


def note_editor_config() -> dict[str, Any]:
    """Column settings of the Feedback page's note editor: only the linked item can be changed."""
    from .views import item_choice

    titles_ = titles()
    return {
        "note_id": None,
        "text": st.column_config.TextColumn(tr("views.note"), width="large"),
        "item": st.column_config.SelectboxColumn(
            tr("common.item"), options=[item_choice(i.key, titles_) for i in model().items], width="medium"
        ),
        "product": st.column_config.TextColumn(tr("common.product")),
        "team": st.column_config.TextColumn(tr("common.team")),
        "group_name": st.column_config.TextColumn(tr("views.group")),
        "tags": st.column_config.TextColumn(tr("views.tags")),
        "linked_by": st.column_config.TextColumn(tr("feedback.linked_by")),
    }


def import_settings(prefix: str, fallback: dict[str, Any] | None = None) -> dict[str, Any]:
    """Round, product, team and rater inputs; a blank one takes `fallback`'s value (the shared settings)."""
    fallback = fallback or {}
    left, mid, right, far = st.columns(4)
    round_name = left.text_input(
        tr("import.round"), key=f"{prefix}_round", help=tr("import.round_help"),
        placeholder=fallback.get("round_name") or tr("import.round_auto"),
    )  # fmt: skip
    product = mid.text_input(
        tr("import.product"), key=f"{prefix}_product", help=tr("import.product_help"),
        placeholder=fallback.get("product") or "",
    )  # fmt: skip
    team = right.text_input(
        tr("import.team"), key=f"{prefix}_team", help=tr("import.team_help"), placeholder=fallback.get("team") or ""
    )
    rater = far.selectbox(
        tr("import.rater"), [None, "team", "sre"], key=f"{prefix}_rater", help=tr("import.rater_help"),
        format_func=lambda r: tr("import.from_file") if r is None else tr(f"import.rater.{r}"),
    )  # fmt: skip
    return {
        "round_name": round_name.strip() or fallback.get("round_name"),
        "product": product.strip() or fallback.get("product"),
        "team": team.strip() or fallback.get("team"),
        "rater": rater or fallback.get("rater"),
    }


def import_options(
    round_name: str | None,
    product: str | None,
    team: str | None,
    rater: str | None,
    skip_invalid: bool,
    layout: str | None,
    mappings: dict[str, str],
) -> Any:
    """The importer's options from the Import page's settings (None means "from the file")."""
    from .importer import ImportOptions

    return ImportOptions(
        round=round_name or None, product=product or None, team=team or None, rater=rater,
        skip_invalid=skip_invalid, layout=layout, mappings=dict(mappings),
    )  # fmt: skip


def import_preview(name: str, data: bytes, options: Any) -> Any:
    """What importing the file would do, and its first rows; cached per file, options and data revision."""
    from .importer import preview

    with st.spinner(tr("import.running", file=name)):
        return query(preview, name, data, model(), options)


def show_report(report: Any, *, preview: bool = False) -> None:
    """One file's outcome (or, for a preview, what would happen): status and counts, what the user
    should know, and every problem as a table."""
    status = report.status
    counts = tr("import.counts", responses=report.responses, notes=report.notes)
    shown = "would_import" if preview and status == "imported" else status
    label = f"{report.file}: {tr('import.status.' + shown)}"
    if status == "rejected":
        st.error(tr("import.rejected_title", file=report.file, count=len(report.problems)), icon="⛔")
        st.caption(tr("import.rejected_hint"))
    elif status == "duplicate":
        st.info(label, icon="ℹ️")
    elif preview:
        st.info(f"{label} · {counts}" + (f" · {report.round}" if report.round else ""), icon="🔎")
    else:
        st.success(f"{label} · {counts}" + (f" · {report.round}" if report.round else ""), icon="✅")
    if report.messages:
        with st.expander(tr("import.messages"), expanded=status != "rejected"):
            st.markdown("\n".join(f"- {m}" for m in report.messages))
    if report.problems:
        problems_table(report.problems)


MAPPINGS_KEY = "imp_mappings"


def widget_key(prefix: str, text: str) -> str:
    """A widget key that belongs to `text` (a header, a file name), not to its position on the page."""
    return f"{prefix}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def mapping_step(headers: list[str]) -> None:
    """Let a person say which item each unknown header means (or that it is no question at all).

    Headers mapped in this session stay listed so a choice can be changed; a new choice reruns the
    page so every preview uses it, and a real import remembers it for the next file.
    """
    from .importer import IGNORE

    mappings: dict[str, str] = st.session_state.setdefault(MAPPINGS_KEY, {})
    shown = list(dict.fromkeys([*headers, *mappings]))
    if not shown:
        return
    st.markdown(f"**{tr('import.mapping')}**")
    st.caption(tr("import.mapping_help"))
    names = titles()
    options = [None, IGNORE, *(i.key for i in model().items)]

    def label(key: str | None) -> str:
        if key is None:
            return tr("import.mapping_none")
        return tr("import.mapping_ignore") if key == IGNORE else f"{key} {names.get(key, '')}"

    changed = False
    for header in shown:
        key = widget_key("imp_map", header)
        st.session_state.setdefault(key, mappings.get(header))
        nearest = model().nearest_item(header)
        chosen = st.selectbox(
            header, options, key=key, format_func=label,
            help=None if nearest is None else f"≈ {nearest.key} {nearest.title(lang())}",
        )  # fmt: skip
        if chosen != mappings.get(header):
            if chosen:
                mappings[header] = chosen
            else:
                mappings.pop(header, None)
            changed = True
    if changed:
        st.rerun()


def trend_chart(product: str | None, team: str | None) -> None:
    """Category levels round by round for a product or team (everyone when both are None)."""
    from . import charts, metrics, views

    trend = query(metrics.trend, product=product, team=team)
    if trend.empty:
        st.info(tr("common.none"))
        return
    names = {"round": tr("common.round"), "category": tr("common.category"), "n": tr("common.n")}
    lines = charts.trend_lines(views.with_titles(trend, titles(), "category"), tr("common.level"), titles=names)
    st.altair_chart(lines, width="stretch")


def download(frame: pd.DataFrame, file_name: str, key: str) -> None:
    """A CSV download of the data behind a view (formula-like text neutralised)."""
    from .export import csv_bytes

    st.download_button(tr("common.download_csv"), csv_bytes(frame), file_name=file_name, mime="text/csv", key=key)
