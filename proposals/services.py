"""Writes on proposals: submission and feasibility review."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle, Envelope
from budgets.money import format_amount
from budgets.policy import Action
from budgets.roles import Role, has_role
from budgets.services import require_phase_allows
from config.errors import NotAllowed
from proposals.models import Category, Proposal, ProposalStatus, Review, ReviewDecision
from territory.models import Commune, District

MAX_COST_CENTS = 10_000_000_000  # 100 million euros: anything above is a typing mistake


def submit_proposal(
    *,
    author: Any,
    cycle: BudgetCycle,
    envelope: Envelope,
    title: str,
    description: str,
    category: str,
    commune: Commune,
    district: District | None,
    estimated_cost_cents: int,
) -> Proposal:
    """Create a proposal in the submission phase.

    Raises NotAllowed for anonymous users, PhaseClosed outside submission, and
    ValidationError (per field) for inconsistent input.
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour déposer une proposition."))
    require_phase_allows(cycle, Action.SUBMIT)
    errors: dict[str, str] = {}
    if envelope.cycle_id != cycle.pk:
        errors["envelope"] = _("Cette enveloppe n’appartient pas à ce budget.")
    elif envelope.commune_id is not None and envelope.commune_id != commune.pk:
        errors["envelope"] = _("L’enveloppe choisie est celle d’une autre commune.")
    if district is not None and district.commune_id != commune.pk:
        errors["district"] = _("Ce quartier n’est pas dans la commune choisie.")
    if category not in Category.values:
        errors["category"] = _("Choisissez un thème dans la liste.")
    if not title.strip():
        errors["title"] = _("Le titre est obligatoire.")
    if not description.strip():
        errors["description"] = _("La description est obligatoire.")
    if estimated_cost_cents <= 0:
        errors["estimated_cost_cents"] = _("Le coût estimé doit être positif.")
    elif estimated_cost_cents > min(MAX_COST_CENTS, envelope.amount_cents):
        errors["estimated_cost_cents"] = _(
            "Le coût estimé dépasse le montant de l’enveloppe (%(amount)s €)."
        ) % {"amount": format_amount(envelope.amount_cents)}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            cycle=cycle, envelope=envelope, author=author, title=title.strip(),
            description=description.strip(), category=category, commune=commune,
            district=district, estimated_cost_cents=estimated_cost_cents,
        )
    return proposal


def review_proposal(
    *,
    reviewer: Any,
    proposal: Proposal,
    decision: str,
    validated_cost_cents: int | None = None,
    public_reason: str = "",
) -> Review:
    """Record a feasibility decision and reflect it on the proposal.

    Only a reviewer of the proposal's commune may review, in a phase that allows it.
    Unfeasible needs a public reason; feasible needs a validated cost. Locks the proposal.
    """
    if not has_role(reviewer, Role.REVIEWER, proposal.commune):
        raise NotAllowed(_("Seuls les services de la commune concernée peuvent analyser cette proposition."))
    require_phase_allows(proposal.cycle, Action.REVIEW)
    public_reason = public_reason.strip()
    if decision == ReviewDecision.FEASIBLE:
        if validated_cost_cents is None or validated_cost_cents <= 0:
            raise ValidationError({"validated_cost_cents": _("Indiquez le coût validé (positif).")})
        if validated_cost_cents > proposal.envelope.amount_cents:
            raise ValidationError(
                {"validated_cost_cents": _("Le coût validé dépasse le montant de l’enveloppe.")}
            )
    elif decision == ReviewDecision.UNFEASIBLE:
        if not public_reason:
            raise ValidationError(
                {"public_reason": _("Un motif public est obligatoire pour déclarer une proposition non recevable.")}
            )
        validated_cost_cents = None
    else:
        raise ValidationError({"decision": _("Choisissez « recevable » ou « non recevable ».")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        review = Review.objects.create(
            proposal=locked, reviewer=reviewer, decision=decision,
            validated_cost_cents=validated_cost_cents, public_reason=public_reason,
        )
        locked.status = (
            ProposalStatus.FEASIBLE if decision == ReviewDecision.FEASIBLE else ProposalStatus.UNFEASIBLE
        )
        locked.validated_cost_cents = validated_cost_cents
        locked.public_reason = public_reason
        locked.save(update_fields=["status", "validated_cost_cents", "public_reason"])
        record_event(
            actor=reviewer, action="proposal.reviewed", target=locked,
            payload={"decision": decision, "validated_cost_cents": validated_cost_cents,
                     "public_reason": public_reason},
        )
    proposal.refresh_from_db()
    return review
