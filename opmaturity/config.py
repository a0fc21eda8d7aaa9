"""Where things live: the package's own files, resolved from the package location, never the cwd; and the
defaults the environment may change (settings.py reads the environment)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "models"  # shipped with the package (package data), like sql/ and strings/
DEFAULT_MODEL_PATH = MODELS_DIR / "default.yaml"
SQL_DIR = PACKAGE_DIR / "sql"

# In a checkout (beside app.py) the database lives in data/; an installed package keeps it in the user's data
# folder (settings.data_dir).
IS_CHECKOUT = (PROJECT_DIR / "app.py").is_file()
LEGACY_SECRET_PATH = PROJECT_DIR / "data" / "secret.key"  # where versions before 0.2 kept it, beside the database

LOCK_WAIT_SECONDS = 30.0  # how long the command line waits for the dashboard (or another import) to let go
PAGE_WAIT_SECONDS = 8.0  # how long a page waits before it says another program holds the file
