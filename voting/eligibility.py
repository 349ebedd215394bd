"""Who may vote in a cycle, in which envelopes, and how residents get verified.

A cycle admits residents of its communes (each votes in their commune's envelope and the
territory-wide one), optionally from a minimum age, and optionally only once verified.
Verification methods:

- voting codes: an administrator generates N single-use codes for a commune; the clear
  codes leave the system once, as a CSV for a mail merge; only a keyed digest is kept;
  a resident redeems one code once;
- in person: a facilitator of the resident's commune checks them at a meeting;
- voters list: an administrator imports a CSV of identifiers (only keyed digests are
  stored); a resident who enters an identifier of the list, of their commune, is verified.

Every refusal is a DomainError with a French message.
"""

from __future__ import annotations

import csv
import io
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle, Envelope
from budgets.models import Verification as Required
from budgets.roles import Role, has_role, is_administrator
from config.errors import Conflict, NotAllowed, NotEligible
from territory.models import Commune
from voting.models import EligibilityEntry, Verification, VerificationMethod, VotingCode
from voting.pg import pg_rows
from voting.secrecy import keyed_digest

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 50_000


def voter_envelopes(cycle: BudgetCycle, voter: Any) -> list[Envelope]:
    """Envelopes a voter may vote in: the territory-wide one and their commune's."""
    return [e for e in cycle.envelopes.all() if e.commune_id is None or e.commune_id == voter.commune_id]


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def cycle_communes(cycle: BudgetCycle) -> list[Commune]:
    return [e.commune for e in cycle.envelopes.select_related("commune") if e.commune is not None]


def require_resident(cycle: BudgetCycle, voter: Any) -> None:
    """Raise NotEligible unless the voter lives in a commune of the cycle and is old enough.

    Reads the cycle's envelopes through ``cycle.envelopes.all()``, so a cycle fetched with
    ``prefetch_related("envelopes")`` costs no query here (nor in ``voter_envelopes``); the
    commune names are only read to word a refusal.
    """
    commune_ids = {e.commune_id for e in cycle.envelopes.all() if e.commune_id is not None}
    if voter.commune_id is None or voter.commune_id not in commune_ids:
        communes = cycle_communes(cycle)
        raise NotEligible(
            _("Ce budget est réservé aux habitants de %(communes)s.")
            % {"communes": ", ".join(sorted(c.name for c in communes))}
        )
    if cycle.minimum_age:
        if voter.birth_date is None:
            raise NotEligible(_("Ce vote est ouvert à partir de %(age)d ans : indiquez votre date de "
                                "naissance dans votre profil (menu « Mon profil »).") % {"age": cycle.minimum_age})
        if age_on(voter.birth_date, timezone.localdate()) < cycle.minimum_age:
            raise NotEligible(_("Ce vote est ouvert à partir de %(age)d ans.") % {"age": cycle.minimum_age})


def verification_of(cycle: BudgetCycle, user: Any) -> Verification | None:
    return Verification.objects.filter(cycle=cycle, user=user).first()


def verification_method(cycle: BudgetCycle, user: Any) -> str | None:
    """How the user was verified for the cycle, or None: what every cast checks, in one
    small (prepared, on PostgreSQL) statement."""
    if connection.vendor == "postgresql":
        rows = pg_rows("SELECT method FROM voting_verification "
                       "WHERE cycle_id = %s::bigint AND user_id = %s::bigint", [cycle.pk, user.pk])
        return rows[0][0] if rows else None
    return Verification.objects.filter(cycle=cycle, user=user).values_list("method", flat=True).first()


