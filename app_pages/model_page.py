"""Model: versions (download, upload with a preview), the level scale, categories and items, tiers and targets,
rounds."""

import streamlit as st

from opmaturity import model_files, model_versions, pictures, store, targets, templates, ui, ui_auth, views
from opmaturity.errors import OpmaturityError

tr, lang, model, actor = ui.tr, ui.lang(), ui.model(), ui_auth.actor()
st.title(tr("model.title"))
st.caption(
    ui.escape_markdown(model.title.get(lang, model.key)) + " · " + tr("mv.page.version_now", version=model.version)
)

st.subheader(tr("mv.page.versions"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
left, middle, right = st.columns(3)
left.download_button(tr("mv.page.download_xlsx"), lambda: model_files.model_xlsx(model, lang), key="model_xlsx",
                     file_name=f"{model.key}-v{model.version}.xlsx", mime=XLSX, on_click="ignore")  # fmt: skip
middle.download_button(tr("mv.page.download_yaml"), lambda: model_files.model_yaml(model).encode("utf-8"),
                       file_name=f"{model.key}-v{model.version}.yaml", mime="application/yaml",
                       key="model_yaml", on_click="ignore")  # fmt: skip
right.download_button(tr("mv.page.download_form"), lambda: templates.apps_script(model, lang).encode("utf-8"),
                      file_name=f"{model.key}-form.gs", mime="text/plain", key="model_form",
                      help=tr("mv.page.download_form.help"), on_click="ignore")  # fmt: skip
ui.table(ui.shown(views.versions_table, model_versions.versions))

# --- change control: a new model version (upload -> preview -> confirm) ---------------------------------------
# A saved file leaves the uploader (a new key): kept, it was previewed again as "the same as the current model"
# beside "saved as version N".
uploads = st.session_state.get("model_uploads", 0)
upload = st.file_uploader(tr("mv.page.upload"), type=["xlsx", "yaml", "yml"], help=tr("mv.page.upload.help"),
                          key="model_upload" + (f"_{uploads}" if uploads else ""))  # fmt: skip
if upload is not None:
    try:
        found = model_versions.preview(ui.cursor(), upload.name, upload.getvalue(), model)
    except OpmaturityError as error:
        ui.show_error(error)
    else:
        if found.unchanged:
            st.info(tr("mv.page.unchanged", version=found.version_before))
        else:
            for warning in found.warnings():
                st.warning(ui.escape_markdown(ui.said(warning)), icon=":material/history:")
            st.markdown(tr("mv.page.preview", before=found.version_before, after=found.version_after))
            st.markdown(
                "\n".join(
                    f"- {ui.escape_markdown(ui.said(line))}" for line in model_versions.change_lines(found.changes)
                )
            )
            if st.button(tr("mv.page.confirm"), key="model_confirm", type="primary"):
                st.session_state["model_saved"] = model_versions.save(ui.cursor(), found, actor=ui_auth.actor())
                st.session_state["model_uploads"] = uploads + 1
                st.rerun()
if saved_version := st.session_state.pop("model_saved", None):
    st.success(tr("mv.page.saved", version=saved_version))
# --- end of change control: model upload ------------------------------------------------------------------------

st.subheader(tr("model.scale"))
ui.table(views.levels_table(model, lang, tr))

st.subheader(tr("model.items"))
for category in model.categories:
    # A category's items are made and sent only while its box is open (twelve tables on every run were a third
    # of the page's time, for boxes that are mostly closed); opening one reruns the page.
    box = st.expander(
        f"{category.key} · {category.title(lang)} ({len(category.items)})", key=f"items_{category.key}",
        on_change="rerun",
    )  # fmt: skip
    if box.open:
        with box:
            ui.table(views.items_table(model, lang, category.key, tr))

st.subheader(tr("model.tiers"))
ui.table(views.tiers_table(model, lang, tr))

# --- change control: targets per tier and item ------------------------------------------------------------------
st.markdown(f"**{tr('mv.page.targets')}**")
defaults = ", ".join(f"{t.key} {t.default_target}" for t in model.tiers)
st.caption(tr("mv.page.targets.caption", top=model.max_level, defaults=defaults))
grid = targets.tier_item_grid(ui.query(targets.tier_item_cells), model, lang)  # read once for both languages
labels = [tr("pages.col.key"), tr("common.item")]
labels += [tr("mv.page.targets.column", tier=t.key, default=t.default_target) for t in model.tiers]
with st.form("tier_item_targets"):
    edited = st.data_editor(
        grid.set_axis(labels, axis=1), key="targets_grid", hide_index=True, width="stretch", disabled=labels[:2],
        placeholder="—", column_config={label: st.column_config.NumberColumn(
            label, min_value=model.min_level, max_value=model.max_level, step=1, format="%d") for label in labels[2:]},
    )  # fmt: skip
    if st.form_submit_button(tr("mv.page.targets.save"), key="targets_save"):
        try:
            changed = targets.save_tier_item_targets(
                ui.cursor(), model, edited.set_axis(grid.columns, axis=1), actor=ui_auth.actor()
            )
            st.session_state["targets_saved"] = changed
            st.rerun()
        except OpmaturityError as error:
            ui.show_error(error)
if (count := st.session_state.pop("targets_saved", None)) is not None:
    st.success(tr("mv.page.targets.saved", count=count))
# --- end of change control: targets per tier and item -----------------------------------------------------------

st.markdown(f"**{tr('mv.page.overrides')}**")
targets_set = ui.derived(pictures.targets_table)  # labelled once per data change and language
if targets_set is None:
    st.info(tr("pages.model.no_targets"))
else:
    ui.table(targets_set)
titles = ui.titles()

with st.form("set_target"):
    st.markdown(f"**{tr('model.set_target')}**")
    scopes = ui.derived(pictures.target_scopes)  # every tier, product and team: 1,200 at 1,000 teams
    scope = st.selectbox(
        tr("model.target_scope"), list(scopes), format_func=scopes.__getitem__, key=ui.translated("target_scope"),
        placeholder=ui.choose(),
    )  # fmt: skip
    item = st.selectbox(
        tr("common.item"), [None, *(i.key for i in model.items)],
        format_func=lambda k: tr("model.all_items") if k is None else f"{k} {titles[k]}",
        key=ui.translated("target_item"), placeholder=tr("model.all_items"),
    )  # fmt: skip
    level = st.select_slider(
        tr("common.target"), options=[lv.level for lv in model.levels], value=model.default_target, key="target_level"
    )
    if st.form_submit_button(tr("model.set_target")):
        kind, name = scope.split(":", 1)
        where = dict(zip(("product", "team"), name.split("\x1f", 1), strict=True)) if kind == "team" else {kind: name}
        try:
            store.set_target(ui.cursor(), level, item=item, actor=actor, **where)
            st.session_state["target_saved"] = True
            st.rerun()
        except OpmaturityError as error:
            ui.show_error(error)
if st.session_state.pop("target_saved", False):
    st.success(tr("model.target_saved"))


# The product and the round are picked outside their forms (a pick inside a form changes nothing until it is sent,
# so the tier and the date shown were those of the one picked before, and saving wrote them to the new one), and the
# fields below belong to the one picked (their keys name it): the browser keeps a field's value while its key stays.
with st.container(border=True):
    st.markdown(f"**{tr('loop.tier.set')}**")
    st.caption(tr("loop.tier.caption"))
    products = ui.query(store.products)
    left, right = st.columns(2)
    chosen = left.selectbox(tr("common.product"), products["product"].tolist(), key="tier_product",
                            placeholder=ui.choose())  # fmt: skip
    current = products.loc[products["product"] == chosen, "tier"] if chosen is not None else ()
    keys = [t.key for t in model.tiers]
    with right.form("set_tier", border=False):
        tier = st.selectbox(
            tr("common.tier"), keys, key=ui.translated(ui.widget_key("tier_key", str(chosen))), placeholder=ui.choose(),
            index=keys.index(current.iloc[0]) if len(current) and current.iloc[0] in keys else None,
            format_func=lambda k: next(t.title(lang) for t in model.tiers if t.key == k),
        )  # fmt: skip
        if st.form_submit_button(tr("loop.tier.save")):
            try:
                store.set_product_tier(ui.cursor(), chosen, tier, actor=actor)
                st.session_state["tier_saved"] = True
                st.rerun()
            except OpmaturityError as error:
                ui.show_error(error)
if st.session_state.pop("tier_saved", False):
    st.success(tr("loop.tier.saved"))

with st.container(border=True):  # a team named anew in a later file: join its two names into one history
    st.markdown(f"**{tr('team.rename')}**")
    st.caption(tr("team.rename.caption"))
    known = ui.query(store.teams)
    left, middle = st.columns(2)
    product = left.selectbox(tr("common.product"), sorted(set(known["product"])), key="rename_product",
                             placeholder=ui.choose())  # fmt: skip
    names = known.loc[known["product"] == product, "team"].tolist() if product is not None else []
    team = middle.selectbox(tr("common.team"), names, key=ui.widget_key("rename_team", str(product)),
                            placeholder=ui.choose())  # fmt: skip
    with st.form("rename_team", border=False):
        new_team = st.text_input(tr("team.rename.new"), key=ui.widget_key("rename_to", f"{product}\x1f{team}"))
        if st.form_submit_button(tr("team.rename.save")):
            try:
                if product is None or team is None:
                    raise OpmaturityError.of("msg.store.team_pick")
                done = store.rename_team(ui.cursor(), product, team, new_team, actor=actor)
                st.session_state["team_renamed"] = (done, team, new_team.strip())
                st.rerun()
            except OpmaturityError as error:
                ui.show_error(error)
if (renamed := st.session_state.pop("team_renamed", None)) is not None:
    done, old, new = renamed
    said = dict(team=ui.escape_markdown(old), new_name=ui.escape_markdown(new))  # names are data, not markdown
    if done == "merged":
        st.success(tr("team.rename.merged", **said))
    elif done == "renamed":
        st.success(tr("team.rename.done", **said))
    else:
        st.info(tr("team.rename.unchanged", **said))

st.subheader(tr("model.rounds"))
rounds = ui.query(store.rounds)
if rounds.empty:
    st.info(tr("pages.model.no_rounds"))
else:
    ui.table(ui.shown(views.rounds_table, store.rounds))
    with st.container(border=True):
        st.markdown(f"**{tr('figures.round.edit')}**")
        st.caption(tr("figures.round.edit.caption"))
        chosen = st.selectbox(tr("common.round"), rounds["name"].tolist(), key="round_pick", placeholder=ui.choose())
        held = rounds.loc[rounds["name"] == chosen, "held_on"].dropna().dt.date if chosen is not None else ()
        day = held.iloc[0] if len(held) else None  # the chosen round's own date
        with st.form("edit_round", border=False):
            left, right = st.columns(2)
            new_name = left.text_input(
                tr("figures.round.new_name"),
                value="",
                key=ui.widget_key("round_name", str(chosen)),
                placeholder=tr("figures.round.keep_name"),
            )
            new_day = right.date_input(
                tr("figures.round.held_on"), value=day, key=ui.widget_key("round_day", str(chosen)), format="YYYY-MM-DD"
            )
            if st.form_submit_button(tr("figures.round.save")):
                try:  # only what the person changed is written, all of it or (refused) nothing
                    store.edit_round(
                        ui.cursor(), chosen, new_name=new_name.strip() or None,
                        held_on=new_day if new_day is not None and new_day != day else None, actor=actor,
                    )  # fmt: skip
                    st.session_state["round_saved"] = True
                    st.rerun()
                except OpmaturityError as error:
                    ui.show_error(error)
    if st.session_state.pop("round_saved", False):
        st.success(tr("figures.round.saved"))
