"""The benchmark's own database: on the same server as DATABASE_URL / DATABASE_OWNER_URL,
under another name (``epep_bench`` by default), never the demo's or the tests'. Created and
migrated as the table owner; a marker table records which dataset it holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_NAME = "epep_bench"
MARKER = "synthetic_dataset"
ROOT = Path(__file__).resolve().parents[2]


def url_for(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def urls(name: str = DEFAULT_NAME) -> tuple[str, str]:
    """(application role URL, owner URL) of the benchmark database."""
    app = os.environ["DATABASE_URL"]
    owner = os.environ.get("DATABASE_OWNER_URL", app)
    for url in (app, owner):
        current = urlsplit(url).path.lstrip("/")
        if current == name:
            raise SystemExit(f"The benchmark database must not be {current}.")
    if name.startswith("test_") or name == urlsplit(owner).path.lstrip("/"):
        raise SystemExit(f"Refusing to use {name}: it is the application's or a test database.")
    return url_for(app, name), url_for(owner, name)


def ensure_database(name: str, *, drop: bool = False) -> None:
    owner = os.environ.get("DATABASE_OWNER_URL", os.environ["DATABASE_URL"])
    with psycopg.connect(owner, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(name: str) -> None:
    _app, owner = urls(name)
    env = {**os.environ, "DATABASE_URL": owner}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (scale text NOT NULL, seed integer NOT NULL, "
                "digest text NOT NULL, counts jsonb NOT NULL, details jsonb NOT NULL, "
                "loaded_at timestamptz NOT NULL DEFAULT now())"
            ).format(sql.Identifier(MARKER))
        )


def marker(name: str) -> dict | None:
    """What the database holds: {scale, seed, digest, counts, details}, or None."""
    return marker_at(urls(name)[1])


def marker_at(owner: str) -> dict | None:
    """``marker`` of the database at the owner's URL ``owner``."""
    try:
        with psycopg.connect(owner) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT scale, seed, digest, counts, details FROM {} "
                    "ORDER BY loaded_at DESC LIMIT 1"
                ).format(sql.Identifier(MARKER))
            ).fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    if row is None:
        return None
    return dict(zip(("scale", "seed", "digest", "counts", "details"), row, strict=True))