def require_eligible(cycle: BudgetCycle, voter: Any) -> list[Envelope]:
    """Raise NotAllowed/NotEligible unless the voter may vote; return their envelopes."""
    if not getattr(voter, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour voter."))
    require_resident(cycle, voter)
    required = cycle.required_verification
    if required != Required.NONE:
        method = verification_method(cycle, voter)
        if method is None or (required != Required.ANY and method != required):
            raise NotEligible(
                _("Votre compte doit être vérifié avant de voter (%(how)s). Rendez-vous sur la page "
                  "« Vérifier mon compte ».") % {"how": Required(required).label}
            )
    return voter_envelopes(cycle, voter)


def _verify(*, cycle: BudgetCycle, user: Any, method: str, by: Any = None) -> Verification:
    """Record a verification; the caller runs inside a transaction."""
    if Verification.objects.filter(cycle=cycle, user=user).exists():
        raise Conflict(_("Ce compte est déjà vérifié pour ce budget."))
    verification = Verification.objects.create(
        cycle=cycle, user=user, commune_id=user.commune_id, method=method,
        verified_at=timezone.now(), verified_by=by,
    )
    if not user.is_verified:
        user.is_verified = True
        user.save(update_fields=["is_verified"])
    return verification


# --- Voting codes ------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """Uppercase, without spaces or dashes (the alphabet has no 0/O or 1/I to confuse)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def _code_digest(cycle: BudgetCycle, code: str) -> str:
    return keyed_digest(f"voting-code:{cycle.pk}", normalise_code(code))


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@dataclass
class CodeBatch:
    batch: str
    commune: Commune
    codes: list[str] = field(default_factory=list)

    def as_csv(self) -> str:
        """CSV for a mail merge: one line per code (the only time codes exist in clear)."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["commune", "lot", "code"])
        for code in self.codes:
            writer.writerow([self.commune.name, self.batch, code])
        return out.getvalue()


def generate_codes(*, actor: Any, cycle: BudgetCycle, commune: Commune, count: int) -> CodeBatch:
    """Create ``count`` single-use codes for residents of ``commune``; return them in clear once."""
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut générer des codes de vote."))
    if commune.pk not in {c.pk for c in cycle_communes(cycle)}:
        raise NotEligible(_("Cette commune ne participe pas à ce budget."))
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise Conflict(_("Le nombre de codes doit être compris entre 1 et %(max)d.") % {"max": MAX_CODES_PER_BATCH})
    now = timezone.now()
    batch = CodeBatch(batch=f"{commune.slug}-{now:%Y%m%d-%H%M%S}", commune=commune)
    rows = []
    seen: set[str] = set()
    while len(batch.codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        digest = _code_digest(cycle, code)
        if digest in seen:
            continue
        seen.add(digest)
        batch.codes.append(format_code(code))
        rows.append(VotingCode(cycle=cycle, commune=commune, digest=digest, batch=batch.batch, created_at=now))
    with transaction.atomic():
        VotingCode.objects.bulk_create(rows, batch_size=1000)
        record_event(actor=actor, action="codes.generated", target=cycle,
                     payload={"commune": commune.pk, "count": count, "batch": batch.batch})
    return batch


def redeem_code(*, user: Any, cycle: BudgetCycle, code: str) -> Verification:
    """Verify a resident with a voting code of their commune. Each code works once."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour utiliser votre code."))
    require_resident(cycle, user)
    if len(normalise_code(code)) != CODE_LENGTH:
        raise NotEligible(_("Ce code n’a pas le bon format : il compte 12 lettres et chiffres."))
    with transaction.atomic():
        entry = VotingCode.objects.select_for_update().filter(
            cycle=cycle, digest=_code_digest(cycle, code)).first()
        if entry is None:
            raise NotEligible(_("Ce code est inconnu. Vérifiez la saisie."))
        if entry.redeemed_at is not None:
            raise NotEligible(_("Ce code a déjà été utilisé."))
        if entry.commune_id != user.commune_id:
            raise NotEligible(_("Ce code est destiné aux habitants de %(commune)s.") % {"commune": entry.commune})
        verification = _verify(cycle=cycle, user=user, method=VerificationMethod.CODE)
        entry.redeemed_at = timezone.now()
        entry.redeemed_by = user
        entry.save(update_fields=["redeemed_at", "redeemed_by"])
    return verification


# --- In person -----------------------------------------------------------------------------


