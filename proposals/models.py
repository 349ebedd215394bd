"""Proposals and their feasibility reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle, Envelope
from proposals.lifecycle import COSTED_STATUSES, Status
from territory.models import Commune, District


class Category(models.TextChoices):
    ENVIRONMENT = "environment", _("Nature et environnement")
    MOBILITY = "mobility", _("Déplacements")
    SPORT = "sport", _("Sport et loisirs")
    CULTURE = "culture", _("Culture et patrimoine")
    SOLIDARITY = "solidarity", _("Solidarité et lien social")
    YOUTH = "youth", _("Enfance et jeunesse")
    PUBLIC_SPACE = "public_space", _("Cadre de vie et espace public")


class ProposalStatus(models.TextChoices):
    """The values of ``proposals.lifecycle.Status``, with their French labels."""

    DRAFT = Status.DRAFT.value, _("Brouillon")
    SUBMITTED = Status.SUBMITTED.value, _("Déposée")
    IN_REVIEW = Status.IN_REVIEW.value, _("En cours d’analyse")
    FEASIBLE = Status.FEASIBLE.value, _("Recevable")
    UNFEASIBLE = Status.UNFEASIBLE.value, _("Non recevable")
    ON_BALLOT = Status.ON_BALLOT.value, _("Soumise au vote")
    NOT_RETAINED = Status.NOT_RETAINED.value, _("Non retenue pour le vote")
    FUNDED = Status.FUNDED.value, _("Lauréate")
    NOT_FUNDED = Status.NOT_FUNDED.value, _("Non lauréate")
    IN_PROGRESS = Status.IN_PROGRESS.value, _("En cours de réalisation")
    DELIVERED = Status.DELIVERED.value, _("Réalisée")
    MERGED = Status.MERGED.value, _("Fusionnée avec une autre proposition")


class Proposal(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="proposals")
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="proposals",
                                 verbose_name=_("enveloppe"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="proposals")
    co_authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                        related_name="co_authored_proposals",
                                        verbose_name=_("co-auteurs"))
    title = models.CharField(_("titre"), max_length=140)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=5000,
                                   help_text=_("Markdown ; affiché après nettoyage."))
    category = models.CharField(_("thème"), max_length=20, choices=Category.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="proposals",
                                verbose_name=_("commune"))
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="proposals", verbose_name=_("quartier"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    address = models.CharField(_("adresse ou lieu"), max_length=200, blank=True)
    estimated_cost_cents = models.BigIntegerField(_("coût estimé (centimes)"))
    validated_cost_cents = models.BigIntegerField(_("coût validé (centimes)"), null=True, blank=True)
    status = models.CharField(max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED)
    public_reason = models.TextField(_("motif public"), blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("pris en charge par"))
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_duplicates",
                                    verbose_name=_("fusionnée dans"))
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cycle", "title"]
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        indexes = [models.Index(fields=["cycle", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_cost_cents__gte=0),
                                   name="proposal_estimated_cost_nonnegative"),
            models.CheckConstraint(
                condition=Q(validated_cost_cents__isnull=True) | Q(validated_cost_cents__gte=0),
                name="proposal_validated_cost_nonnegative",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(s.value for s in COSTED_STATUSES)) | Q(validated_cost_cents__isnull=False),
                name="proposal_feasible_has_cost",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.UNFEASIBLE) | ~Q(public_reason=""),
                name="proposal_unfeasible_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="proposal_location_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=ProposalStatus.MERGED) & Q(merged_into__isnull=True)),
                name="proposal_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def cost_cents(self) -> int:
        """The cost that counts: validated if reviewed, estimated otherwise."""
        if self.validated_cost_cents is not None:
            return self.validated_cost_cents
        return self.estimated_cost_cents


class ReviewDecision(models.TextChoices):
    FEASIBLE = "feasible", _("Recevable")
    UNFEASIBLE = "unfeasible", _("Non recevable")


class Review(models.Model):
    """One feasibility decision (the latest one is reflected on the proposal)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="reviews")
    decision = models.CharField(max_length=12, choices=ReviewDecision.choices)
    validated_cost_cents = models.BigIntegerField(null=True, blank=True)
    public_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "-created_at"]
        verbose_name = _("avis de faisabilité")
        verbose_name_plural = _("avis de faisabilité")
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision=ReviewDecision.UNFEASIBLE) | ~Q(public_reason=""),
                name="review_unfeasible_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(decision=ReviewDecision.FEASIBLE)
                | Q(validated_cost_cents__isnull=False, validated_cost_cents__gte=0),
                name="review_feasible_has_cost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} : {self.get_decision_display()}"


class Support(models.Model):
    """One resident's support for one proposal (deliberation phase); counted at draw-up."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="proposal_supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at"]
        verbose_name = _("soutien")
        verbose_name_plural = _("soutiens")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="support_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("Document PDF")


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name under proposals/: never the uploader's file name (see services)."""
    return f"proposals/{instance.proposal_id}/{filename}"


class Attachment(models.Model):
    """An image or a PDF attached to a proposal; checked by content, stored under a random
    name, served by ``proposals.views.attachment_download`` with safe headers."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(_("nom du fichier"), max_length=120)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "created_at", "pk"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return self.original_name
