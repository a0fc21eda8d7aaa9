"""The one module that imports streamlit: cached connection and queries, shared widgets, error box."""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st

from . import i18n, metrics, store
from .auth import Actor
from .errors import OpmaturityError
from .model import Model, load_model
from .settings import Settings

T = TypeVar("T")
LANG_KEY = "lang"
_SHOWN_LANG_KEY = "_lang_shown"  # the language of the run before: a change is a switch (`translated`)
ROUND_KEY = "round"
# The language switch shows (and the URL carries) these labels: a bound widget puts its label in the URL.
LANG_LABELS = {"ja": "日本語", "en": "English"}


@functools.cache
def shipped_model() -> Model:
    """The package's maturity model, loaded once per process (what a new database starts with): package data,
    as the stored versions' models (model_versions._parsed), not a cache that clearing should empty."""
    return load_model()


# The dashboard holds the database file only while a script run needs it: attached on the first query of a run
# that misses the cache (store.attach), let go of when the run ends (run_scope), so that the command line can
# import while the dashboard is open. Results are cached under the file's signature (size and time of the file
# and its log), so a run whose queries all hit the cache never opens the file at all.
_local = threading.local()
_LAST_GOOD: dict[str, tuple[int, ...]] = {}  # db path -> the signature of the last data read successfully


def begin_run() -> None:
    """The first thing a script run does (app.py): close a connection a callback opened before the run."""
    _close_run_connection()
    _local.settings = None
    _local.stale = False
    _local.lang = None
    _local.lang_switched = False
    _local.in_run = True


def end_run() -> None:
    """The last thing a script run does: let go of the database file, and say if the figures were not fresh."""
    _local.in_run = False
    _local.settings = None
    _local.lang = None  # callbacks before the next run read the session again
    _close_run_connection()
    if getattr(_local, "stale", False):
        _local.stale = False
        st.toast(tr("db.stale"), icon=":material/hourglass_top:")


@contextmanager
def run_scope() -> Iterator[None]:
    """Run a page (app.py): a user's error is shown as one, and the run's connection is closed at its end."""
    try:
        yield
    except OpmaturityError as error:  # e.g. another program held the database longer than a page waits
        show_error(error)
    except store.STORAGE_ERRORS as exc:  # a truncated or damaged file noticed while reading it
        show_error(store.unreadable(db_path(), exc))
    finally:
        end_run()


def release_database() -> None:
    """Close this run's connection now (before the database file is swapped by a restore)."""
    _close_run_connection()


def _close_run_connection() -> None:
    held = getattr(_local, "held", None)
    _local.held = None
    if held is not None:
        held.release()


class _Held:
    """A run's connection (store.attach), given back when the run ends (end_run), or else when the thread that
    ran it goes: Streamlit runs each script run on a thread of its own, and a run stopped before end_run (a
    rerun asked for in the sidebar) must not keep the file attached, held from the command line, for good."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.release = weakref.finalize(self, store.detach, con)


def model() -> Model:
    """The database's current model version (store.current_model), read again only when the data changed
    (while another program holds the file, the version read last)."""
    db = db_path()
    return _fresh_or_last(db, lambda signature: _model_at(db, signature))


@st.cache_resource(show_spinner=False, max_entries=8)
def _model_at(db: str, signature: tuple[int, ...]) -> Model:
    return store.current_model(cursor(), shipped_model())


def secrets() -> dict[str, Any]:
    """The dashboard's Streamlit secrets (.streamlit/secrets.toml), {} when there are none."""
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return {}


def settings() -> Settings:
    """This script run's settings: the environment's, with the pseudonym key from the secrets
    (`opmaturity_secret`) where the environment has none; read once per run (begin_run and end_run drop it)."""
    found = getattr(_local, "settings", None)
    if found is None:
        found = _local.settings = Settings.from_env(os.environ, secrets=secrets())
    return found


def db_path() -> str:
    """The database file this dashboard serves ($OPMATURITY_DB or data/opmaturity.duckdb)."""
    return str(settings().db)


def cursor() -> duckdb.DuckDBPyConnection:
    """This script run's connection, opened on first use (waiting briefly if another program holds the file)."""
    held = getattr(_local, "held", None)
    if held is None:
        held = _hold(0.0 if getattr(_local, "stale", False) else settings().page_wait)
    return held.con


def _hold(wait: float) -> _Held:
    """Attach the database file for this run (or this call outside a run), waiting up to `wait` s for its lock."""
    held = _local.held = _Held(store.attach(db_path(), shipped_model(), wait=wait))
    return held


def lang() -> str:
    """The UI language chosen in the sidebar (ja by default).

    Read from the session once per run, after the sidebar has drawn the switch: `tr` asks for it on every
    string, and a session-state lookup each time was a sixth of a page that labels a thousand options."""
    known = getattr(_local, "lang", None)
    return known if known is not None else _session_lang()


