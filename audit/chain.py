"""Hash chain arithmetic shared by the audit log and the ballot log (pure, no Django)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, value: Any) -> str:
    """Hash of one entry: SHA-256 over the previous hash and the canonical entry."""
    return hashlib.sha256((prev_hash + "\n" + canonical(value)).encode("utf-8")).hexdigest()
