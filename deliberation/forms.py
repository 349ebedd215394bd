"""The comment form. deliberation.services.post_comment strips markup and checks length."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deliberation.services import MAX_COMMENT_LENGTH


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"), max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Texte simple, 3 000 caractères au plus. Restez courtois : les messages "
                    "sont publics et modérés."),
    )
