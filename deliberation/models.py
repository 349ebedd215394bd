"""The debate: comment threads on proposals and on the cycle, reactions, flags, moderation,
suspensions and in-person workshops.

A comment belongs to a cycle and, for a proposal thread, to a proposal (``proposal`` is
empty for the cycle's own thread). Replies nest to ``MAX_DEPTH`` levels (``depth`` 0 for a
top-level comment). Deleting keeps a tombstone (``deleted_at``, body emptied) so that the
replies stay readable; hiding keeps the text for the moderators and shows the public reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle
from proposals.models import Proposal
from territory.models import Commune

MAX_DEPTH = 3  # levels: a comment, a reply, a reply to the reply


class Stance(models.TextChoices):
    FOR = "for", _("Pour")
    AGAINST = "against", _("Contre")
    NEUTRAL = "neutral", _("Neutre ou question")


class Comment(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="comments")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments",
                                 null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, related_name="replies",
                               null=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="comments")
    stance = models.CharField(_("position"), max_length=8, choices=Stance.choices,
                              default=Stance.NEUTRAL)
    body = models.TextField(_("commentaire"), max_length=3000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(_("masqué par la modération"), default=False)
    hidden_reason = models.CharField(_("motif public du masquage"), max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["cycle", "proposal", "created_at"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        indexes = [models.Index(fields=["proposal", "created_at"]),
                   models.Index(fields=["cycle", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lt=MAX_DEPTH),
                                   name="comment_depth_within_limit"),
            models.CheckConstraint(condition=Q(stance__in=[s.value for s in Stance]),
                                   name="comment_stance_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.author} : {self.body[:40]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_visible(self) -> bool:
        """Readable by the public: neither deleted by its author nor hidden by moderation."""
        return not self.is_hidden and self.deleted_at is None


class CommentRevision(models.Model):
    """The text and stance a comment had before one edit (the history behind « modifié »)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    stance = models.CharField(max_length=8, choices=Stance.choices)
    written_at = models.DateTimeField(help_text="When this version was written.")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "replaced_at", "pk"]
        verbose_name = _("version précédente d’un commentaire")
        verbose_name_plural = _("versions précédentes des commentaires")

    def __str__(self) -> str:
        return f"{self.comment_id} @ {self.written_at:%Y-%m-%d %H:%M}"


class ReactionValue(models.TextChoices):
    UP = "up", _("Utile")
    DOWN = "down", _("Pas d’accord")


class Reaction(models.Model):
    """One person's up or down reaction to a comment (at most one; change or withdraw)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="comment_reactions")
    value = models.CharField(max_length=4, choices=ReactionValue.choices)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réaction")
        verbose_name_plural = _("réactions")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_reaction_per_person"),
            models.CheckConstraint(condition=Q(value__in=["up", "down"]),
                                   name="reaction_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value} {self.comment_id}"


class FlagReason(models.TextChoices):
    INSULT = "insult", _("Insulte, harcèlement ou propos haineux")
    SPAM = "spam", _("Publicité ou message répété")
    PERSONAL_DATA = "personal_data", _("Données personnelles d’un tiers")
    OFF_TOPIC = "off_topic", _("Hors sujet")
    FALSE_INFORMATION = "false_information", _("Fausse information manifeste")
    OTHER = "other", _("Autre raison (à préciser)")


class FlagOutcome(models.TextChoices):
    OPEN = "open", _("À examiner")
    HIDDEN = "hidden", _("Commentaire masqué")
    DISMISSED = "dismissed", _("Signalement écarté")


class Flag(models.Model):
    """A report of a comment to the cycle's moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="comment_flags")
    reason = models.CharField(_("motif"), max_length=20, choices=FlagReason.choices)
    details = models.CharField(_("précisions"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=FlagOutcome.choices,
                               default=FlagOutcome.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"],
                                    condition=Q(outcome="open"),
                                    name="one_open_flag_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.comment_id}"


class CommentingSuspension(models.Model):
    """A person may not comment nor react in this cycle, until ``ends_at`` (None: no end)
    or until a moderator lifts it."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE,
                              related_name="commenting_suspensions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="commenting_suspensions")
    reason = models.CharField(_("motif"), max_length=300)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suspension des commentaires")
        verbose_name_plural = _("suspensions des commentaires")
        indexes = [models.Index(fields=["cycle", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.cycle_id}"


class Workshop(models.Model):
    """An in-person workshop (atelier) held in a commune, recorded by its facilitator."""

    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="workshops")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="workshops")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="facilitated_workshops")
    attendance = models.PositiveIntegerField(_("nombre de participants"))
    minutes = models.TextField(_("compte rendu"), max_length=20000)
    proposals = models.ManyToManyField(Proposal, related_name="workshops", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")

    def __str__(self) -> str:
        return f"{self.place} ({self.held_on})"
