"""Communes and districts of the territory, with population figures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Commune(models.Model):
    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(unique=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        permissions = [
            ("review_proposals", "Peut instruire les propositions de la commune"),
            ("facilitate_events", "Peut animer les votes en présentiel de la commune"),
            ("publish_reports", "Peut publier les rapports de décision de la commune"),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField()
    is_priority_area = models.BooleanField(
        _("quartier prioritaire"), default=False, help_text=_("Quartier prioritaire de la ville (QPV).")
    )

    class Meta:
        ordering = ["commune__name", "name"]
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="district_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune.name})"


class AgeBand(models.TextChoices):
    UNDER_15 = "0-14", _("0 à 14 ans")
    FROM_15 = "15-29", _("15 à 29 ans")
    FROM_30 = "30-44", _("30 à 44 ans")
    FROM_45 = "45-59", _("45 à 59 ans")
    FROM_60 = "60-74", _("60 à 74 ans")
    FROM_75 = "75+", _("75 ans et plus")


class PopulationFigure(models.Model):
    """Population of a district for one age band. ``source`` says where it comes from."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="population")
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    population = models.PositiveIntegerField()
    is_approximate = models.BooleanField(default=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["district", "age_band"]
        verbose_name = _("effectif de population")
        verbose_name_plural = _("effectifs de population")
        constraints = [
            models.UniqueConstraint(fields=["district", "age_band"], name="population_unique_band"),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.age_band}: {self.population}"
