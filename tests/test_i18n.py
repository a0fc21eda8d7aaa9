import ast
import re
from pathlib import Path

import pytest

from opmaturity import actions, audit, auth, i18n

ROOT = Path(__file__).resolve().parents[1]


def test_every_string_has_japanese_and_english():
    for key, texts in i18n.catalog().items():
        assert texts["ja"] and texts["en"], key


def test_placeholders_are_the_same_in_both_languages():
    for key, texts in i18n.catalog().items():
        assert set(re.findall(r"{(\w+)[:}]", texts["ja"])) == set(re.findall(r"{(\w+)[:}]", texts["en"])), key


def test_every_literal_key_the_app_uses_exists():
    used = set()
    for path in [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), ROOT / "opmaturity" / "ui.py"]:
        used |= set(re.findall(r"""\btr\(\s*["']([\w.]+)["']\s*[,)]""", path.read_text(encoding="utf-8")))
    missing = sorted(used - set(i18n.catalog()))
    assert used and missing == []


def test_english_agrees_with_its_count_and_japanese_needs_no_plural():
    assert i18n.t("feedback.count", "en", n=1) == "1 note" and i18n.t("feedback.count", "en", n=0) == "0 notes"
    assert i18n.t("feedback.count", "en", n=12) == "12 notes" and i18n.t("feedback.count", "ja", n=1) == "1 件のメモ"
    assert i18n.t("figures.perception.unrated", "en", n=1).startswith(
        "1 team without both a self-assessment and an SRE assessment in this round is not drawn"
    )
    assert i18n.t("import.counts", "en", responses=1, notes=2) == "1 answer, 2 notes"


def test_no_english_string_says_a_plural_noun_after_a_count_that_can_be_one():
    """`{n} notes` reads "1 notes": a count's noun is written `{n} {n:note|notes}`. The counts that are never one
    (sizes, limits, characters) are listed."""
    never_one = {"backup.found", "backup.restored", "cli.backup.wrote", "cli.backup.restored", "cli.demo_loaded",
                 "msg.read.too_many_rows", "msg.read.too_many_rows_at_least",
                 "pages.feedback.shown"}  # fmt: skip
    nouns = "notes|answers|teams|items|rows|problems|mappings|respondents"
    bare = re.compile(rf"{{(\w+)(?::[^}}|]*)?}} (?:sticky )?(?:{nouns})\b")
    found = sorted(key for key, texts in i18n.catalog().items()
                   if key not in never_one and not key.endswith(".other") and bare.search(texts["en"]))  # fmt: skip
    assert found == []


def test_t_fills_placeholders_and_falls_back_to_japanese():
    assert i18n.t("sidebar.database", "en", path="x.duckdb") == "Database: x.duckdb"
    assert i18n.t("nav.team", "fr") == i18n.t("nav.team", "ja")
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "en")


# --- every key the package uses exists, every key of the catalogue is used -------------------------------

SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "opmaturity").rglob("*.py"))]
# Calls whose argument at this position is a catalogue key: tr/t/Message/Error.of/Problem.of(key, ...), say(args, key).
KEY_ARGUMENT = {"tr": 0, "t": 0, "Message": 0, "of": 0, "say": 1}


