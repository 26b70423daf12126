"""Account pages: login (with the lockout page), sign-up and activation, « Mot de passe oublié »."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from citizen_portal.accounts import services, throttling, tokens
from citizen_portal.accounts.forms import NewPasswordForm, OutboxPasswordResetForm, ResendActivationForm, SignupForm
from citizen_portal.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["inactive_email"] = getattr(context["form"], "inactive_email", "")
        context["locked_until"] = None
        return context


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What django-axes answers to a locked-out login: the login page, saying until when.

    The form is unbound: validating it again would count one more failed attempt."""
    typed = request.POST.get("username", "") if request.method == "POST" else ""
    next_url = request.POST.get("next", "") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    context = {
        "form": LoginForm(request, initial={"username": typed}),
        "next": next_url,
        "inactive_email": "",
        "locked_until": throttling.locked_until(request, credentials),
        "cool_off_minutes": int(throttling.cool_off().total_seconds() // 60),
    }
    return render(request, "registration/login.html", context, status=429)


@login_not_required
@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.register(
            email=data["email"],
            password=data["password1"],
            civility=data["civility"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        # The same page whether the address was new or not: the form reveals no account.
        return redirect("signup_done")
    return render(request, "registration/signup_form.html", {"form": form})


@login_not_required
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_done.html", {"hours": settings.ACCOUNT_ACTIVATION_MAX_AGE // 3600})


@login_not_required
@never_cache
def activate(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the activation e-mail. A GET, because that is what a link in an e-mail does;
    it is safe to follow twice (the second time says the account is already active)."""
    resend_form: Form | None = None
    try:
        user = tokens.check_activation_token(token)
    except tokens.ExpiredToken as expired:
        reason, status = "expired", 400
        resend_form = ResendActivationForm(initial={"email": expired.email})
    except tokens.UsedToken:
        reason, status = "used", 200
    except tokens.InvalidToken:
        reason, status = "invalid", 400
        resend_form = ResendActivationForm()
    else:
        if services.activate(user):
            messages.success(
                request,
                _(
                    "Votre compte est activé. Renseignez votre adresse électronique et votre mot de passe, "
                    "puis cliquez sur le bouton « connecter »."
                ),
            )
            return redirect("login")
        reason, status = "used", 200
    context = {"reason": reason, "resend_form": resend_form, "hours": settings.ACCOUNT_ACTIVATION_MAX_AGE // 3600}
    return render(request, "registration/activation_failed.html", context, status=status)


@login_not_required
def activation_resend(request: HttpRequest) -> HttpResponse:
    form = ResendActivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.resend_activation(form.cleaned_data["email"])
        return redirect("activation_resend_done")
    return render(request, "registration/activation_resend_form.html", {"form": form})


@login_not_required
def activation_resend_done(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registration/activation_resend_done.html", {"hours": settings.ACCOUNT_ACTIVATION_MAX_AGE // 3600}
    )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    reset_url_token = "nouveau"  # noqa: S105 - a URL segment, not a secret
    success_url = reverse_lazy("login")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Votre mot de passe a été modifié. Vous pouvez vous connecter avec ce nouveau mot de passe."),
        )
        return response
