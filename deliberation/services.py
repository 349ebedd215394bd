"""Writes on the debate: comments (post, reply, edit, delete), reactions, flags, moderation
(hide, restore, dismiss flags, suspend, lift) and in-person workshops.

Participation (commenting, reacting, flagging) follows the phase table
(``budgets.policy``: Action.COMMENT / REACT / FLAG). Moderation and workshops do not depend on
the phase; they are privileged and each leaves an audit event. Comment text is plain text:
markup is stripped with nh3 and the text is escaped on output.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from budgets.models import BudgetCycle
from budgets.policy import Action
from budgets.roles import Role, has_role, is_administrator
from budgets.services import require_phase_allows
from config.errors import Conflict, NotAllowed
from deliberation.models import (
    MAX_DEPTH,
    Comment,
    CommentingSuspension,
    CommentRevision,
    Flag,
    FlagOutcome,
    FlagReason,
    Reaction,
    ReactionValue,
    Stance,
    Workshop,
)
from proposals.models import Proposal
from territory.models import Commune

MAX_COMMENT_LENGTH = 3000
MAX_REASON_LENGTH = 300
MAX_FLAG_DETAILS_LENGTH = 500
MAX_MINUTES_LENGTH = 20000
MAX_ATTENDANCE = 100_000


def plain_text(value: str) -> str:
    """``value`` without any markup, entities decoded, surrounding blanks removed."""
    return html.unescape(nh3.clean(value or "", tags=set())).strip()


def _clean_text(value: str, *, field: str, max_length: int, required: bool = True,
                empty_message: str = "") -> str:
    text = plain_text(value)
    if required and not text:
        raise ValidationError({field: empty_message or _("Ce champ est obligatoire.")})
    if len(text) > max_length:
        raise ValidationError({field: _("Ce texte dépasse %(max)d caractères.")
                               % {"max": max_length}})
    return text


def _clean_body(body: str) -> str:
    text = plain_text(body)
    if not text:
        raise ValidationError({"body": _("Le commentaire est vide.")})
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"body": _("Le commentaire dépasse %(max)d caractères.") % {"max": MAX_COMMENT_LENGTH}}
        )
    return text


def _clean_stance(stance: str) -> str:
    if stance not in Stance.values:
        raise ValidationError({"stance": _("Choisissez une position : pour, contre ou neutre.")})
    return stance


# --- who may do what -------------------------------------------------------------------------

def is_moderator(user: Any, cycle: BudgetCycle) -> bool:
    """Moderators of the cycle and administrators moderate its comments."""
    return is_administrator(user) or has_role(user, Role.MODERATOR, cycle)


def active_suspension(user: Any, cycle: BudgetCycle) -> CommentingSuspension | None:
    """The suspension that currently keeps ``user`` from commenting in ``cycle``, if any."""
    if not getattr(user, "pk", None):
        return None
    return (CommentingSuspension.objects
            .filter(cycle=cycle, user=user, lifted_at__isnull=True)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
            .order_by("-created_at").first())


def require_may_participate(user: Any, cycle: BudgetCycle, action: Action) -> None:
    """Raise NotAllowed or PhaseClosed unless ``user`` may comment / react / flag now."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour participer au débat."))
    require_phase_allows(cycle, action)
    if action in (Action.COMMENT, Action.REACT):
        if action == Action.COMMENT and not cycle.unverified_may_comment and not user.is_verified:
            raise NotAllowed(_("Pour ce budget, seuls les comptes vérifiés peuvent commenter."))
        suspension = active_suspension(user, cycle)
        if suspension is not None:
            if suspension.ends_at:
                message = _("Vous ne pouvez plus commenter ni réagir dans ce budget jusqu’au "
                            "%(end)s. Motif : %(reason)s") % {
                    "end": timezone.localtime(suspension.ends_at).strftime("%d/%m/%Y %H:%M"),
                    "reason": suspension.reason}
            else:
                message = _("Vous ne pouvez plus commenter ni réagir dans ce budget. "
                            "Motif : %(reason)s") % {"reason": suspension.reason}
            raise NotAllowed(message)


