"""mappings: the column roles a person chose on an earlier import, listed and forgotten from the command line as
on the Import page (`opmaturity mapping list|forget`), with the audit saying who forgot what."""

from __future__ import annotations

import json

import pytest

from opmaturity import audit, mappings, store
from opmaturity.auth import VIEWER, operator
from opmaturity.errors import OpmaturityError
from tests.test_cli import cli, snapshot
from tests.test_column_roles import DEPT_FORM


@pytest.fixture
def mapped(tmp_path, db_file):
    """A database that remembers two choices made with `import --map`: 所属部署 is the product, 温度感 [障害] the
    importance of the category INC."""
    path = tmp_path / "回答.csv"
    path.write_bytes(DEPT_FORM)
    done = cli("import", path, "--db", db_file, "--map", "所属部署=product",
               "--map", "温度感 [障害]=category_importance:INC")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return path


def test_mapping_list_shows_each_remembered_header_with_its_role_and_key(mapped, db_file):
    listed = cli("mapping", "list", "--db", db_file, "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout) == [
        {"header": "所属部署", "role": "product", "key": None},
        {"header": "温度感 [障害]", "role": "category_importance", "key": "INC"},
    ]
    text = cli("mapping", "list", "--db", db_file, "--lang", "ja")
    assert text.stdout.splitlines() == [
        "所属部署 → プロダクト",
        "温度感 [障害] → カテゴリの温度感: INC インシデント対応",
    ]


def test_mapping_forget_takes_the_header_as_the_file_wrote_it_and_the_next_file_is_read_afresh(mapped, db_file):
    gone = cli("mapping", "forget", "所属部署", "--db", db_file)
    assert (gone.returncode, gone.stdout) == (
        0, "Forgot 1 remembered column role(s) (the next file is read from its headers again):\n  - 所属部署\n",
    )  # fmt: skip
    assert json.loads(cli("mapping", "list", "--db", db_file, "--json").stdout) == [
        {"header": "温度感 [障害]", "role": "category_importance", "key": "INC"}
    ]
    # full-width brackets and doubled spaces: the header as another export writes it
    assert cli("mapping", "forget", "温度感　　［障害］", "--db", db_file, "--lang", "ja").returncode == 0
    assert cli("mapping", "list", "--db", db_file, "--lang", "ja").stdout == "記憶している列の役割はありません。\n"
    mapped.write_bytes(DEPT_FORM.replace(b"2024/05/20", b"2024/11/20"))  # the next round's export
    again = cli("import", mapped, "--db", db_file, "--dry-run", "--json")
    problems = json.loads(again.stdout)["files"][0]["problems"]
    assert again.returncode == 1 and [p["column"] for p in problems] == ["温度感 [障害]", ""]
    assert 'name the column that holds it (--map "HEADER=product")' in problems[1]["message"]
    con = store.connect(db_file)
    try:
        log = audit.recent(con)
        forgotten = log[log["action"] == "mapping_forget"]
        assert forgotten["subject"].tolist() == ["温度感 [障害]", "所属部署"]
        assert set(forgotten["actor"]) == {operator().name}
    finally:
        con.close()


def test_forgetting_a_header_nobody_mapped_names_it_and_the_nearest_and_forgets_nothing(mapped, db_file):
    before = snapshot(db_file)
    refused = cli("mapping", "forget", "所属部署", "所属部", "--db", db_file)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "error: Nothing was forgotten; the remembered column roles are unchanged.",
        '  - no role is remembered for "所属部"; remembered headers include "所属部署" '
        "(opmaturity mapping list shows all)",
    ]
    ja = cli("mapping", "forget", "部署", "--db", db_file, "--lang", "ja")
    assert "見出し「部署」の役割は記憶されていません。記憶している見出し: 「所属部署」" in ja.stderr
    assert snapshot(db_file) == before


def test_a_viewer_cannot_forget_and_nothing_changes(con, model):
    store.remember_mapping(con, "所属部署", "product")
    with pytest.raises(OpmaturityError) as refused:
        mappings.forget(con, ["所属部署"], actor=VIEWER)
    assert refused.value.title_text("en") == "Only an admin can change data."
    assert store.header_mappings(con) == {"所属部署": "product"}
    with pytest.raises(OpmaturityError) as nothing:
        mappings.forget(con, ["  "])
    assert nothing.value.text("en") == (
        "Nothing was forgotten; the remembered column roles are unchanged.\n- name at least one header to forget."
    )