def translated(key: str) -> str:
    """The key of a picker whose options are labelled in the UI language (a selectbox or multiselect with a
    translated `format_func`), as it is passed to the widget.

    After a language switch Streamlit 1.67 shows a selectbox's chosen option as the browser last received it,
    the old language's label under the new language's title and list (streamlit/streamlit#11268), while the value
    itself is kept. Setting the value again on the run the language changed makes Streamlit send the chosen
    option's new label. Call it before the widget is made."""
    if getattr(_local, "lang_switched", False) and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    return key


def _session_lang() -> str:
    chosen = st.session_state.get(LANG_KEY)
    return next((code for code, label in LANG_LABELS.items() if label == chosen), i18n.DEFAULT_LANG)


def tr(key: str, **values: object) -> str:
    """A UI string in the chosen language."""
    return i18n.t(key, lang(), **values)


def said(message: object) -> str:
    """A core message (or any text) as this page says it: in the chosen language, advice naming page controls."""
    return i18n.text(message, lang(), "page")


def choose() -> str:
    """The placeholder of a selectbox with nothing chosen ("Choose an option" in the chosen language)."""
    return tr("widget.choose")


def choose_many() -> str:
    """The placeholder of an empty multiselect ("Choose options" in the chosen language)."""
    return tr("widget.choose_many")


# Caches are capped: at most this many answers per cache, none older than an hour (a user trying every filter, or
# the data changing under the dashboard, replaces entries instead of adding to them).
CACHE_TTL = 3600


def _model_key(model: Model) -> bytes:
    """What a cached query keys a model argument by: its pickle, 0.4 ms (Streamlit's own hashing walks every
    item and level of it, 12 ms on every run of the Model page)."""
    return pickle.dumps(model, protocol=5)


@st.cache_data(show_spinner=False, max_entries=256, ttl=CACHE_TTL, hash_funcs={Model: _model_key})
def _cached(
    _fn: Callable[..., Any], name: str, db: str, signature: tuple[int, ...], args: tuple[Any, ...],
    kwargs: tuple[Any, ...],
) -> Any:  # fmt: skip
    options = dict(kwargs)
    try:
        figures = _figures_for(_fn, db, signature, args, options)
        if figures is not None:
            options["figures"] = figures
        return _fn(cursor(), *args, **options)
    except store.STORAGE_ERRORS as exc:  # a truncated or damaged file noticed while reading it
        raise store.unreadable(db, exc) from exc


@st.cache_resource(show_spinner=False, max_entries=4, ttl=CACHE_TTL)
def _round_figures(db: str, signature: tuple[int, ...], round_name: str | None, k: int) -> metrics.Figures:
    """A round's item and category figures, computed once per data change (the file's signature) and shared
    (immutable) by every list, page and session that reads the round."""
    return metrics.round_figures(cursor(), round_name, k=k)


@st.cache_resource(show_spinner=False, max_entries=2, ttl=CACHE_TTL)
def _every_round_figures(db: str, signature: tuple[int, ...]) -> metrics.Figures:
    """Every round's category figures (the trends), computed once per data change."""
    return metrics.every_round_figures(cursor())


