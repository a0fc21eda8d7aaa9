"""Import: several exports at once; per file the detected layout, a preview and every problem before
anything is written; a mapping step for unknown headers; then the result, and the history with undo."""

import numbers

import streamlit as st

from opmaturity import audit, importer, store, ui, ui_auth, views
from opmaturity.errors import OpmaturityError

tr, actor = ui.tr, ui_auth.actor()
st.title(tr("import.title"))
st.caption(tr("import.intro"))

uploads = st.file_uploader(
    tr("import.upload"), accept_multiple_files=True, key="uploads", help=tr("import.upload_help"),
    type=["csv", "tsv", "txt", "xlsx", "xlsm", "json"],
)  # fmt: skip
shared = ui.import_settings("imp")  # for every file, where the file does not say
skip_invalid = bool(st.session_state.get("imp_skip"))  # offered below, only where skipping rows can help
mappings: dict[str, str] = st.session_state.setdefault(ui.MAPPINGS_KEY, {})

ready, columns, skippable = [], [], False
for upload in uploads or []:
    data = upload.getvalue()
    with st.container(border=True):
        st.markdown(f"**{ui.escape_markdown(upload.name)}**")
        with st.expander(tr("import.file_settings")):
            own = ui.import_settings(ui.widget_key("imp_file", upload.name), shared)
            layout = st.selectbox(
                tr("import.layout_override"), [None, *importer.LAYOUTS],
                key=ui.translated(ui.widget_key("imp_layout", upload.name)),
                format_func=lambda k: tr("import.layout_auto") if k is None else tr(f"import.layout.{k}"),
                placeholder=tr("import.layout_auto"),
            )  # fmt: skip
        options = ui.import_options(**own, skip_invalid=skip_invalid, layout=layout, mappings=mappings)
        report, rows = ui.import_preview(upload.name, data, options)
        if report.layout:  # a file refused before its layout was known says why below, not "layout: ?"
            st.caption(tr("import.layout_detected", layout=views.layout_name(report.layout, tr)))
        ui.show_report(report, preview=True)
        if len(rows):
            with st.expander(tr("import.preview_rows", count=len(rows))):
                st.dataframe(rows, hide_index=True, width="stretch")
    columns += report.columns
    skippable = skippable or report.skippable or (skip_invalid and bool(report.problems))
    if report.status == "imported":
        ready.append((upload.name, data, options))
ui.mapping_step(columns)
if skippable:
    st.checkbox(tr("import.skip_invalid"), key="imp_skip", help=tr("import.skip_invalid_help"))

if uploads and st.button(tr("import.run"), type="primary", disabled=not ready, key="imp_run"):
    progress = st.progress(0.0)
    st.session_state["imp_results"] = []
    for done, (name, data, options) in enumerate(ready, start=1):
        progress.progress((done - 1) / len(ready), text=tr("import.running", file=name))
        try:
            report = importer.import_file(
                ui.cursor(), name, data, ui.model(), options, ui.parsed(name, data, options), actor=actor
            )
        except OpmaturityError as error:  # e.g. the session was signed out meanwhile
            ui.show_error(error)
            break
        st.session_state["imp_results"].append(report)
    progress.progress(1.0, text=tr("import.progress", done=len(ready), total=len(ready)))
for report in st.session_state.get("imp_results", []):
    ui.show_report(report)

remembered = ui.query(store.header_mappings)
if remembered:
    box = st.expander(tr("import.remembered", n=len(remembered)), key="imp_remembered", on_change="rerun")
    if box.open:  # made only while open, as the Model page's item tables
        with box:
            st.dataframe(views.mappings_table(remembered, ui.titles(), tr), hide_index=True, width="stretch")
            forget = st.multiselect(
                tr("import.forget"), sorted(remembered), key="imp_forget", placeholder=ui.choose_many()
            )
            if forget and st.button(tr("import.forget_button", n=len(forget)), key="imp_forget_run"):
                store.forget_mappings(ui.cursor(), forget, actor=actor)
                st.rerun()

st.subheader(tr("import.history"))
history = ui.query(store.import_history)
if history.empty:
    st.caption(tr("import.history_empty"))
else:
    ui.imports_list(ui.shown(views.imports_table, store.import_history))
    live = history[history["undone_at"].isna()]
    files = dict(zip(live["import_id"], live["file_name"], strict=True))
    gone = st.session_state.get("imp_undo_pick")
    if gone is not None and gone not in files:  # undone, here or meanwhile elsewhere: the picker starts again
        if isinstance(gone, numbers.Integral) and gone != st.session_state.get("imp_undone"):  # elsewhere: say so
            st.info(tr("import.undo_gone", import_id=int(gone)), icon=":material/undo:")
        # Set, not dropped: the browser then shows the picker empty (it kept showing the file undone).
        st.session_state["imp_undo_pick"] = None
        st.session_state["imp_undo_confirm"] = False
    choice = st.selectbox(
        tr("import.undo"), [None, *files], key=ui.translated("imp_undo_pick"),
        format_func=lambda i: tr("import.undo_pick") if i is None else f"#{i} {files[i]}",
        placeholder=tr("import.undo_pick"),
    )  # fmt: skip
    sure = False
    if choice is not None:  # say what goes, and ask: an undo takes a whole file's answers away
        row = live[live["import_id"] == choice].iloc[0]
        st.warning(
            tr("figures.undo.what", import_id=int(choice), file=ui.escape_markdown(files[choice]),
               answers=int(row["responses"]), notes=int(row["notes"]), replaced=int(row["replaced"])),
            icon=":material/undo:",
        )  # fmt: skip
        sure = st.checkbox(tr("figures.undo.confirm"), key="imp_undo_confirm")
    if choice is not None and st.button(tr("import.undo"), key="imp_undo", disabled=not sure):
        try:
            store.undo_import(ui.cursor(), int(choice), actor=actor)
            st.session_state["imp_undone"] = int(choice)
            st.rerun()
        except OpmaturityError as error:
            ui.show_error(error)
if "imp_undone" in st.session_state:
    st.success(tr("import.undone", import_id=st.session_state.pop("imp_undone")))

st.subheader(tr("auth.audit.title"))
st.caption(tr("auth.audit.caption"))
changes = ui.query(audit.recent)
if changes.empty:
    st.caption(tr("auth.audit.empty"))
else:
    ui.table(ui.shown(views.audit_table, audit.recent))
