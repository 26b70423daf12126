"""Forms of the account pages: sign-up, new activation e-mail, « Mot de passe oublié »."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from citizen_portal.accounts.services import send_account_email
from permissions.models import User


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **kwargs,
    )


class SignupForm(forms.Form):
    """« Pas encore de compte » : the account is created inactive, see services.register."""

    civility = forms.ChoiceField(label=_("Civilité"), choices=User.Civility.choices, widget=forms.RadioSelect)
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = _email_field()
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Saisissez le même mot de passe, pour vérification."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, not at import, so that the rules are listed in the visitor's language.
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    @sensitive_variables("password1", "password2")
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        if password1:
            # An unsaved user lets the similarity rule compare the password with the name and e-mail.
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendActivationForm(forms.Form):
    email = _email_field()


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's form (active accounts with a usable password only, nothing said about the
    others), with the e-mail written to the outbox instead of sent from the request."""

    email = _email_field()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        url = settings.SITE_URL + reverse("password_reset_confirm", args=[context["uid"], context["token"]])
        send_account_email(
            user,
            "password-reset",
            "account_password_reset",
            reset_url=url,
            minutes=settings.PASSWORD_RESET_TIMEOUT // 60,
        )


class NewPasswordForm(SetPasswordForm):
    """« Renseigner un nouveau mot de passe », with the rule errors next to the password itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = password_validation.password_validators_help_text_html()
        self.fields["new_password2"].label = _("Confirmation du nouveau mot de passe")
        self.fields["new_password2"].help_text = _("Saisissez le même mot de passe, pour vérification.")

    def clean(self) -> dict[str, Any]:
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data