def _figures_for(
    fn: Callable[..., Any], db: str, revision: tuple[int, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> metrics.Figures | None:
    """The figures a metric that rolls up from them (it takes `figures`) needs for these arguments: its round's
    (and k), or every round's where it reads no round (the organisation's trend); None for any other function,
    and for a product's, a team's or the steady teams' trend: it reads only those teams' answers (0.1 s at 1,000
    teams, against 1.2 s and more for every team's)."""
    parameters = inspect.signature(fn)
    if "figures" not in parameters.parameters:
        return None
    bound = parameters.bind(None, *args, **kwargs)  # None stands for the cursor
    bound.apply_defaults()
    if "round_name" not in bound.arguments:
        chosen = ("product", "team", "steady")  # a product's, a team's or the steady teams' own: computed for them
        if any(bound.arguments.get(name) for name in chosen):
            return None
        return _every_round_figures(db, revision)
    return _round_figures(db, revision, bound.arguments["round_name"], bound.arguments.get("k", metrics.DEFAULT_K))


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(connection, *args, **kwargs)`, cached until the data changes (the file's signature moves).

    Called outside a script run (a download built when its button is clicked runs on another thread), the
    connection it opened is closed when it returns.

    While another program holds the file (an import from the command line), the figures of the last data read
    are shown (said in a toast) rather than an error, as long as they are cached; the next run shows the new data.
    """
    with _closed_outside_a_run():
        return _query(fn, *args, **kwargs)


def shown(make: Callable[[pd.DataFrame, Callable[..., str]], pd.DataFrame], fn: Callable[..., pd.DataFrame],
          *args: Any) -> pa.Table | pd.DataFrame:  # fmt: skip
    """`make(query(fn, *args), tr)`: a display table labelled in the page's language, made once per data change
    and language and the same table for every session and run (read it, never change it; no copy out of the
    cache on each run): the Import page labelled its 1,756 imports again on every run, a third of the run.

    Kept as the Arrow table st.dataframe sends (what `table` and st.dataframe take as they take a DataFrame):
    converting the 1,756 imports from pandas again on every run was a fifth of the Import page's warm run."""

    def labelled(source: Any, *values: Any) -> pa.Table | pd.DataFrame:
        from .views import as_arrow

        return as_arrow(make(source.read(fn, *values), source.tr))

    name = f"{make.__module__}.{make.__qualname__}({fn.__module__}.{fn.__qualname__})"
    return _made(_table_at, labelled, name, args, ())


def derived(make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`make(source, *args, **kwargs)` (see pictures.Source), once per data revision and language, the same object
    for every session and run: read it, never change it. For a chart built from cached figures (a heatmap of 1,000
    teams labelled and specified again on every visit was two thirds of its page's script).

    The figures it reads are those of one revision: while another program holds the file, the revision read last
    (as `query`), never figures of one revision kept under another."""
    name = f"{make.__module__}.{make.__qualname__}"
    found: T = _made(_derived, make, name, args, tuple(sorted(kwargs.items())))
    return found


def _made(cache: Callable[..., Any], make: Callable[..., Any], name: str, args: tuple[Any, ...],
          kwargs: tuple[Any, ...]) -> Any:  # fmt: skip
    db, language = db_path(), lang()
    with _closed_outside_a_run():
        return _fresh_or_last(db, lambda signature: cache(make, name, db, signature, language, args, kwargs))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=CACHE_TTL)
def _derived(
    _make: Callable[..., Any], name: str, db: str, signature: tuple[int, ...], language: str, args: tuple[Any, ...],
    kwargs: tuple[Any, ...],
) -> Any:  # fmt: skip
    """A picture (ui.derived): at most 16, a heatmap of 1,000 teams by items is a few MB."""
    return _build(_make, db, signature, language, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=32, ttl=CACHE_TTL)
def _table_at(
    _make: Callable[..., Any], name: str, db: str, signature: tuple[int, ...], language: str, args: tuple[Any, ...],
    kwargs: tuple[Any, ...],
) -> Any:  # fmt: skip
    """A display table (ui.shown)."""
    return _build(_make, db, signature, language, args, kwargs)


def _build(make: Callable[..., Any], db: str, signature: tuple[int, ...], language: str, args: tuple[Any, ...],
           kwargs: tuple[Any, ...]) -> Any:  # fmt: skip
    from .pictures import Source
    from .reports import translator

    read = functools.partial(_read, db, signature)
    return make(Source(read, translator(language), _model_at(db, signature), language), *args, **dict(kwargs))


def _read(db: str, signature: tuple[int, ...], fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(connection, *args, **kwargs)` as `query` caches it, at this signature only (what `derived` reads)."""
    return _cached(fn, f"{fn.__module__}.{fn.__qualname__}", db, signature, args, tuple(sorted(kwargs.items())))


def using_database(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(connection, *args, **kwargs)` uncached (a backup); outside a script run the connection closes after.

    Outside a run (a file built when its button is clicked) it waits for another program's hold on the file as
    long as the command line does: the person is waiting for the file, and a failure there reaches only the log
    (Streamlit shows nothing when a download's callable raises), so an import from the command line that takes
    longer than a page waits should delay the backup, not lose it."""
    with _closed_outside_a_run():
        if not getattr(_local, "in_run", False) and getattr(_local, "held", None) is None:
            _hold(settings().lock_wait)
        return fn(cursor(), *args, **kwargs)


@contextmanager
def _closed_outside_a_run() -> Iterator[None]:
    """Outside a script run (no end_run will come), close the connection the block opened when it ends, and forget
    the settings it read: the next call outside a run reads them again (tests change the database between calls
    on one thread; a download's thread serves every session)."""
    if not getattr(_local, "in_run", False):
        _local.settings = None
    try:
        yield
    finally:
        if not getattr(_local, "in_run", False):
            _close_run_connection()
            _local.settings = None


def _query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    db = db_path()
    name = f"{fn.__module__}.{fn.__qualname__}"
    call = (args, tuple(sorted(kwargs.items())))
    return _fresh_or_last(db, lambda signature: _cached(fn, name, db, signature, *call))


def _fresh_or_last(db: str, compute: Callable[[tuple[int, ...]], Any]) -> Any:
    """`compute(signature)` for the file's signature now; while another program holds the file, for the signature
    of the data read last (cached, so the file is not needed) and said at the end of the run."""
    signature = store.signature(db)
    last = _LAST_GOOD.get(db)
    if getattr(_local, "stale", False) and last is not None:  # this run already found the file held: don't wait
        return compute(last)
    try:
        found = compute(signature)
    except OpmaturityError as error:
        if error.code != "msg.store.locked" or last is None or last == signature:
            raise
        _local.stale = True
        return compute(last)  # raises the same error when that was not cached either
    _LAST_GOOD[db] = signature
    return found


def rounds() -> list[str]:
    """Round names, oldest first."""
    return query(store.rounds)["name"].tolist()


def shown_round() -> str | None:
    """The round pages show until one is chosen: the newest with answers (`store.shown_of`)."""
    return store.shown_of(query(store.rounds))


def answered(round_name: str | None) -> bool:
    """True when the round holds answers (a round of workshop notes only has no figures)."""
    ordered = query(store.rounds)
    return bool(ordered.loc[ordered["name"] == round_name, "answered"].any())


def current_round() -> str | None:
    """The round chosen in the sidebar (by default the newest with answers: a later round of workshop notes only
    is there to be chosen, but has no figures to open on)."""
    names = rounds()
    chosen = st.session_state.get(ROUND_KEY)
    return chosen if chosen in names else shown_round()


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
        _local.lang = _session_lang()  # the switch has its value for this run: it cannot change until the next
        _local.lang_switched = st.session_state.get(_SHOWN_LANG_KEY, _local.lang) != _local.lang
        st.session_state[_SHOWN_LANG_KEY] = _local.lang
        names = rounds()
        if names:
            newest_first = list(reversed(names))
            shown = shown_round()
            st.selectbox(
                tr("sidebar.round"),
                newest_first,
                index=newest_first.index(shown) if shown in newest_first else 0,
                key=ROUND_KEY,
                help=tr("sidebar.round_help"),
                placeholder=choose(),
                bind="query-params",
            )
        st.caption(tr("sidebar.database", path=db_path()))


def titles() -> dict[str, str]:
    """Category and item key -> title in the UI language."""
    return model().titles(lang())


def team_link(product: str, team: str | None) -> dict[str, str]:
    """Query parameters of the Team page for a product (and team).

    The round and the language are not set here: their sidebar widgets are bound to the URL and
    carry themselves over (Streamlit refuses to set a bound parameter directly).
    """
    return {"product": product} | ({"team": team} if team else {})


def team_links(teams: pd.DataFrame, columns: int = 4) -> None:
    """Every team on record as a link to its Team page, product by product."""
    for product, rows in teams.groupby("product", sort=False):
        st.markdown(f"**{escape_markdown(product)}**")
        cells = st.columns(columns)
        for n, name in enumerate(rows["team"]):
            cells[n % columns].page_link(
                "app_pages/team.py", label=escape_markdown(name), query_params=team_link(str(product), str(name)),
            )  # fmt: skip


def escape_markdown(text: object) -> str:
    """User text shown literally by markdown (see `markup`)."""
    from .markup import escape

    return escape(text)


def show_error(error: OpmaturityError) -> None:
    """The error box: the title, then every problem as a table in the user's words and language."""
    st.error(escape_markdown(error.title_text(lang(), "page")), icon=":material/warning:")
    if error.problems:
        problems_table(error.problems)


def problems_table(problems: list[Any]) -> None:
    """Every problem as a row: where (file, sheet, Excel row, column, value), then what to fix (in the chosen
    language, advice naming this page's controls, never a command-line flag)."""
    order = ("file", "sheet", "row", "column", "value", "message")
    table = pd.DataFrame([p.to_dict(lang(), "page") for p in problems], columns=list(order))
    table["row"] = table["row"].astype("Int64")  # an Excel row number, or "—" where the problem has none
    if not any(table[c].replace("", pd.NA).notna().any() for c in order[:-1]):
        # problems of no file, sheet or cell (a merge refused, a database held): sentences, not empty columns
        st.markdown("\n".join(f"- {escape_markdown(message)}" for message in table["message"]))
        return
    widths = {"file": 120, "sheet": 90, "row": 44, "column": 120, "value": 80, "message": "large"}
    config = {tr(f"import.col.{c}"): st.column_config.Column(width=w) for c, w in widths.items()}  # type: ignore[arg-type]
    st.dataframe(
        table.rename(columns={c: tr(f"import.col.{c}") for c in order}), hide_index=True, width="stretch",
        column_config=config, row_height=_wrapped_height(table["message"]), placeholder="—",
    )  # fmt: skip


def _wrapped_height(texts: pd.Series) -> int | None:
    """A row height that shows the longest text whole: Streamlit wraps a cell's text only in rows taller than
    64 px. A wide (CJK) character counts twice; about 56 narrow characters fit on a line of the message column."""
    widest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(t)) for t in texts), default=0)
    lines = -(-widest // 56)
    return None if lines <= 1 else min(12 + 20 * max(lines, 3), 400)


def offer_demo() -> bool:
    """On an empty database: explain, and offer the demo organisation; True while still empty."""
    if not query(store.is_empty):
        return False
    st.info(tr("empty.body"), icon=":material/waving_hand:")
    from .ui_auth import actor

    who = actor()
    if not who.can("change"):
        st.caption(tr("auth.empty_viewer"))
        return True
    if st.button(tr("empty.demo_button"), type="primary", key="load_demo"):
        from . import demo

        with st.spinner(tr("empty.loading")):
            demo.load_demo(cursor(), model(), actor=who)
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
            tr("common.item"), options=[item_choice(i.key, titles_) for i in model().items], width="large"
        ),
        "product": st.column_config.TextColumn(tr("common.product")),
        "team": st.column_config.TextColumn(tr("common.team")),
        "group_name": st.column_config.TextColumn(tr("views.group")),
        "tags": st.column_config.TextColumn(tr("views.tags")),
        "linked_by": st.column_config.TextColumn(tr("feedback.linked_by")),
    }


