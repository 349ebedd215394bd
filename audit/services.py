"""Writes to the audit log: one function, called by every privileged service."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from audit.chain import GENESIS, link
from audit.models import AuditEvent


def event_body(event: AuditEvent) -> dict[str, Any]:
    """What the hash covers (everything but the hashes themselves)."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "payload": event.payload,
    }


def record_event(
    *, actor: Any, action: str, target: models.Model | None = None, payload: dict | None = None
) -> AuditEvent:
    """Append one event to the chain.

    Runs inside the caller's transaction; the last event row is locked so that two
    concurrent appends cannot take the same sequence number (the unique ``seq`` backs it).
    """
    with transaction.atomic():
        last = AuditEvent.objects.select_for_update().order_by("-seq").first()
        event = AuditEvent(
            seq=(last.seq + 1) if last else 1,
            occurred_at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "email", "") or "",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            # Plain JSON values only (UUIDs, dates, decimals become strings) so that the
            # hash computed now equals the hash recomputed from the stored row.
            payload=json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder)),
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = link(event.prev_hash, event_body(event))
        event.save()
        return event


def verify_audit_log() -> tuple[bool, str]:
    """Re-check the whole chain; return (ok, message naming the first bad event)."""
    prev = GENESIS
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seq").iterator():
        if event.seq != expected_seq:
            return False, f"événement #{expected_seq} manquant (trouvé #{event.seq})"
        if event.prev_hash != prev or link(prev, event_body(event)) != event.hash:
            return False, f"événement #{event.seq} altéré"
        prev = event.hash
        expected_seq += 1
    return True, f"{expected_seq - 1} événements vérifiés"
