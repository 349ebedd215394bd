"""Commune decision reports (published, versioned snapshots) and implementation milestones.

A ``CommuneReport`` row is one published version: the figures at publication (``snapshot``,
plain JSON) and the two PDFs rendered from them, each with its SHA-256. Rows are never
updated: republishing writes the next version (on PostgreSQL a trigger refuses UPDATE and
DELETE). A ``Milestone`` is one dated step of a funded project's works, with the progress
reached after it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle
from proposals.models import Proposal
from territory.models import Commune
from voting.models import TallyRun


class CommuneReport(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.PROTECT, related_name="commune_reports")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    tally_run = models.ForeignKey(TallyRun, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    snapshot = models.JSONField()
    pdf_fr = models.BinaryField()
    pdf_en = models.BinaryField()
    pdf_fr_sha256 = models.CharField(max_length=64)
    pdf_en_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["cycle", "commune__name", "-version"]
        verbose_name = _("rapport de décision d’une commune")
        verbose_name_plural = _("rapports de décision des communes")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "commune", "version"],
                                    name="commune_report_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="commune_report_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.commune} — {self.cycle} (v{self.version})"

    def pdf(self, language: str) -> bytes:
        return bytes(self.pdf_en if language == "en" else self.pdf_fr)

    def pdf_sha256(self, language: str) -> str:
        return self.pdf_en_sha256 if language == "en" else self.pdf_fr_sha256


class Milestone(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="milestones")
    happened_on = models.DateField(_("date"))
    title = models.CharField(_("titre"), max_length=140)
    note = models.TextField(_("note publique"), max_length=2000, blank=True)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["proposal", "happened_on", "recorded_at", "pk"]
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100),
                                   name="milestone_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} — {self.title} ({self.progress} %)"