def import_settings(prefix: str, fallback: dict[str, Any] | None = None) -> dict[str, Any]:
    """Round, its date, product, team and rater inputs; a blank one takes `fallback`'s value (the shared settings)."""
    fallback = fallback or {}
    # Two rows of three (when; who): five in a row cut their placeholders at 1024 px ("yyyy-mm-dc", "As the fil").
    left, day, _ = st.columns(3)
    mid, right, far = st.columns(3)
    round_name = left.text_input(
        tr("import.round"), key=f"{prefix}_round", help=tr("import.round_help"),
        placeholder=fallback.get("round_name") or tr("import.round_auto"),
    )  # fmt: skip
    held_on = day.date_input(
        tr("figures.round.held_on"), value=None, key=f"{prefix}_round_date", help=tr("figures.round.held_on_help"),
        format="YYYY-MM-DD",
    )  # fmt: skip
    product = mid.text_input(
        tr("import.product"), key=f"{prefix}_product", help=tr("import.product_help"),
        placeholder=fallback.get("product") or "",
    )  # fmt: skip
    team = right.text_input(
        tr("import.team"), key=f"{prefix}_team", help=tr("import.team_help"), placeholder=fallback.get("team") or ""
    )
    rater = far.selectbox(
        tr("import.rater"), [None, "team", "sre"], key=translated(f"{prefix}_rater"), help=tr("import.rater_help"),
        format_func=lambda r: tr("import.from_file") if r is None else tr(f"import.rater.{r}"),
        placeholder=tr("import.from_file"),
    )  # fmt: skip
    return {
        "round_name": round_name.strip() or fallback.get("round_name"),
        "round_date": held_on or fallback.get("round_date"),
        "product": product.strip() or fallback.get("product"),
        "team": team.strip() or fallback.get("team"),
        "rater": rater or fallback.get("rater"),
    }


