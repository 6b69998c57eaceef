"""Writing SSDA903 files: for tests (rows given as dicts) and the benchmark (issue 16:
``write_benchmark(directory, episodes=10_000)`` writes a realistic extract of that many
episodes, valid throughout, to time an import by hand).

    from imports.ssda903.synthetic import write_benchmark
    files = write_benchmark(Path("/tmp/903"), episodes=10_000)
    # manage.py import_ssda903 --authority 886 --header /tmp/903/header.csv ...
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path

from children.identifiers import upn_check_letter

from . import codes


def csv_bytes(columns, rows, *, encoding: str = "utf-8") -> bytes:
    """A CSV file of ``rows`` (dicts; missing values blank) under ``columns``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def write_extract(directory: Path, *, header, episodes, uasc=None) -> dict[str, Path]:
    """Write header.csv, episodes.csv (and uasc.csv) in ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "header": (codes.HEADER_COLUMNS, header),
        "episodes": (codes.EPISODE_COLUMNS, episodes),
    }
    if uasc is not None:
        files["uasc"] = (codes.UASC_COLUMNS, uasc)
    paths = {}
    for name, (columns, rows) in files.items():
        paths[name] = directory / f"{name}.csv"
        paths[name].write_bytes(csv_bytes(columns, rows))
    return paths


def dmy(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def valid_upn(la_code: str, serial: int) -> str:
    rest = f"{la_code}{serial % 10000:04d}24{serial // 10000 % 1000:03d}"
    return upn_check_letter(rest) + rest


def synthetic_rows(
    episodes: int, *, la_code: str = "886", last_day: date = date(2025, 3, 31), seed: int = 903
):
    """Header and episode rows for about ``episodes`` episodes: children of 1 to 5
    episodes each (a start, moves, a change of legal status, some leaving care)."""
    rng = random.Random(seed)
    header, rows = [], []
    places = [p for p in codes.PLACE if p not in ("Z11", "Z12", "Z13", "Z14")]
    n = 0
    while len(rows) < episodes:
        n += 1
        child = f"S{n:06d}"
        born = date(2006, 1, 1) + timedelta(days=rng.randrange(0, 15 * 365))
        header.append(
            {
                "CHILD": child,
                "SEX": rng.choice("12MF"),
                "DOB": dmy(born),
                "ETHNIC": "WBRI",
                "UPN": valid_upn(la_code, n),
            }
        )
        count = min(rng.randint(1, 5), episodes - len(rows))
        day = max(born + timedelta(days=30), date(2022, 4, 1)) + timedelta(
            days=rng.randrange(0, 300)
        )
        leaves = rng.random() < 0.2
        for i in range(count):
            last = i == count - 1
            length = rng.randrange(20, 120)
            end = day + timedelta(days=length) if not last or leaves else None
            if end is not None and end > last_day:
                end = None
            rows.append(
                {
                    "CHILD": child,
                    "DECOM": dmy(day),
                    "RNE": "S" if i == 0 else rng.choice("PTLBU"),
                    "LS": rng.choice(codes.LS),
                    "CIN": rng.choice(codes.CIN),
                    "PLACE": rng.choice(places),
                    "PLACE_PROVIDER": rng.choice(codes.PLACE_PROVIDER),
                    "DEC": dmy(end),
                    "REC": "" if end is None else ("E13" if last else "X1"),
                    "REASON_PLACE_CHANGE": rng.choice(("", "CARPL", "CHILD")),
                    "HOME_POST": "ME14 1XX",
                    "PL_POST": "CT1 2AB",
                    "URN": f"SC{rng.randrange(100000, 999999)}",
                }
            )
            if end is None:
                break
            day = end
    return header, rows


def write_benchmark(directory: Path, *, episodes: int = 10_000, la_code: str = "886"):
    """Write a synthetic extract of ``episodes`` episodes (issue 16's benchmark)."""
    header, rows = synthetic_rows(episodes, la_code=la_code)
    return write_extract(Path(directory), header=header, episodes=rows)