def verify_in_person(*, facilitator: Any, cycle: BudgetCycle, resident: Any) -> Verification:
    """A facilitator of the resident's commune vouches for them (identity and address seen)."""
    if resident.commune is None or not has_role(facilitator, Role.FACILITATOR, resident.commune):
        raise NotAllowed(_("Seuls les animateurs de la commune de l’habitant peuvent le vérifier."))
    require_resident(cycle, resident)
    with transaction.atomic():
        verification = _verify(cycle=cycle, user=resident, method=VerificationMethod.IN_PERSON,
                               by=facilitator)
        record_event(actor=facilitator, action="resident.verified_in_person", target=cycle,
                     payload={"user": resident.pk})
    return verification


# --- Voters list -----------------------------------------------------------------------------


def normalise_identifier(raw: str) -> str:
    """Case, accents and spacing do not matter: ``  Dupont Émile `` == ``DUPONT EMILE``."""
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.upper().split())


def _identifier_digest(cycle: BudgetCycle, identifier: str) -> str:
    return keyed_digest(f"voters-list:{cycle.pk}", normalise_identifier(identifier))


@dataclass
class ImportReport:
    batch: str
    added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def import_eligibility_list(*, actor: Any, cycle: BudgetCycle, commune: Commune, csv_text: str) -> ImportReport:
    """Import a voters list: one identifier per line, in a column named ``identifiant``.

    All or nothing: a file with any bad line imports nothing and the report names the lines.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut importer une liste de votants."))
    if commune.pk not in {c.pk for c in cycle_communes(cycle)}:
        raise NotEligible(_("Cette commune ne participe pas à ce budget."))
    now = timezone.now()
    report = ImportReport(batch=f"{commune.slug}-{now:%Y%m%d-%H%M%S}")
    sample = csv_text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(csv_text), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "identifiant" not in fields:
        report.errors.append(_("Ligne 1 : la colonne « identifiant » est absente."))
        return report
    column = (reader.fieldnames or [])[fields.index("identifiant")]
    digests: dict[str, int] = {}
    for line_number, row in enumerate(reader, start=2):
        identifier = normalise_identifier(row.get(column) or "")
        if not identifier:
            report.errors.append(_("Ligne %(n)d : identifiant vide.") % {"n": line_number})
            continue
        digest = _identifier_digest(cycle, identifier)
        if digest in digests:
            report.duplicates += 1
            continue
        digests[digest] = line_number
    if report.errors:
        return report
    existing = set(EligibilityEntry.objects.filter(cycle=cycle, digest__in=list(digests))
                   .values_list("digest", flat=True))
    report.duplicates += len(existing)
    rows = [EligibilityEntry(cycle=cycle, commune=commune, digest=d, batch=report.batch, imported_at=now)
            for d in digests if d not in existing]
    with transaction.atomic():
        EligibilityEntry.objects.bulk_create(rows, batch_size=1000)
        record_event(actor=actor, action="voters_list.imported", target=cycle,
                     payload={"commune": commune.pk, "added": len(rows), "batch": report.batch})
    report.added = len(rows)
    return report


def claim_list_entry(*, user: Any, cycle: BudgetCycle, identifier: str) -> Verification:
    """Verify a resident whose identifier is on the voters list of their commune (once)."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour vous vérifier."))
    require_resident(cycle, user)
    with transaction.atomic():
        entry = EligibilityEntry.objects.select_for_update().filter(
            cycle=cycle, digest=_identifier_digest(cycle, identifier)).first()
        if entry is None or entry.commune_id != user.commune_id:
            raise NotEligible(_("Cet identifiant ne figure pas sur la liste des votants de votre commune."))
        if entry.claimed_by_id is not None:
            raise NotEligible(_("Cet identifiant a déjà servi à vérifier un autre compte."))
        verification = _verify(cycle=cycle, user=user, method=VerificationMethod.LIST)
        entry.claimed_by = user
        entry.claimed_at = timezone.now()
        entry.save(update_fields=["claimed_by", "claimed_at"])
    return verification
