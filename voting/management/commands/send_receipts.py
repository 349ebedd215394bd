"""``manage.py send_receipts [--loop]``: send the queued receipt e-mails of casts.

Once (cron) or ``--loop`` (a service next to gunicorn): every ``--interval`` seconds when
the queue is empty, at once while it is not. Stops cleanly on SIGTERM or Ctrl-C.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from voting.receipts import send_pending_receipts


class Command(BaseCommand):
    help = "Send the receipt e-mails queued by casts (once, or in a loop with --loop)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--loop", action="store_true", help="keep running (a service)")
        parser.add_argument("--interval", type=float, default=2.0,
                            help="seconds between two looks at an empty queue (default 2)")
        parser.add_argument("--batch", type=int, default=100,
                            help="receipts claimed per transaction (default 100)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["batch"] < 1 or options["interval"] <= 0:
            raise CommandError("--batch doit être au moins 1 et --interval positif.")
        if not options["loop"]:
            total = 0
            while done := send_pending_receipts(limit=options["batch"]):
                total += done
                if done < options["batch"]:
                    break
            self.stdout.write(f"{total} reçu(s) traité(s).")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_a: stopping.append(True))
        try:
            while not stopping:
                close_old_connections()
                try:
                    done = send_pending_receipts(limit=options["batch"])
                except DatabaseError as exc:  # the database restarts: try again later
                    self.stderr.write(f"send_receipts: {exc}")
                    done = 0
                if done < options["batch"]:
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            pass
