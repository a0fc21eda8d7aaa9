"""Feedback: workshop notes, searchable and filtered; a person can change the item a note is linked to."""

import streamlit as st

from opmaturity import feedback, ui, ui_auth, views
from opmaturity.errors import OpmaturityError

tr, actor = ui.tr, ui_auth.actor()
st.title(tr("feedback.title"))
if ui.offer_demo():
    st.stop()
round_name = ui.current_round()
titles = ui.titles()
facets = ui.query(feedback.note_facets, round_name)

query = st.text_input(tr("feedback.search"), key="q", bind="query-params")
# Two rows (five filters in one cut their value to "（すべて" at 1024 px): product, team and the item (its titles are
# long); then the board's group and tag.
who, where = st.columns([1, 1, 2]), st.columns(2)


def everything(value: str | None) -> str:
    return tr("feedback.all") if value is None else value


product = who[0].selectbox(
    tr("common.product"),
    [None, *facets["products"]],
    key=ui.translated("product"),
    bind="query-params",
    format_func=everything,
    placeholder=everything(None),
)
team = who[1].selectbox(
    tr("common.team"),
    [None, *facets["teams"]],
    key=ui.translated("team"),
    bind="query-params",
    format_func=everything,
    placeholder=everything(None),
)
tag = where[1].selectbox(
    tr("views.tags"),
    [None, *facets["tags"]],
    key=ui.translated("tag"),
    bind="query-params",
    format_func=everything,
    placeholder=everything(None),
)
group = where[0].selectbox(
    tr("views.group"),
    [None, *facets["groups"]],
    key=ui.translated("group"),
    bind="query-params",
    format_func=everything,
    placeholder=everything(None),
)
item = who[2].selectbox(
    tr("common.item"), [None, *facets["items"]], key=ui.translated("item"), placeholder=tr("feedback.all"),
    format_func=lambda k: tr("feedback.all") if k is None else titles.get(k, k),
)  # fmt: skip

notes = ui.query(
    feedback.notes_table, round_name, product=product, team=team, tag=tag, group=group, item=item,
    query=query or None,
)  # fmt: skip
st.caption(tr("feedback.count", n=len(notes)))
if notes.empty:
    filtered = query or any(v is not None for v in (product, team, tag, group, item))
    st.info(tr("pages.feedback.none_match") if filtered else tr("pages.feedback.none_in_round", round=round_name))
    st.stop()
ui.note_cards(notes, query)

if actor.can("change"):  # only who may change sees the relink editor
    # The editor (every note's row) is made only while the box is open: closed, it was a tenth of each run.
    relink = st.expander(tr("pages.feedback.relink"), key="relink", on_change="rerun")
    if relink.open:
        with relink:
            st.caption(tr("pages.feedback.relink_help"))
            edited = st.data_editor(
                views.note_editor_frame(notes, titles),
                hide_index=True,
                width="stretch",
                disabled=[c for c in views.NOTE_EDITOR_COLUMNS if c != "item"],
                column_config=ui.note_editor_config(),
                row_height=ui.WRAPPED_ROW_HEIGHT,
                placeholder=tr("pages.missing"),
                key="notes_editor",
            )
            changes = views.relinked_notes(notes, edited, titles)
            if changes and st.button(tr("feedback.save_links", n=len(changes)), type="primary"):
                try:
                    for note_id, item_key in changes.items():
                        feedback.relink_note(ui.cursor(), note_id, item_key, actor=actor)
                    st.session_state["notes_saved"] = len(changes)
                    st.rerun()
                except OpmaturityError as error:
                    ui.show_error(error)
if "notes_saved" in st.session_state:
    st.success(tr("feedback.saved", n=st.session_state.pop("notes_saved")))
ui.download(notes, f"notes-{round_name}.csv", key="notes_csv")