def _dynamic() -> dict[str, set[str]]:
    """Keys the code builds at run time (an f-string or `"prefix." + x`), by the pattern as written: each
    pattern must be listed here with every key it can build, so a new one cannot go unchecked."""
    from opmaturity.formats.roles import ROLES
    from opmaturity.formats.tidy import MEASURES
    from opmaturity.importer import LAYOUTS
    from opmaturity.metrics import COLUMNS, HEATMAP_METRICS, RATERS, ROWS, STATUSES
    from opmaturity.reports import ROUND_SHEETS

    statuses = {"imported", "would_import", "duplicate", "rejected"}
    return {
        "metric.{}": {f"metric.{m}" for m in HEATMAP_METRICS},
        "metric.{}.help": {f"metric.{m}.help" for m in HEATMAP_METRICS},
        "heatmap.rows.{}": {f"heatmap.rows.{r}" for r in ROWS},
        "heatmap.columns.{}": {f"heatmap.columns.{c}" for c in COLUMNS},
        "import.layout.{}": {f"import.layout.{k}" for k in LAYOUTS},
        "import.rater.{}": {f"import.rater.{r}" for r in RATERS},
        "common.rater.{}": {f"common.rater.{r}" for r in RATERS},
        "import.col.{}": {f"import.col.{c}" for c in ("file", "sheet", "row", "column", "value", "message")},
        "import.status.{}": {f"import.status.{s}" for s in statuses},
        "views.status.{}": {f"views.status.{s}" for s in actions.STATUSES},
        "cli.status.{}": {f"cli.status.{s}" for s in statuses},
        "cli.summary.{}": {
            f"cli.summary.{s}" for s in ("top_gaps", "perception_gaps", "disagreements", "org_weak_items", "changes")
        },
        "cli.figure.{}": {
            f"cli.figure.{f}"
            for f in (
                "change",
                "gap",
                "importance",
                "level",
                "mean_level",
                "mean_target",
                "perception_gap",
                "previous_level",
                "priority",
                "sd",
                "share_below",
                "sre_level",
                "target",
                "team_level",
            )
        },  # fmt: skip
        "count.{}.{}": {
            f"count.{noun}.{n}"
            for noun in ("answers", "problems", "rounds", "products", "teams")
            for n in ("one", "other")
        },
        "msg.import.new.{}": {f"msg.import.new.{kind}" for kind in ("rounds", "products", "teams")},
        "msg.import.{}_all": {f"msg.import.{verb}_all" for verb in ("created", "would_create")},
        "msg.role.{}": {f"msg.role.{r}" for r in (*ROLES, "item", "category", "round", "tier")},
        "msg.kind.{}": {f"msg.kind.{k}" for k in ("pdf", "png", "jpeg", "gif", "xlsb", "ods")},
        "msg.measure.{}": {f"msg.measure.{m}" for m in MEASURES},
        "msg.model.what.{}": {f"msg.model.what.{w}" for w in ("tier", "category", "item")},
        "msg.read.named_but_{}": {"msg.read.named_but_csv", "msg.read.named_but_json"},
        "msg.settle.repeats.{}": {"msg.settle.repeats.one", "msg.settle.repeats.other"},
        "msg.model.{}": set(),  # _Checker.fail(entry, key): the keys come from its calls (see _used)
        "cli.action.status.{}": {f"cli.action.status.{s}" for s in actions.STATUSES},
        "common.status.{}": {f"common.status.{s}" for s in STATUSES},
        "pages.spread_shown.{}": {f"pages.spread_shown.{s}" for s in STATUSES},  # views.DOWNLOAD_CODES
        "pages.hearing.field.{}": {f"pages.hearing.field.{f}" for f in ("product", "team", "round", "team_n",
                                                                         "sre_n", "notes", "actions")},
        "pages.hearing.sheet.{}": {f"pages.hearing.sheet.{f}" for f in ("overview", "agenda", "categories", "items",
                                                                         "notes", "actions")},
        "pages.hearing.topic.{}": {f"pages.hearing.topic.{t}" for t in ("priority", "team_vs_sre",
                                                                         "members_disagree")},
        "pages.scope.{}": {"pages.scope.tier", "pages.scope.product"},
        "pages.layout.{}": {"pages.layout.demo"},  # views.layout_name: the demo's layout beside the importer's
        "feedback.linked_by.{}": {"feedback.linked_by.rule", "feedback.linked_by.person"},  # views' code prefixes
        "pages.team.unknown_{}": {"pages.team.unknown_product", "pages.team.unknown_team"},
        "reports.sheet.{}": {f"reports.sheet.{s}" for s in ROUND_SHEETS},
        **_model_file_keys(),
        "msg.auth.{}": {f"msg.auth.{r}" for r in auth.RIGHTS},
        "auth.signed_in.{}": {f"auth.signed_in.{r}" for r in ("admin", "member", "viewer")},
        "auth.audit.action.{}": {f"auth.audit.action.{a}" for a in audit.ACTIONS},
        "auth.audit.detail.{}": {f"auth.audit.detail.{d}" for d in audit.DETAILS},
    }  # fmt: skip


