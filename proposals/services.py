"""Writes on proposals: submission and feasibility review."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle, Envelope
from budgets.money import format_amount
from budgets.policy import Action
from budgets.roles import Role, has_role, is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from proposals.lifecycle import (
    BALLOT_STATUSES,
    SUPPORTABLE_STATUSES,
    InvalidTransition,
    Status,
    ballot_outcome,
    check_move,
)
from proposals.models import Category, Proposal, ProposalStatus, Review, ReviewDecision, Support
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
        _move(locked, ProposalStatus.FEASIBLE if decision == ReviewDecision.FEASIBLE
              else ProposalStatus.UNFEASIBLE)
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


def _move(proposal: Proposal, target: str) -> None:
    """Check ``proposal.status`` → ``target`` against the lifecycle table (Conflict if not)."""
    try:
        check_move(proposal.status, target)
    except InvalidTransition:
        raise Conflict(_("Cette proposition est « %(current)s » : elle ne peut pas passer à "
                         "« %(target)s ».") % {
            "current": ProposalStatus(proposal.status).label,
            "target": ProposalStatus(target).label,
        }) from None


def support_proposal(*, user: Any, proposal: Proposal) -> bool:
    """Support a feasible proposal during the deliberation phase (once per resident).

    Locks the proposal row (draw-up changes its status under the same lock) and relies
    on the unique constraint for a double submit: a second support changes nothing and
    returns False; the first returns True. Raises NotAllowed for anonymous users and
    accounts without a commune, PhaseClosed outside deliberation, Conflict when the
    proposal is not open to supports.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour soutenir une proposition."))
    if getattr(user, "commune_id", None) is None:
        raise NotAllowed(_("Seuls les habitants d’une commune du territoire peuvent soutenir "
                           "une proposition : indiquez votre commune dans votre profil."))
    require_phase_allows(proposal.cycle, Action.SUPPORT)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in SUPPORTABLE_STATUSES:
            raise Conflict(_("Seules les propositions recevables peuvent être soutenues, "
                             "jusqu’à l’établissement de la liste soumise au vote."))
        _support, created = Support.objects.get_or_create(proposal=locked, user=user)
    return created


def withdraw_support(*, user: Any, proposal: Proposal) -> bool:
    """Withdraw one's support during the deliberation phase; True if there was one."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour retirer votre soutien."))
    require_phase_allows(proposal.cycle, Action.SUPPORT)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in SUPPORTABLE_STATUSES:
            raise Conflict(_("La liste soumise au vote est établie : les soutiens ne peuvent "
                             "plus changer."))
        deleted, _detail = Support.objects.filter(proposal=locked, user=user).delete()
    return bool(deleted)


def draw_up_ballot(*, actor: Any, cycle: BudgetCycle) -> tuple[int, int]:
    """Apply the supports threshold: every feasible proposal of ``cycle`` goes on the ballot
    (supports ≥ ``cycle.supports_threshold``) or is not retained.

    Administrator only, in a phase that allows it (deliberation). Locks the cycle's
    feasible proposals, so that no support lands between the count and the move. Proposals
    already drawn up are left alone: a second call moves nothing. Returns
    (put on the ballot, not retained) by this call; one audit event with both lists.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut établir la liste soumise au vote."))
    require_phase_allows(cycle, Action.DRAW_UP_BALLOT)
    with transaction.atomic():
        ids = list(Proposal.objects.select_for_update()
                   .filter(cycle=cycle, status=ProposalStatus.FEASIBLE)
                   .order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0, 0  # nothing left to draw up: no event for a repeated click
        counts = dict(Support.objects.filter(proposal_id__in=ids).values("proposal_id")
                      .annotate(n=Count("pk")).values_list("proposal_id", "n"))
        threshold = cycle.supports_threshold
        on: list[int] = []
        out: list[int] = []
        for pk in ids:
            outcome = ballot_outcome(supports=counts.get(pk, 0), threshold=threshold)
            (on if outcome == Status.ON_BALLOT else out).append(pk)
        Proposal.objects.filter(pk__in=on).update(status=ProposalStatus.ON_BALLOT)
        Proposal.objects.filter(pk__in=out).update(status=ProposalStatus.NOT_RETAINED)
        record_event(actor=actor, action="proposals.ballot_drawn_up", target=cycle, payload={
            "supports_threshold": threshold, "on_ballot": on, "not_retained": out,
            "supports": {str(pk): counts.get(pk, 0) for pk in ids},
        })
    return len(on), len(out)


def record_outcomes(*, actor: Any, cycle: BudgetCycle, funded_ids: Collection[int]) -> None:
    """Set each ballot proposal of ``cycle`` funded (its id in ``funded_ids``) or not funded.

    Called when results are published (administrator). Idempotent: a second call with the
    same ids changes nothing and records nothing; a call with other ids (a corrected,
    re-published result) swaps funded ⇄ not funded. A proposal already in progress or
    delivered never moves back. Raises NotAllowed for anyone but an administrator and
    Conflict when an id is not a ballot proposal of the cycle. One audit event when
    something changed.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut enregistrer les résultats."))
    wanted = set(funded_ids)
    decidable = {ProposalStatus.ON_BALLOT, ProposalStatus.FUNDED, ProposalStatus.NOT_FUNDED}
    with transaction.atomic():
        rows = list(Proposal.objects.select_for_update()
                    .filter(cycle=cycle, status__in=sorted(BALLOT_STATUSES))
                    .order_by("pk").values_list("pk", "status"))
        if wanted - {pk for pk, _status in rows}:
            raise Conflict(_("Un projet désigné lauréat n’a pas été soumis au vote de ce budget."))
        funded = [pk for pk, status in rows
                  if status in decidable and pk in wanted and status != ProposalStatus.FUNDED]
        not_funded = [pk for pk, status in rows
                      if status in decidable and pk not in wanted
                      and status != ProposalStatus.NOT_FUNDED]
        if not funded and not not_funded:
            return
        Proposal.objects.filter(pk__in=funded).update(status=ProposalStatus.FUNDED)
        Proposal.objects.filter(pk__in=not_funded).update(status=ProposalStatus.NOT_FUNDED)
        record_event(actor=actor, action="proposals.outcomes_recorded", target=cycle,
                     payload={"funded": funded, "not_funded": not_funded})


def set_implementation_status(*, actor: Any, proposal: Proposal, status: str) -> Proposal:
    """Move a funded proposal along its implementation: funded → in progress → delivered.

    The publisher of the proposal's commune or an administrator. Locks the proposal;
    Conflict for any other move (nothing goes back). One audit event.
    """
    if not (is_administrator(actor) or has_role(actor, Role.PUBLISHER, proposal.commune)):
        raise NotAllowed(_("Seuls la commune de la proposition et les administrateurs "
                           "peuvent suivre sa réalisation."))
    if status not in (ProposalStatus.IN_PROGRESS, ProposalStatus.DELIVERED):
        raise ValidationError({"status": _("Choisissez « en cours de réalisation » ou "
                                           "« réalisée ».")})
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        _move(locked, status)
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status"])
        record_event(actor=actor, action="proposal.implementation_status", target=locked,
                     payload={"from": previous, "to": status})
    proposal.status = status
    return proposal