def import_options(
    round_name: str | None,
    round_date: Any,
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
        round=round_name or None, round_date=round_date, product=product or None, team=team or None, rater=rater,
        skip_invalid=skip_invalid, layout=layout, mappings=dict(mappings),
    )  # fmt: skip


@st.cache_resource(show_spinner=False, max_entries=4, ttl=900)
def _parsed(key: str, _request: Any, _limits: Any) -> Any:
    from .parsing import parse

    return parse(_request, _limits)


def parsed(name: str, data: bytes, options: Any) -> Any:
    """The file read and parsed in the fenced worker, once per bytes and parse options: the preview and the
    import button share it (kept a while for every session: it is never changed, only read)."""
    from .importer import parse_request

    request = parse_request(cursor(), name, data, model(), options, settings())
    return _parsed(request.key, request, settings().worker)


@st.cache_data(show_spinner=False, max_entries=64)
def _preview(
    key: str, options: str, db: str, signature: tuple[int, ...], _name: str, _data: bytes, _options: Any
) -> Any:
    from .importer import preview

    return preview(cursor(), _name, _data, model(), _options, parsed(_name, _data, _options))


def import_preview(name: str, data: bytes, options: Any) -> Any:
    """What importing the file would do, and its first rows; cached per file, options and data revision."""
    from .importer import parse_request

    with st.spinner(tr("import.running", file=name)):
        key = parse_request(cursor(), name, data, model(), options, settings()).key
        return _preview(key, repr(options), db_path(), store.signature(db_path()), name, data, options)


def show_report(report: Any, *, preview: bool = False) -> None:
    """One file's outcome (or, for a preview, what would happen): status and counts, what the user
    should know, and every problem as a table."""
    status = report.status
    counts = tr("import.counts", responses=report.answered, notes=report.notes)
    shown = "would_import" if preview and status == "imported" else status
    label = f"{escape_markdown(report.file)}: {tr('import.status.' + shown)}"  # a file name is data, never markup
    if status == "rejected":
        st.error(
            tr("import.rejected_title", file=escape_markdown(report.file), count=len(report.problems)),
            icon=":material/block:",
        )
        st.caption(tr("import.rejected_hint" if report.skippable else "roles.rejected_hint_whole"))
    elif status == "duplicate":
        st.info(label, icon=":material/info:")
    elif preview:
        st.info(f"{label} · {counts}" + (f" · {report.round}" if report.round else ""), icon=":material/search:")
    else:
        st.success(
            f"{label} · {counts}" + (f" · {report.round}" if report.round else ""), icon=":material/check_circle:"
        )
    if report.messages:
        with st.expander(tr("import.messages"), expanded=status != "rejected"):
            st.markdown("\n".join(f"- {escape_markdown(said(m))}" for m in report.messages))  # they quote the file
    if report.problems:
        problems_table(report.problems)


MAPPINGS_KEY = "imp_mappings"


