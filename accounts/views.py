"""Sign-up, login and logout pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, ProfileForm, SignupForm
from accounts.models import User
from accounts.services import register_resident, update_profile
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


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    initial = {"display_name": user.display_name, "district": user.district,
               "birth_date": user.birth_date}
    form = ProfileForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(user=user, display_name=data["display_name"], district=data["district"],
                           birth_date=data["birth_date"])
        except ValidationError as exc:
            apply_validation_error(form, exc, {})
        else:
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


login_view = limit_writes(cast(Callable[..., HttpResponse], auth_views.LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm,
    redirect_authenticated_user=True,
)))
logout_view = auth_views.LogoutView.as_view()


# Password reset by e-mail and password change: Django's views (signed, single-use,
# time-limited tokens; the same "sent" page whether the address exists or not, so the form
# does not reveal who has an account), with the site's templates and the write limiter.
password_reset_view = limit_writes(cast(Callable[..., HttpResponse],
                                        auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)))
password_reset_done_view = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html",
)
password_reset_confirm_view = limit_writes(cast(Callable[..., HttpResponse],
                                                auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)))
password_reset_complete_view = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html",
)
password_change_view = limit_writes(cast(Callable[..., HttpResponse],
                                         auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)))
password_change_done_view = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html",
)