def require_moderator(user: Any, cycle: BudgetCycle) -> None:
    if not is_moderator(user, cycle):
        raise NotAllowed(_("Seuls les modérateurs de ce budget peuvent faire cela."))


# --- comments --------------------------------------------------------------------------------

def post_comment(*, author: Any, proposal: Proposal | None = None,
                 cycle: BudgetCycle | None = None, parent: Comment | None = None,
                 body: str, stance: str = Stance.NEUTRAL) -> Comment:
    """Add a comment to a proposal's thread, to the cycle's thread, or reply to ``parent``.

    A reply takes its thread from its parent and may nest down to ``MAX_DEPTH`` levels.
    Raises NotAllowed (anonymous, unverified where required, suspended), PhaseClosed,
    Conflict (reply too deep, or to a deleted or hidden comment) and ValidationError
    (empty or over-long body, unknown stance).
    """
    if parent is not None:
        proposal, cycle = parent.proposal, parent.cycle
    elif proposal is not None:
        cycle = proposal.cycle
    if cycle is None:
        raise ValueError("post_comment needs a proposal, a cycle or a parent")
    require_may_participate(author, cycle, Action.COMMENT)
    text = _clean_body(body)
    stance = _clean_stance(stance)
    depth = 0
    if parent is not None:
        if parent.depth + 1 >= MAX_DEPTH:
            raise Conflict(_("Les réponses s’arrêtent à %(n)d niveaux : répondez au "
                             "commentaire du dessus.") % {"n": MAX_DEPTH})
        if not parent.is_visible:
            raise Conflict(_("On ne peut pas répondre à un commentaire supprimé ou masqué."))
        depth = parent.depth + 1
    return Comment.objects.create(cycle=cycle, proposal=proposal, parent=parent, depth=depth,
                                  author=author, body=text, stance=stance)


def _own_comment_for_update(author: Any, comment: Comment) -> Comment:
    locked = Comment.objects.select_for_update().select_related("cycle").get(pk=comment.pk)
    if not getattr(author, "is_authenticated", False) or locked.author_id != author.pk:
        raise NotAllowed(_("Seul l’auteur ou l’autrice d’un commentaire peut le modifier ou "
                           "le supprimer."))
    if locked.is_deleted:
        raise Conflict(_("Ce commentaire a été supprimé."))
    return locked


def edit_comment(*, author: Any, comment: Comment, body: str, stance: str) -> Comment:
    """Change one's own comment; the previous text and stance go to the revision history.

    An unchanged text and stance is a no-op (no revision). Refused on a deleted comment or one
    hidden by moderation (Conflict), for anyone but the author (NotAllowed), and when the
    phase does not allow commenting (PhaseClosed).
    """
    require_may_participate(author, comment.cycle, Action.COMMENT)
    text = _clean_body(body)
    stance = _clean_stance(stance)
    with transaction.atomic():
        locked = _own_comment_for_update(author, comment)
        if locked.is_hidden:
            raise Conflict(_("Ce commentaire est masqué par la modération : il ne peut plus "
                             "être modifié."))
        if locked.body == text and locked.stance == stance:
            return locked
        CommentRevision.objects.create(comment=locked, body=locked.body, stance=locked.stance,
                                       written_at=locked.edited_at or locked.created_at)
        locked.body, locked.stance, locked.edited_at = text, stance, timezone.now()
        locked.save(update_fields=["body", "stance", "edited_at"])
        return locked


def delete_comment(*, author: Any, comment: Comment) -> Comment:
    """Delete one's own comment, leaving a tombstone so that its replies stay in place.

    The text and its earlier versions are erased; reactions are removed. The phase must allow
    commenting (deleting is part of commenting in the phase table).
    """
    if not getattr(author, "is_authenticated", False):
        raise NotAllowed(_("Connectez-vous pour participer au débat."))
    require_phase_allows(comment.cycle, Action.COMMENT)
    with transaction.atomic():
        locked = _own_comment_for_update(author, comment)
        locked.revisions.all().delete()
        locked.reactions.all().delete()
        locked.body, locked.deleted_at = "", timezone.now()
        locked.save(update_fields=["body", "deleted_at"])
        return locked