def widget_key(prefix: str, text: str) -> str:
    """A widget key that belongs to `text` (a header, a file name), not to its position on the page."""
    return f"{prefix}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def mapping_step(columns: list[Any]) -> None:
    """Let a person choose the role of every column the importer did not know or found twice (product, team,
    rater, an item's level, a category's importance, ignore …), and the item or category the role needs.

    Columns chosen in this session stay listed so a choice can be changed; a new choice reruns the page so every
    preview uses it, and a real import remembers it by header for the next file.
    """
    from .formats.roles import CATEGORY_ROLES, ITEM_ROLES, ROLES, decode, encode

    mappings: dict[str, str] = st.session_state.setdefault(MAPPINGS_KEY, {})
    read = {c.header: c for c in columns}
    asked = ("unknown", "conflict", "ambiguous")
    twice = {h for h in read if sum(c.header == h and c.how == "conflict" for c in columns) > 1}  # only renaming helps
    shown = list(dict.fromkeys([*(c.header for c in columns if c.how in asked and c.header not in twice), *mappings]))
    if not shown:
        return
    st.markdown(f"**{tr('roles.mapping')}**")
    st.caption(tr("roles.mapping_help"))
    names = titles()
    items = [i.key for i in model().items]
    categories = [c.key for c in model().categories]
    changed = False
    for header in shown:
        role_key, item_key = widget_key("imp_map", header), widget_key("imp_mapkey", header)
        before = decode(mappings[header]) if header in mappings else (None, None)
        st.session_state.setdefault(role_key, before[0])
        left, right = st.columns([1, 1])
        as_read = read.get(header)

        def role_label(role: str | None, as_read: Any = as_read) -> str:
            if role is not None:
                return tr(f"msg.role.{role}")
            if as_read is not None and as_read.how == "ambiguous":
                named = tr("list.separator").join(tr(f"msg.role.{r}") for r in as_read.candidates)
                return tr("roles.ambiguous", roles=named)
            if as_read is None or as_read.role is None:
                return tr("roles.unknown")
            if as_read.how == "unknown":
                return tr("roles.unknown_ignored")
            return tr("roles.as_read", role=tr(f"msg.role.{as_read.role}"))

        role = left.selectbox(
            escape_markdown(header), [None, *ROLES], key=translated(role_key), format_func=role_label,
            placeholder=role_label(None), help=tr("roles.role_help"),
        )  # fmt: skip
        key: str | None = None
        if role in ITEM_ROLES | CATEGORY_ROLES:
            choices: list[str | None] = [*categories] if role in CATEGORY_ROLES else [None, *items]
            st.session_state.setdefault(item_key, before[1] if before[1] in choices else choices[0])
            if st.session_state[item_key] not in choices:
                st.session_state[item_key] = choices[0]
            key = right.selectbox(
                tr("roles.category" if role in CATEGORY_ROLES else "roles.item"), choices, key=translated(item_key),
                format_func=lambda k: tr("roles.each_row") if k is None else f"{k} {names.get(k, '')}",
                placeholder=tr("roles.each_row"),
            )  # fmt: skip
        chosen = encode(role, key) if role else None
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

    # Where the teams behind the line differ from round to round, a step can move only because a team came or went:
    # the line can follow the teams that answered every round instead (one team's line needs no such choice).
    steady = team is None and st.toggle(tr("trend.steady"), key="trend_steady", help=tr("trend.steady.help"))
    trend = query(metrics.trend, product=product, team=team, steady=steady)
    if steady:
        kept = len(query(metrics.steady_teams, product, team))
        st.caption(tr("trend.steady.kept", n=kept))
    if trend.empty:
        st.info(tr("trend.steady.none") if steady else tr("pages.trend.none"))
        return
    ordered = query(store.rounds)
    rounds = ordered.loc[ordered["answered"], "name"].tolist()
    names = {"round": tr("common.round"), "category": tr("common.category"), "n": tr("common.n"),
             "teams": tr("trend.tip.teams"), "items": tr("trend.tip.items"), "step": tr("trend.tip.step")}  # fmt: skip
    points = views.trend_points(trend, rounds, titles(), tr)
    st.altair_chart(charts.trend_lines(points, tr("common.level"), titles=names, rounds=rounds), width="stretch")
    st.caption(tr("trends.caption"))
    for note in views.trend_notes(trend, rounds, tr):
        st.caption(escape_markdown(note))


