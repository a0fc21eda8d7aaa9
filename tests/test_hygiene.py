"""The core runs without Streamlit, and the code base stays lint-clean."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "model",
    "store",
    "batch",
    "charts",
    "export",
    "views",
    "cli",
    "i18n",
    "demo",
    "metrics",
    "importer",
    "notes",
    "markup",
    "feedback",
    "readers",
    "settings",
    "summary",
    "values",
    "dates",
    "formats",
    "auth",
    "audit",
]


def test_core_modules_import_without_streamlit():
    code = (
        "import sys\n"
        + "".join(f"import opmaturity.{m}\n" for m in CORE)
        + (
            "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
            "print(','.join(bad))\n"
        )
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_only_ui_imports_streamlit_in_the_package():
    streamlit_side = ("ui.py", "ui_auth.py")  # the dashboard's glue, and its sign-in
    imports = re.compile(r"^\s*(import|from)\s+streamlit", re.M)
    offenders = [
        p.name for p in (ROOT / "opmaturity").rglob("*.py")
        if p.name not in streamlit_side and imports.search(p.read_text(encoding="utf-8"))
    ]  # fmt: skip
    assert offenders == []


def test_pages_hold_no_sql():
    for page in (ROOT / "app_pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s", text), page.name


def test_ruff_lint_and_format_are_clean():
    # Run as `python -m ruff`: a missing ruff is a failure to install the dev requirements, never a silent skip.
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True,
                         text=True)  # fmt: skip
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_finds_no_type_errors_in_the_package():
    checked = subprocess.run([sys.executable, "-m", "mypy", "opmaturity"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_no_page_script_leans_on_streamlit_magic():
    """.streamlit/config.toml turns "magic" off (a bare expression is not written to the page, and each script
    compiles without the extra parse): an expression statement other than a call would silently show nothing."""
    import ast
    import tomllib

    assert tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    bare = []
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        documented = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef)))]
        docstrings = {id(n.body[0]) for n in documented if n.body and isinstance(n.body[0], ast.Expr)}
        bare += [f"{path.name}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Expr)
                 and id(node) not in docstrings and not isinstance(node.value, (ast.Call, ast.Await))]  # fmt: skip
    assert bare == []
