"""Receipt e-mails, sent outside the cast: the cast queues a ``PendingReceipt`` in its own
transaction; ``manage.py send_receipts`` (once, or ``--loop`` as a service) sends them.

A vote therefore never waits for the mail server, and a mail failure never touches a vote.
The mail carries the receipt code, never the choices. The queue row names no address and no
code (see ``voting.models.PendingReceipt``): both are read when the mail leaves, the code as
the ballot's current one, through the keyed pseudonym.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from budgets.models import BudgetCycle
from voting.models import Ballot, PendingReceipt
from voting.secrecy import voter_pseudonym

logger = logging.getLogger(__name__)

DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


def receipts_wanted(voter: Any) -> bool:
    """Queue a receipt for this voter? Only with an address, and not when e-mail is
    switched off (the dummy backend, as the demonstration data load uses)."""
    return bool(voter.email) and settings.EMAIL_BACKEND != DUMMY_BACKEND


def receipt_message(cycle: BudgetCycle, code: str) -> tuple[str, str]:
    """(subject, body) of a receipt e-mail: the code, never the choices."""
    body = _(
        "Bonjour,\n\nVotre vote au %(cycle)s est enregistré.\nVotre code de reçu : %(code)s\n\n"
        "Vous pouvez vérifier sur le registre public que ce code y figure. Ce code ne révèle pas "
        "vos choix. Si vous n’avez pas voté, signalez-le à la mairie.\n"
    ) % {"cycle": cycle.name, "code": code}
    return _("Votre reçu de vote"), body


def send_pending_receipts(*, limit: int = 100) -> int:
    """Send up to ``limit`` queued receipts and delete their rows; return how many rows
    were done (mailed, refused by the server, or with nothing to send).

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so several senders never
    send one receipt twice. A recipient the mail server refuses is dropped (logged); any
    other mail error stops the batch and leaves the rest queued for the next run.
    """
    with transaction.atomic():
        batch = list(PendingReceipt.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("cycle", "voter").order_by()[:limit])
        if not batch:
            return 0
        by_pseudonym = {voter_pseudonym(cycle_id=r.cycle_id, voter_id=r.voter_id): r for r in batch}
        codes = dict(Ballot.objects.filter(cycle_id__in={r.cycle_id for r in batch},
                                           pseudonym__in=list(by_pseudonym))
                     .values_list("pseudonym", "receipt_code"))
        done = []
        mail = get_connection()
        try:
            for pseudonym, row in by_pseudonym.items():
                code = codes.get(pseudonym)
                if code and row.voter.email:
                    subject, body = receipt_message(row.cycle, code)
                    try:
                        send_mail(subject, body, None, [row.voter.email], connection=mail)
                    except smtplib.SMTPRecipientsRefused:
                        logger.warning("receipt e-mail refused for cycle %s", row.cycle_id)
                    except OSError:
                        logger.warning("receipt e-mails could not be sent (cycle %s); will retry",
                                       row.cycle_id)
                        break
                done.append(row.pk)  # sent, refused, or nothing to send (no ballot, no address)
        finally:
            mail.close()
        PendingReceipt.objects.filter(pk__in=done).delete()
    return len(done)