def download(frame: pd.DataFrame, file_name: str, key: str, context: dict[str, str | None] | None = None) -> None:
    """A CSV download of the data behind a view: headers in the UI language, titles beside keys, the
    `context` (product, team; the round by default) as columns, numbers as on screen, formula-like
    text neutralised."""
    from .export import csv_bytes
    from .reports import translator
    from .views import download_frame

    # Read here: the file is made on another thread, when the button is clicked (not on every run: a heatmap's
    # CSV and the table behind it took a third of a warm rerun of its page). No download reruns its page
    # (`on_click="ignore"`, on every page): the rerun's start drops the messages still queued for the browser, the
    # file's address among them when the file was ready first, and the button then spins for ever.
    language, names, where = lang(), titles(), {**(context or {}), "round": current_round()}
    st.download_button(
        tr("common.download_csv"),
        lambda: csv_bytes(download_frame(frame, names, translator(language), where), language),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


def table(frame: pd.DataFrame | pa.Table, **options: Any) -> None:
    """A display table: full width, no index, figures with two decimals (1.73, not 1.733333 or a bare
    2 beside 2.4), counts with thousands separators (60,000; a column of numbers that are names, such as an
    import's number, is given its own `column_config`), "—" in an empty cell (Streamlit would write "None")."""
    if isinstance(frame, pa.Table):
        floats = [f.name for f in frame.schema if pa.types.is_floating(f.type)]
        counts = [f.name for f in frame.schema if pa.types.is_integer(f.type)]
    else:
        floats = [column for column in frame.columns if pd.api.types.is_float_dtype(frame[column])]
        counts = [column for column in frame.columns if pd.api.types.is_integer_dtype(frame[column])]
    figures = {column: st.column_config.NumberColumn(format="%.2f") for column in floats}
    figures |= {column: st.column_config.NumberColumn(format="localized") for column in counts}
    config = figures | options.pop("column_config", {})
    defaults = {"hide_index": True, "width": "stretch", "placeholder": tr("pages.missing"), "column_config": config}
    st.dataframe(frame, **(defaults | options))


def imports_list(imports: pd.DataFrame | pa.Table) -> None:
    """The imports as the Overview and Import pages list them (`views.imports_table`): counts with thousands
    separators, an import's number as the undo picker names it (#1756, not #1,756), and a file's long name cut
    to a column of its own width (whole on hover): it pushed the counts beside it off the right edge."""
    table(imports, column_config={tr("views.import_id"): st.column_config.NumberColumn(format="%d"),
                                  tr("views.file"): st.column_config.TextColumn(width="medium")})  # fmt: skip


def url_values(*names: str) -> dict[str, str | None]:
    """The URL's query parameters `names` as the page was opened, read before a bound widget drops a
    value it does not offer (a bookmark to a team that no longer exists)."""
    return {name: st.query_params.get(name) for name in names}


NOTES_PAGE = 30  # notes drawn as cards at first, and how many more each "show more" adds
NOTE_CLIP = 600  # characters of a note shown on its card; the whole text opens below it
# Streamlit wraps a table cell's text only when rows are taller than 4rem (64 px): three lines of text.
WRAPPED_ROW_HEIGHT = 72


def note_cards(notes: pd.DataFrame, search: str | None = None, *, key: str = "notes", page: int = NOTES_PAGE) -> None:
    """Workshop notes as cards: the whole text wrapped, search hits highlighted, where it came from
    below. The text is data, never markup: it is escaped before markdown sees it.

    `page` cards at first and a button for `page` more (each card is three elements: a hundred drawn on every
    run were most of the Feedback page's time); a new search or filter starts again from the first page."""
    from .markup import escape, highlighted

    names = titles()
    listed = (len(notes), search, tuple(notes["note_id"].head(page)) if "note_id" in notes.columns else ())
    kept = st.session_state.get(f"{key}_shown")
    shown = kept[1] if isinstance(kept, tuple) and kept[0] == listed else page
    if len(notes) > shown:
        st.caption(tr("pages.feedback.shown", shown=shown, n=f"{len(notes):,}"))
    for note in notes.head(shown).itertuples(index=False):
        with st.container(border=True):
            text = str(note.text)
            if len(text) <= NOTE_CLIP:
                st.markdown(highlighted(text, search))
            else:  # a pasted document would push every other note off the page
                st.markdown(highlighted(text[:NOTE_CLIP].rstrip(), search) + " …")
                with st.expander(tr("notes.whole", n=f"{len(text):,}")):
                    st.markdown(highlighted(text, search))
            tags = ", ".join(note.tags) if isinstance(note.tags, list | tuple) else ""
            item = tr("pages.feedback.unlinked") if _missing(note.item_key) else names.get(note.item_key, note.item_key)
            if _missing(note.product):  # a board that named neither (read "nan · nan" before)
                product, team = "", tr("roles.unplaced_note")
            else:
                product = escape(note.product)
                team = tr("roles.product_note") if _missing(note.team) else escape(note.team)
            where = [product, team, highlighted(note.group_name, search),
                     highlighted(tags, search), escape(item)]  # fmt: skip
            st.caption(" · ".join(part for part in where if part))
    if len(notes) > shown:
        more = min(page, len(notes) - shown)
        st.button(
            tr("notes.more", n=more), key=f"{key}_more", icon=":material/expand_more:",
            on_click=_show_more, args=(f"{key}_shown", listed, shown + more),
        )  # fmt: skip


def _show_more(state_key: str, listed: tuple, count: int) -> None:
    st.session_state[state_key] = (listed, count)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def action_section(product: str, team: str, items: pd.DataFrame) -> None:
    """The team's improvement actions: open and overdue counts, the actions (an editable table saved on request
    for an admin or a member of the team, else read-only), whether finished ones moved their item, and a new
    action proposed from one of its gaps."""
    from .actions import action_progress, add_action, list_actions
    from .reports import progress_texts
    from .ui_auth import actor

    who = actor()
    may = who.can("change", (product, team))
    found = query(list_actions, product, team)
    left, right = st.columns(2)
    left.metric(tr("loop.actions.open"), int(found["open"].sum()))
    right.metric(tr("loop.actions.overdue"), int(found["overdue"].sum()))
    if found.empty:
        st.info(tr("pages.team.no_actions"))
    else:
        shown = found[["id", "item", "title", "owner", "status", "due", "note"]].copy()
        shown["item"] = [titles().get(k, k) if isinstance(k, str) else "" for k in shown["item"]]
        for column in ("owner", "note"):  # an empty text cell, never "None"
            shown[column] = shown[column].astype(object).where(shown[column].notna(), "")
        moved = progress_texts(query(action_progress, product, team), tr)  # finished actions: did the item move?
        shown["moved"] = [moved.get(int(i), "") for i in shown["id"]]
        shown = shown[["id", "title", "status", "moved", "item", "owner", "due", "note"]]  # the move beside "done"
        if may:
            _action_editor(shown, who)
        else:  # a viewer reads the actions, never an editor
            shown["status"] = [tr(f"views.status.{s}") for s in shown["status"]]
            table(shown.rename(columns={"id": "#", "item": tr("common.item"), "title": tr("views.action"),
                                        "owner": tr("views.owner"), "status": tr("views.status"),
                                        "due": tr("views.due"), "note": tr("loop.actions.note"),
                                        "moved": tr("reports.col.moved")}))  # fmt: skip
    if "actions_saved" in st.session_state:
        st.success(tr("loop.actions.saved", count=st.session_state.pop("actions_saved")))
    gaps = items[items["priority"].fillna(0) > 0]["item"].tolist()[:10]
    if gaps and may:
        with st.form("new_action"):
            st.markdown(f"**{tr('loop.actions.new')}**")
            item = st.selectbox(
                tr("loop.actions.from_gap"), gaps, format_func=lambda k: f"{k} {titles().get(k, k)}",
                key=translated("new_action_item"), placeholder=choose(),
            )  # fmt: skip
            title = st.text_input(tr("views.action"), key="new_action_title", placeholder=tr("loop.actions.proposed"))
            if st.form_submit_button(tr("loop.actions.add")):
                proposed = tr("loop.actions.title", item=titles().get(item, item))
                try:
                    add_action(cursor(), product, team, title=title.strip() or proposed, item=item, actor=who)
                    st.session_state["actions_saved"] = 1
                    st.rerun()
                except OpmaturityError as error:
                    show_error(error)


def _action_editor(shown: pd.DataFrame, who: Actor) -> None:
    """The team's actions as an editable table, saved (as `who`) when the button is pressed."""
    from .actions import STATUSES, ActionChange, set_action

    edited = st.data_editor(
        shown, key="actions_editor", hide_index=True, width="stretch", disabled=["id", "item", "moved"],
        column_config={
            "id": st.column_config.NumberColumn("#", width="small"),
            "item": st.column_config.TextColumn(tr("common.item")),
            "title": st.column_config.TextColumn(tr("views.action"), required=True, max_chars=500, width="medium"),
            "owner": st.column_config.TextColumn(tr("views.owner")),
            "status": st.column_config.SelectboxColumn(
                tr("views.status"), options=list(STATUSES), required=True,
                format_func=lambda s: tr(f"views.status.{s}"),
            ),
            "due": st.column_config.DateColumn(tr("views.due"), format="YYYY-MM-DD"),
            "note": st.column_config.TextColumn(tr("loop.actions.note")),
            "moved": st.column_config.TextColumn(tr("reports.col.moved"), help=tr("reports.col.moved_help")),
        },
    )  # fmt: skip
    if st.button(tr("loop.actions.save"), key="actions_save"):
        changed = 0
        try:
            for before, after in zip(shown.itertuples(), edited.itertuples(), strict=True):
                change = ActionChange(
                    title=_changed(before.title, after.title), owner=_changed(before.owner, after.owner, ""),
                    status=_changed(before.status, after.status), due=_changed(before.due, after.due, ""),
                    note=_changed(before.note, after.note, ""),
                )  # fmt: skip
                if change != ActionChange():
                    set_action(cursor(), int(before.id), change, actor=who)
                    changed += 1
            st.session_state["actions_saved"] = changed
            st.rerun()
        except OpmaturityError as error:
            show_error(error)


def _changed(before: Any, after: Any, cleared: str | None = None) -> Any:
    """`after` where it differs from `before`, `cleared` where a value was emptied, else None (unchanged)."""
    empty_before = before is None or (not isinstance(before, str) and pd.isna(before))
    empty_after = after is None or (not isinstance(after, str) and pd.isna(after)) or after == ""
    if empty_before and empty_after:
        return None
    if empty_after:
        return cleared
    if not empty_before and before == after:
        return None
    return after
