"""The bare twin of `flask verify-audit`: a hash-chain walk with sqlite3, json and hmac alone.

`python -m bench.chain_walk DATABASE KEY_FILE` reads every audit event in order, recomputes its
HMAC-SHA256 over the same fields as the register's keyed chain, checks each link to the previous
event, and exits 1 at the first event that does not verify.
"""
from __future__ import annotations

import hmac
import json
import sqlite3
import sys

GENESIS = "0" * 64


def walk(database: str, key: bytes) -> tuple[int, str | None]:
    """Walk the chain: (events verified, None) or (events before the bad one, why)."""
    conn = sqlite3.connect(database)
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode
    prev = GENESIS
    count = 0
    try:
        for row in conn.execute(
                "SELECT seq, at, actor, action, entity, entity_id, changes, prev_hash,"
                " content_sha256, hash_kind, hash FROM audit_events ORDER BY seq"):
            if row[7] != prev:
                return count, f"event {row[0]}: broken link"
            expected = hmac.digest(key, encode(list(row[:10])).encode("utf-8"), "sha256").hex()
            if not hmac.compare_digest(expected, row[10]):
                return count, f"event {row[0]}: wrong hash"
            prev = row[10]
            count += 1
    finally:
        conn.close()
    return count, None


def main(argv: list[str]) -> int:
    """Walk DATABASE's chain with the key in KEY_FILE (hex); print the count."""
    with open(argv[1], encoding="ascii") as handle:
        key = bytes.fromhex(handle.read().strip())
    count, problem = walk(argv[0], key)
    print(f"{count} events verified" if problem is None else problem)
    return 0 if problem is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
