"""No respondent identity at rest: after importing exports full of e-mails and names through the command line,
no byte of the database file, its write-ahead log or anything else in its folder spells one of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ROOT / "tests" / "data" / "imports"
# Who the exports name (e-mail addresses and people's names), as they appear in the files.
IDENTITIES = ["tanaka@example.com", "sre-suzuki@example.com", "example.com", "tanaka", "suzuki", "山田", "佐藤"]


def test_no_email_or_name_is_anywhere_in_the_data_folder_after_imports(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "opmaturity.duckdb"
    env = {**os.environ, "OPMATURITY_SECRET": "privacy-test", "OPMATURITY_LOCK_WAIT": "5"}
    files = [IMPORTS / n for n in ("google_forms.csv", "google_forms_excel_cp932.csv", "ms_forms.xlsx", "tidy.csv",
                                   "tidy_people.csv", "miro_api.json")]  # fmt: skip
    present = [i for i in IDENTITIES if any(i.encode() in f.read_bytes() for f in files if f.suffix != ".xlsx")]
    assert {"tanaka@example.com", "sre-suzuki@example.com"} <= set(present)  # the exports do name people
    for path in files:
        done = subprocess.run(
            [sys.executable, "-m", "opmaturity", "import", str(path), "--db", str(db), "--product", "学び放題"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, done.stderr
    at_rest = sorted(p for p in folder.rglob("*") if p.is_file())
    assert db in at_rest
    for path in at_rest:  # the database, and its .wal where one is left
        data = path.read_bytes()
        for identity in IDENTITIES:
            for encoding in ("utf-8", "utf-16-le"):
                assert identity.encode(encoding) not in data, (path.name, identity, encoding)
