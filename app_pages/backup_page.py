"""Backup: the whole database as one zip to download (Parquet files and a checked manifest), and a restore
from such a zip that replaces the data only after the backup was rebuilt and checked, keeping the old file."""

import tempfile
from datetime import datetime

import streamlit as st

from opmaturity import backup, ui, ui_auth
from opmaturity.errors import OpmaturityError

tr = ui.tr
who = ui_auth.actor()
st.title(tr("backup.title"))

st.subheader(tr("backup.make"))
st.caption(tr("backup.make_caption"))
st.download_button(
    tr("backup.download"), data=lambda: ui.using_database(backup.backup_archive, actor=who),
    file_name=f"opmaturity-backup-{datetime.now():%Y%m%d-%H%M}.zip", mime="application/zip", key="backup_download",
    icon=":material/download:", on_click="ignore",
)  # fmt: skip

st.subheader(tr("backup.restore"))
st.caption(tr("backup.restore_caption"))
upload = st.file_uploader(tr("backup.upload"), type=["zip"], key="backup_upload")
if upload is not None:
    with tempfile.TemporaryDirectory(prefix="opmaturity-restore-") as folder:
        try:
            manifest = backup.unpack_archive(upload.getvalue(), folder, upload.name)
        except OpmaturityError as error:
            ui.show_error(error)
            st.stop()
        tables: dict = manifest["tables"]  # type: ignore[assignment]
        st.markdown(
            tr("backup.found", created=ui.escape_markdown(manifest.get("created_at", "?")),
               version=manifest["schema_version"], rows=f"{sum(int(t['rows']) for t in tables.values()):,}")
        )  # fmt: skip
        sure = st.checkbox(tr("backup.confirm"), key="backup_confirm")
        if st.button(tr("backup.run"), type="primary", disabled=not sure, key="backup_run"):
            ui.release_database()  # this run's own connection: the file is about to be swapped
            try:
                with st.spinner(tr("backup.running")):
                    done = backup.replace_database(folder, ui.db_path(), actor=who, wait=ui.settings().page_wait)
            except OpmaturityError as error:
                ui.show_error(error)
            else:
                st.session_state["backup_restored"] = (sum(done.restored.counts.values()), str(done.kept))
if "backup_restored" in st.session_state:
    rows, kept = st.session_state.pop("backup_restored")
    st.success(tr("backup.restored", rows=f"{rows:,}", kept=ui.escape_markdown(kept)))
