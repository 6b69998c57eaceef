"""Pages under load: gunicorn with the benchmark settings on loopback, and a small asyncio
client keeping ``users`` requests in flight for ``seconds`` per page (bounded: a fixed
time, loopback only, one connection per request). Each page is compared with /bench/bare/
(an authenticated short page served by the same server in the same run)."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # to the end: the server closes the connection
    writer.close()
    elapsed = time.perf_counter() - started
    try:
        status = int(status_line.split()[1])
    except (IndexError, ValueError):
        status = 0
    return status, elapsed


async def _hammer(port: int, path: str, cookies: list[str], seconds: float) -> dict:
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    async def user(cookie: str) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            try:
                status, elapsed = await _get(port, path, cookie)
            except OSError:
                status, elapsed = 0, 0.0
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1

    await asyncio.gather(*(user(c) for c in cookies))
    if not latencies:
        return {"p50_ms": None, "p95_ms": None, "errors": errors, "requests": 0}
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "errors": errors,
        "requests": len(latencies),
    }


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(pages: dict[str, tuple[object, str]], *, users: int, seconds: float, workers: int):
    """``pages``: name -> (user, path), "bare" among them. Returns (results, web MB)."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, loopback)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "epep.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "epep.settings.bench"},
    )
    try:
        cookies = {name: session_cookie(user) for name, (user, _path) in pages.items()}
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.5)
        results = {}
        for name, (_user, path) in pages.items():
            # Warm each worker once, then measure.
            asyncio.run(_hammer(port, path, [cookies[name]] * workers, 1.0))
            results[name] = asyncio.run(_hammer(port, path, [cookies[name]] * users, seconds))
        children = _children_of(server.pid)
        memory = max((_rss_mb(pid) for pid in children), default=0.0)
        return results, round(memory, 1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(entry.name))
    return out
