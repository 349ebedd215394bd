"""Keyed pseudonyms and receipt codes (see docs/threat-model.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    configured = getattr(settings, "BALLOT_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode("utf-8")
    # Derived, never equal to SECRET_KEY itself, so the secret is not reused as is.
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"pins-ballot-pseudonym",
                    hashlib.sha256).digest()


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 of a purpose-tagged value (codes, identifiers, identities)."""
    return hmac.new(_key(), f"{purpose}\n{value}".encode(), hashlib.sha256).hexdigest()


def voter_pseudonym(*, cycle_id: int, voter_id: int) -> str:
    """HMAC-SHA256 of (cycle, voter): links a ballot to its voter only for key holders."""
    message = f"{cycle_id}:{voter_id}".encode("ascii")
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def receipt_code(digest: str) -> str:
    """A short, readable code derived from a hex SHA-256 digest (a ballot's salted
    commitment, so the receipt is known at cast time and anyone can match it to its public
    log entry): ``ABCD-EFGH-JK``, the first 50 bits in base 32."""
    raw = base64.b32encode(bytes.fromhex(digest)[:7]).decode("ascii")[:10]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:10]}"
