"""Sign-up, login and logout pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, SignupForm
from accounts.services import register_resident
from config.forms import apply_validation_error
from config.throttling import limit_writes

SERVICE_FIELDS = {"password": "password1"}


@require_http_methods(["GET", "POST"])
@limit_writes
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = register_resident(
                email=data["email"], password=data["password1"], commune=data["commune"],
                district=data["district"], display_name=data["display_name"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc, SERVICE_FIELDS)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Votre compte est créé. Bienvenue !"))
            return redirect("budgets:home")
    return render(request, "accounts/signup.html", {"form": form})


login_view = limit_writes(cast(Callable[..., HttpResponse], auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm,
    redirect_authenticated_user=True,
)))
logout_view = auth_views.LogoutView.as_view()
