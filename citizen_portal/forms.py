from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from permissions.models import User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Adresse électronique ou mot de passe incorrect."),
        "inactive": _("Ce compte n'est pas encore activé."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set when the right password was given for an account not activated yet: the page
        # then offers a new activation e-mail for it.
        self.inactive_email = ""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "invalid_login" or getattr(self.request, "axes_locked_out", False):
                raise
            # The backends refuse inactive accounts like wrong passwords; tell the person who
            # knows the password that the account only needs activating. Someone who does not
            # know it learns nothing: they get the same message as for an unknown address.
            email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password") or ""
            account = User.objects.filter(email__iexact=email).first()
            if account is not None and not account.is_active and account.last_login is None:
                if account.check_password(password):
                    self.inactive_email = account.email
                    raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            else:
                make_password(password)  # the same hashing time whatever the account's state
            raise
