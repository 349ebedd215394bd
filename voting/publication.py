"""Publishing a cycle's results: only a certified current run, once, by an administrator.

Until the publication the results are a draft for the staff and the committee: the public
results page, the open data and the commune reports show nothing of them
(``results_published``). Publishing records a ``ResultPublication`` bound to the current
run, sets each ballot proposal's outcome (funded or not) through
``proposals.services.record_outcomes`` and writes an audit event, all in one transaction.
After it, a recount can confirm the run but never replace it (``voting.tally.run_tally``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle
from budgets.policy import Action
from budgets.roles import is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from voting.models import BallotLogEntry, ResultLine, ResultPublication, TallyRun


def is_certified(run: TallyRun | None) -> bool:
    """True when the run is current and its signatures reach the cycle's quorum."""
    if run is None or not run.is_current:
        return False
    return run.certifications.count() >= run.cycle.certification_quorum


def publication_of(cycle: BudgetCycle) -> ResultPublication | None:
    """The cycle's publication, if its results are published."""
    return ResultPublication.objects.filter(cycle=cycle).select_related("tally_run").first()


def results_published(cycle: BudgetCycle) -> bool:
    """True once the cycle's results are published (the published run is the current one)."""
    return ResultPublication.objects.filter(cycle=cycle, tally_run__is_current=True).exists()


def funded_ids(run: TallyRun) -> list[int]:
    """The proposals the run funds, over every envelope, in id order."""
    return sorted(ResultLine.objects.filter(envelope_result__tally_run=run, is_funded=True)
                  .values_list("proposal_id", flat=True))


def publish_results(*, actor: Any, cycle: BudgetCycle) -> ResultPublication:
    """Publish the cycle's current, certified run and record each proposal's outcome.

    Raises NotAllowed for anyone but an administrator, PhaseClosed when the phase does not
    allow publishing, Conflict when there is no run, when it is not certified, when the
    ballot log moved since the run, or when the results are already published.
    """
    if not is_administrator(actor):
        raise NotAllowed(_("Seul un administrateur peut publier les résultats."))
    require_phase_allows(cycle, Action.PUBLISH)
    from proposals.services import record_outcomes  # proposals sits below voting

    with transaction.atomic():
        BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
        if ResultPublication.objects.filter(cycle=cycle).exists():
            raise Conflict(_("Les résultats de ce cycle sont déjà publiés."))
        run = TallyRun.objects.filter(cycle=cycle, is_current=True).first()
        if run is None:
            raise Conflict(_("Aucun dépouillement n’a été effectué : il n’y a rien à publier."))
        if not is_certified(run):
            raise Conflict(_("Le résultat n’est pas certifié : %(count)d signature(s) sur %(quorum)d "
                             "requise(s) du comité de suivi.")
                           % {"count": run.certifications.count(), "quorum": cycle.certification_quorum})
        head = (BallotLogEntry.objects.filter(cycle=cycle).order_by("-seq")
                .values_list("hash", flat=True).first() or "")
        if head != run.log_head:
            raise Conflict(_("Le registre des bulletins a changé depuis le dépouillement : "
                             "relancez-le et faites-le certifier avant de publier."))
        publication = ResultPublication.objects.create(
            cycle=cycle, tally_run=run, published_at=timezone.now(), published_by=actor)
        funded = funded_ids(run)
        record_outcomes(actor=actor, cycle=cycle, funded_ids=funded)
        record_event(actor=actor, action="results.published", target=cycle, payload={
            "tally_run": run.pk, "fingerprint": run.fingerprint, "funded": funded,
        })
    return publication
