"""Users: residents and staff. E-mail is the login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from territory.models import Commune, District


class PinsUserManager(UserManager["User"]):
    def _create_user(self, username: Any, email: Any, password: Any, **extra: Any) -> User:
        email = self.normalize_email(email).lower()
        user = self.model(email=email, username=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: Any = None, password: Any = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        extra.pop("username", None)
        return self._create_user(None, email, password, **extra)

    def create_superuser(self, email: Any = None, password: Any = None, **extra: Any) -> User:  # type: ignore[override]
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.pop("username", None)
        return self._create_user(None, email, password, **extra)


class User(AbstractUser):
    """A person. ``username`` mirrors the e-mail so that third-party apps keep working."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=80, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune de résidence"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="residents",
    )
    district = models.ForeignKey(
        District, verbose_name=_("quartier"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="residents",
    )
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    is_verified = models.BooleanField(_("résidence vérifiée"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012 (Django's own declaration)

    objects = PinsUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def public_name(self) -> str:
        """Name shown next to public content; never the e-mail address."""
        if self.display_name:
            return self.display_name
        return str(_("Habitant·e de %(commune)s") % {"commune": self.commune}) if self.commune else str(_("Habitant·e"))
