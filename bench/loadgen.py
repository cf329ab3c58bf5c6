"""A small HTTP load generator: client threads, each on one keep-alive connection, asking for one
path for a fixed time; requests per second and the latency percentiles of the answers.

Good enough to compare two servers on the same machine in the same run (the generator's own cost
falls on both alike); it is not a replacement for `wrk` when absolute figures matter.
"""
from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class LoadResult:
    """What one load run saw: answers (200s), failures and each answer's latency in seconds."""

    ok: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]  # sorted

    @property
    def rps(self) -> float:
        """Successful requests per second over the run."""
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The latency below which `share` (0-1) of the answers fell (nearest rank)."""
        if not self.latencies:
            return float("nan")
        rank = max(1, min(len(self.latencies), math.ceil(share * len(self.latencies))))
        return self.latencies[rank - 1]

    @property
    def p50(self) -> float:
        """The median latency in seconds."""
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        """The 99th percentile latency in seconds."""
        return self.percentile(0.99)


def run_load(host: str, port: int, path: str, *, concurrency: int = 4, duration: float = 3.0,
             headers: Mapping[str, str] | None = None, expect: int = 200) -> LoadResult:
    """Ask for `path` from `concurrency` threads for `duration` seconds, each thread on its own
    keep-alive connection; an answer other than `expect` counts as an error."""
    headers = dict(headers or {})
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client() -> None:
        mine: list[float] = []
        failed = 0
        conn = http.client.HTTPConnection(host, port, timeout=60)
        start.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            elapsed = time.perf_counter() - t0
            if response.status == expect:
                mine.append(elapsed)
            else:
                failed += 1
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return LoadResult(len(latencies), errors[0], seconds, tuple(sorted(latencies)))


def get(host: str, port: int, path: str, headers: Mapping[str, str] | None = None,
        timeout: float = 10) -> tuple[int, str]:
    """One GET on a fresh connection: the status and the body as text."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def sign_in(host: str, port: int, username: str, password: str) -> dict[str, str]:
    """Sign in through the register's own form (CSRF token and all) and return the headers that
    carry the session, for `run_load`."""
    import re

    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request("GET", "/sign-in")
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        _cookies(response, jar)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        form = {"username": username, "password": password}
        if found:
            form["csrf_token"] = found.group(1)
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn.request("POST", "/sign-in", body=urlencode(form),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Cookie": cookie})
        response = conn.getresponse()
        response.read()
        _cookies(response, jar)
        if response.status not in (302, 303):
            raise RuntimeError(f"signing in as {username} answered {response.status}")
    finally:
        conn.close()
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def submit_form(host: str, port: int, path: str, fields: Mapping[str, str],
                headers: Mapping[str, str]) -> tuple[int, str, dict[str, str]]:
    """Fill in a signed-in form as a browser does: GET `path` for its CSRF token, then POST
    `fields` with it. The answer's status and Location, and the headers (cookies updated) to go
    on with."""
    import re

    jar = dict(pair.split("=", 1) for pair in
               (part.strip() for part in headers.get("Cookie", "").split(";")) if "=" in pair)
    conn = http.client.HTTPConnection(host, port, timeout=120)
    try:
        conn.request("GET", path, headers=dict(headers))
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        _cookies(response, jar)
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        form = {**fields, **({"csrf_token": found.group(1)} if found else {})}
        sent = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", path, body=urlencode(form), headers=sent)
        response = conn.getresponse()
        response.read()
        _cookies(response, jar)
        location = response.getheader("Location") or ""
    finally:
        conn.close()
    return response.status, location, {**headers,
                                       "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
