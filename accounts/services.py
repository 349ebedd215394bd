"""Writes on accounts: registering a resident."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from territory.models import Commune, District


def register_resident(
    *,
    email: str,
    password: str,
    commune: Commune,
    district: District | None = None,
    display_name: str = "",
) -> User:
    """Create an unverified resident account and return it.

    Guarantees: the e-mail is stored lower-cased and is unique (case-insensitive); the
    password passes the configured validators; the district, if any, lies in the commune.
    Residence is not verified here (``is_verified`` stays False). Raises ValidationError
    keyed by field (``email``, ``password``, ``district``).
    """
    email = User.objects.normalize_email(email.strip()).lower()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("Un compte existe déjà avec cette adresse e-mail.")]
    if district is not None and district.commune_id != commune.pk:
        errors["district"] = [_("Ce quartier n’est pas dans la commune choisie.")]
    candidate = User(email=email, username=email, display_name=display_name.strip(),
                     commune=commune)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, commune=commune, district=district,
                display_name=display_name.strip(),
            )
    except IntegrityError as exc:  # two sign-ups with one address at the same moment
        raise ValidationError(
            {"email": [_("Un compte existe déjà avec cette adresse e-mail.")]}
        ) from exc


def update_profile(
    *,
    user: User,
    display_name: str,
    district: District | None,
    birth_date: date | None,
) -> User:
    """Change what a resident may change themselves: display name, district, birth date.

    The commune is not changed here (it decides where one votes: the town hall changes it).
    A birth date, once given, is not changed here either, for the same reason. Raises
    ValidationError keyed by field.
    """
    errors: dict[str, list[str]] = {}
    if district is not None and district.commune_id != user.commune_id:
        errors["district"] = [_("Ce quartier n’est pas dans votre commune.")]
    if birth_date is not None:
        if user.birth_date is not None and birth_date != user.birth_date:
            errors["birth_date"] = [_("Votre date de naissance est déjà enregistrée : pour la "
                                      "corriger, adressez-vous à la mairie.")]
        elif not date(1900, 1, 1) <= birth_date <= date.today():
            errors["birth_date"] = [_("Cette date de naissance n’est pas plausible.")]
    if errors:
        raise ValidationError(errors)
    user.display_name = display_name.strip()
    user.district = district
    if birth_date is not None:
        user.birth_date = birth_date
    user.save(update_fields=["display_name", "district", "birth_date"])
    return user