def _model_file_keys() -> dict[str, set[str]]:
    """The model template's sheets, headers and settings (model_files.py) and the model version messages."""
    from opmaturity.model_files import SETTINGS, SHEETS

    columns = {c for cols in SHEETS.values() for c in cols}
    sheets = {f"modelfile.sheet.{s}" for s in SHEETS}
    settings = {f"modelfile.setting.{s}" for s in SETTINGS}
    cols = {f"modelfile.col.{c}" for c in columns}
    problems = (
        "missing_column",
        "missing_sheet",
        "needs_text",
        "needs_whole",
        "rater",
        "replaces_itself",
        "twice",
        "unknown_category",
        "unknown_replaces",
        "unknown_setting",
    )
    return {
        "modelfile.sheet.{}": sheets,
        "modelfile.setting.{}": settings,
        "modelfile.col.{}": cols,
        "modelfile.col.guide_{}": {"modelfile.col.guide_ja", "modelfile.col.guide_en"},
        "modelfile.{}.{}": sheets | settings | cols,
        "msg.modelfile.{}": {f"msg.modelfile.{k}" for k in problems},
        "mv.change.category.{}": {f"mv.change.category.{c}" for c in ("added", "retired", "retitled")},
        "mv.change.tier.{}": {f"mv.change.tier.{c}" for c in ("added", "retired", "retitled")},
        "mv.change.target.{}": {f"mv.change.target.{c}" for c in ("model", "tier", "item")},
        "mv.origin.{}": {"mv.origin.shipped", "mv.origin.imported"},
    }


# Used by the charts and pages branches of issue 7 (charts.py tooltips, views.py download codes) while they
# are in flight; drop each from this set once its use is merged and the scan finds it.
IN_FLIGHT: set[str] = set()


def _pattern(node: ast.AST) -> str | None:
    """`metric.{}` for f"metric.{m}" or "metric." + m; None for anything else."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
        return f"{node.left.value}{{}}"
    return None


def _used() -> tuple[set[str], set[str], set[str]]:
    """(literal keys, dynamic patterns, every string constant) of the whole package, pages and app."""
    literal: set[str] = set()
    patterns: set[str] = set()
    constants: set[str] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}  # f-string pieces
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
                constants.add(node.value)
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = node.args
            if name in ("Advice", "advise") and args and isinstance(args[0], ast.Constant):
                literal |= {f"advice.{args[0].value}.{surface}" for surface in i18n.SURFACES}
            elif name == "counted" and len(args) > 1 and isinstance(args[1], ast.Constant):
                literal |= {f"count.{args[1].value}.one", f"count.{args[1].value}.other"}
            elif name == "fail" and path.name == "model.py" and len(args) > 1 and isinstance(args[1], ast.Constant):
                literal.add(f"msg.model.{args[1].value}")
            elif name in KEY_ARGUMENT and len(args) > KEY_ARGUMENT[name]:
                arg = args[KEY_ARGUMENT[name]]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    literal.add(arg.value)
                elif isinstance(arg, ast.IfExp):  # Message("a" if x else "b")
                    literal |= {b.value for b in (arg.body, arg.orelse) if isinstance(b, ast.Constant)}
                elif (found := _pattern(arg)) and not found.startswith("{}"):
                    patterns.add(found)
    return literal, patterns, constants


def test_every_key_the_package_uses_exists_in_both_languages():
    literal, patterns, constants = _used()
    literal |= {c for c in constants if re.match(r"^(msg|cli|advice|count|where|list|widget)\.[\w.]+$", c)}
    dynamic = _dynamic()
    assert sorted(patterns - set(dynamic)) == [], "a key built at run time: list it in _dynamic()"
    expanded = set().union(*dynamic.values())
    missing = sorted((literal | expanded) - set(i18n.catalog()))
    assert len(literal) > 200 and missing == []


def test_every_key_of_the_catalogue_is_used():
    literal, _, constants = _used()
    # A key may also be used as data: views.py maps columns to keys in dicts, then translates them.
    used = literal | set().union(*_dynamic().values()) | (constants & set(i18n.catalog())) | IN_FLIGHT
    assert sorted(set(i18n.catalog()) - used) == []


def test_the_core_writes_no_text_for_a_person_only_message_keys():
    offenders = []
    for path in (ROOT / "opmaturity").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[-1] if name in ("append", "once") else node.args[0]
            is_text = isinstance(first, ast.JoinedStr) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            )
            target = ast.unparse(node.func)
            if name in ("OpmaturityError", "Problem", "Invalid", "problem", "once") and is_text:
                offenders.append(f"{path.name}:{node.lineno} {target}")
            if name == "append" and target.endswith(("messages.append", "problems.append")) and is_text:
                offenders.append(f"{path.name}:{node.lineno} {target}")
    assert offenders == []
