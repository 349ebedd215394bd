"""Comments on proposals (flat for now)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="comments")
    body = models.TextField(_("commentaire"), max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField(_("masqué par la modération"), default=False)

    class Meta:
        ordering = ["proposal", "created_at"]
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author} : {self.body[:40]}"