# --- reactions -------------------------------------------------------------------------------

def react(*, user: Any, comment: Comment, value: str) -> str:
    """Set (``up`` / ``down``) or withdraw (empty value) ``user``'s reaction to ``comment``.

    At most one reaction per person and comment, backed by a unique constraint and written
    as one upsert so that a double submission cannot create two. Not on one's own comment,
    nor on a deleted or hidden one. Returns the value now stored ("" when withdrawn).
    """
    require_may_participate(user, comment.cycle, Action.REACT)
    if value and value not in ReactionValue.values:
        raise ValidationError({"value": _("Réaction inconnue : « utile » ou « pas d’accord ».")})
    if comment.author_id == user.pk:
        raise Conflict(_("On ne réagit pas à son propre commentaire."))
    if not comment.is_visible:
        raise Conflict(_("Ce commentaire n’est plus visible."))
    if not value:
        Reaction.objects.filter(comment=comment, user=user).delete()
        return ""
    Reaction.objects.bulk_create(
        [Reaction(comment=comment, user=user, value=value)],
        update_conflicts=True, unique_fields=["comment", "user"],
        update_fields=["value", "created_at"],
    )
    return value


# --- flags and moderation --------------------------------------------------------------------

def flag_comment(*, reporter: Any, comment: Comment, reason: str, details: str = "") -> Flag:
    """Report a comment to the cycle's moderators with a reason from the closed list.

    ``other`` needs details. One open flag per person and comment (Conflict otherwise);
    not on one's own, a deleted or an already hidden comment.
    """
    require_may_participate(reporter, comment.cycle, Action.FLAG)
    if reason not in FlagReason.values:
        raise ValidationError({"reason": _("Choisissez un motif dans la liste.")})
    text = _clean_text(details, field="details", max_length=MAX_FLAG_DETAILS_LENGTH,
                       required=reason == FlagReason.OTHER,
                       empty_message=_("Précisez la raison du signalement."))
    if comment.author_id == reporter.pk:
        raise Conflict(_("On ne signale pas son propre commentaire."))
    if not comment.is_visible:
        raise Conflict(_("Ce commentaire n’est plus visible."))
    already = Conflict(_("Vous avez déjà signalé ce commentaire ; les modérateurs vont "
                         "l’examiner."))
    if Flag.objects.filter(comment=comment, reporter=reporter,
                           outcome=FlagOutcome.OPEN).exists():
        raise already
    try:
        with transaction.atomic():  # a savepoint: a simultaneous double submit hits the
            return Flag.objects.create(comment=comment, reporter=reporter,  # constraint
                                       reason=reason, details=text)
    except IntegrityError:
        raise already from None


def _resolve_flags(comment: Comment, moderator: Any, outcome: str) -> int:
    return Flag.objects.filter(comment=comment, outcome=FlagOutcome.OPEN).update(
        outcome=outcome, resolved_at=timezone.now(), resolved_by=moderator)


def hide_comment(*, moderator: Any, comment: Comment, reason: str) -> Comment:
    """Hide a comment; ``reason`` is public and shown in place of the text. Open flags on it
    are resolved as « masqué ». Moderators of the cycle and administrators; any phase."""
    require_moderator(moderator, comment.cycle)
    text = _clean_text(reason, field="reason", max_length=MAX_REASON_LENGTH,
                       empty_message=_("Indiquez le motif public du masquage."))
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.is_deleted:
            raise Conflict(_("Ce commentaire a déjà été supprimé par son auteur."))
        locked.is_hidden, locked.hidden_reason = True, text
        locked.hidden_at, locked.hidden_by = timezone.now(), moderator
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by"])
        resolved = _resolve_flags(locked, moderator, FlagOutcome.HIDDEN)
        record_event(actor=moderator, action="comment.hidden", target=locked,
                     payload={"cycle": locked.cycle_id, "reason": text, "flags": resolved})
        return locked


