"""Stored published files: each public file of a cycle built once, kept with its SHA-256.

A ``StoredFile`` row holds the bytes of one file of the public board (``bundle="board"``:
the anonymised ballots JSON and one pabulib file per envelope) or of the open data
(``bundle="opendata"``: the CSV, JSON and XLSX tables), with the ``key`` it was built from:
the SHA-256 of everything its builder reads (``opendata.store``). A page or a download
looks the file up by the key of the current inputs, so a stored file is served only while
its inputs are unchanged; when they change, the next view builds and stores a new version
and the superseded versions of that bundle are deleted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetCycle


class StoredFile(models.Model):
    cycle = models.ForeignKey(BudgetCycle, on_delete=models.CASCADE, related_name="+")
    bundle = models.CharField(max_length=16)  # "board" or "opendata"
    key = models.CharField(max_length=64)  # SHA-256 of the inputs the file was built from
    name = models.CharField(max_length=200)  # the download name, unique in its bundle
    position = models.PositiveSmallIntegerField()  # order on the page
    kind = models.CharField(max_length=16)  # "bulletins", "propositions", "resultats", "classeur", "pabulib"
    fmt = models.CharField(max_length=16)  # "CSV", "JSON", "XLSX", "pabulib"
    media_type = models.CharField(max_length=120)
    envelope_pk = models.PositiveIntegerField(null=True, blank=True)  # pabulib files
    envelope_name = models.CharField(max_length=200, blank=True)
    command = models.TextField(blank=True)  # the recount command line, for pabulib files
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("fichier publié")
        verbose_name_plural = _("fichiers publiés")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "bundle", "key", "name"],
                                    name="stored_file_once_per_key"),
        ]
        indexes = [models.Index(fields=["cycle", "bundle", "key", "position"],
                                name="stored_file_listing")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"