def restore_comment(*, moderator: Any, comment: Comment) -> Comment:
    """Show a hidden comment again (its text was kept). Audit event."""
    require_moderator(moderator, comment.cycle)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if not locked.is_hidden:
            raise Conflict(_("Ce commentaire n’est pas masqué."))
        previous = locked.hidden_reason
        locked.is_hidden, locked.hidden_reason = False, ""
        locked.hidden_at, locked.hidden_by = None, None
        locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by"])
        record_event(actor=moderator, action="comment.restored", target=locked,
                     payload={"cycle": locked.cycle_id, "previous_reason": previous})
        return locked


def dismiss_flags(*, moderator: Any, comment: Comment) -> int:
    """Close the open flags on a comment that stays visible; returns how many. Audit event."""
    require_moderator(moderator, comment.cycle)
    with transaction.atomic():
        count = _resolve_flags(comment, moderator, FlagOutcome.DISMISSED)
        if not count:
            raise Conflict(_("Aucun signalement en attente sur ce commentaire."))
        record_event(actor=moderator, action="comment.flags_dismissed", target=comment,
                     payload={"cycle": comment.cycle_id, "flags": count})
        return count


def suspend_commenter(*, moderator: Any, cycle: BudgetCycle, user: Any, reason: str,
                      ends_at: datetime | None = None) -> CommentingSuspension:
    """Keep ``user`` from commenting and reacting in ``cycle`` until ``ends_at`` (or until
    lifted). Not oneself, not another moderator or an administrator. Audit event."""
    require_moderator(moderator, cycle)
    text = _clean_text(reason, field="reason", max_length=MAX_REASON_LENGTH,
                       empty_message=_("Indiquez le motif de la suspension."))
    if ends_at is not None and ends_at <= timezone.now():
        raise ValidationError({"ends_at": _("La fin de la suspension doit être dans le futur.")})
    if user.pk == moderator.pk:
        raise Conflict(_("Vous ne pouvez pas vous suspendre vous-même."))
    if is_moderator(user, cycle):
        raise Conflict(_("On ne suspend pas un modérateur ou une administratrice : retirez "
                         "d’abord son rôle."))
    with transaction.atomic():
        if active_suspension(user, cycle) is not None:
            raise Conflict(_("Cette personne est déjà suspendue dans ce budget."))
        suspension = CommentingSuspension.objects.create(
            cycle=cycle, user=user, reason=text, ends_at=ends_at, created_by=moderator)
        record_event(actor=moderator, action="commenting.suspended", target=suspension,
                     payload={"cycle": cycle.pk, "user": user.pk, "reason": text,
                              "ends_at": ends_at})
        return suspension


def lift_suspension(*, moderator: Any, suspension: CommentingSuspension) -> CommentingSuspension:
    """End a suspension now. Audit event."""
    require_moderator(moderator, suspension.cycle)
    with transaction.atomic():
        locked = CommentingSuspension.objects.select_for_update().get(pk=suspension.pk)
        if locked.lifted_at is not None or (locked.ends_at and locked.ends_at <= timezone.now()):
            raise Conflict(_("Cette suspension est déjà terminée."))
        locked.lifted_at, locked.lifted_by = timezone.now(), moderator
        locked.save(update_fields=["lifted_at", "lifted_by"])
        record_event(actor=moderator, action="commenting.suspension_lifted", target=locked,
                     payload={"cycle": locked.cycle_id, "user": locked.user_id})
        return locked


# --- workshops -------------------------------------------------------------------------------

def may_record_workshop(user: Any, commune: Commune) -> bool:
    return is_administrator(user) or has_role(user, Role.FACILITATOR, commune)


def _clean_workshop(*, cycle: BudgetCycle, commune: Commune, held_on: date, place: str,
                    attendance: int, minutes: str,
                    proposals: Collection[Proposal]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    place_text = plain_text(place)
    if not place_text:
        errors["place"] = _("Indiquez le lieu de l’atelier.")
    elif len(place_text) > 200:
        errors["place"] = _("Ce texte dépasse %(max)d caractères.") % {"max": 200}
    if held_on > timezone.localdate():
        errors["held_on"] = _("On enregistre un atelier qui a eu lieu : la date ne peut pas "
                              "être dans le futur.")
    if not 0 <= attendance <= MAX_ATTENDANCE:
        errors["attendance"] = _("Le nombre de participants doit être entre 0 et %(max)d.") % {
            "max": MAX_ATTENDANCE}
    minutes_text = plain_text(minutes)
    if not minutes_text:
        errors["minutes"] = _("Le compte rendu est obligatoire.")
    elif len(minutes_text) > MAX_MINUTES_LENGTH:
        errors["minutes"] = _("Ce texte dépasse %(max)d caractères.") % {"max": MAX_MINUTES_LENGTH}
    if any(p.cycle_id != cycle.pk for p in proposals):
        errors["proposals"] = _("Les propositions liées doivent appartenir à ce budget.")
    if not cycle.envelopes.filter(Q(commune=commune) | Q(commune__isnull=True)).exists():
        errors["commune"] = _("Cette commune ne participe pas à ce budget.")
    if errors:
        raise ValidationError(errors)
    return {"place": place_text, "minutes": minutes_text}


def record_workshop(*, facilitator: Any, cycle: BudgetCycle, commune: Commune, held_on: date,
                    place: str, attendance: int, minutes: str,
                    proposals: Collection[Proposal] = ()) -> Workshop:
    """Record an in-person workshop held in ``commune`` (facilitator of that commune or
    administrator; any phase). Minutes are plain text. Audit event."""
    if not may_record_workshop(facilitator, commune):
        raise NotAllowed(_("Seuls les animateurs et animatrices de la commune peuvent "
                           "enregistrer un atelier."))
    clean = _clean_workshop(cycle=cycle, commune=commune, held_on=held_on, place=place,
                            attendance=attendance, minutes=minutes, proposals=proposals)
    with transaction.atomic():
        workshop = Workshop.objects.create(cycle=cycle, commune=commune, held_on=held_on,
                                           attendance=attendance, facilitator=facilitator,
                                           **clean)
        workshop.proposals.set(proposals)
        record_event(actor=facilitator, action="workshop.recorded", target=workshop,
                     payload={"cycle": cycle.pk, "commune": commune.pk,
                              "held_on": held_on, "attendance": attendance,
                              "proposals": sorted(p.pk for p in proposals)})
        return workshop


def update_workshop(*, actor: Any, workshop: Workshop, held_on: date, place: str,
                    attendance: int, minutes: str,
                    proposals: Collection[Proposal] = ()) -> Workshop:
    """Correct a workshop's record (facilitator of its commune or administrator). Audit
    event with the fields that changed."""
    if not may_record_workshop(actor, workshop.commune):
        raise NotAllowed(_("Seuls les animateurs et animatrices de la commune peuvent "
                           "modifier cet atelier."))
    clean = _clean_workshop(cycle=workshop.cycle, commune=workshop.commune, held_on=held_on,
                            place=place, attendance=attendance, minutes=minutes,
                            proposals=proposals)
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        before = {"held_on": locked.held_on, "place": locked.place,
                  "attendance": locked.attendance, "minutes": locked.minutes,
                  "proposals": sorted(locked.proposals.values_list("pk", flat=True))}
        after = {"held_on": held_on, "place": clean["place"], "attendance": attendance,
                 "minutes": clean["minutes"], "proposals": sorted(p.pk for p in proposals)}
        locked.held_on, locked.place = held_on, clean["place"]
        locked.attendance, locked.minutes = attendance, clean["minutes"]
        locked.save()
        locked.proposals.set(proposals)
        changed = sorted(k for k in after if after[k] != before[k])
        record_event(actor=actor, action="workshop.updated", target=locked,
                     payload={"cycle": locked.cycle_id, "changed": changed})
        return locked
