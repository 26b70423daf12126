"""The review page's « Experts » section and its form (« Inviter un expert »); the views are in
backoffice/expertise.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruction.actions.expert import OPINION_MAX_LENGTH, default_expiry, latest_expiry
from instruction.models import Dossier, ExpertAccess

FORM_KEY = "grant_expert_access"


class ExpertInvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique de l'expert"),
        help_text=gettext_lazy("L'expert doit déjà avoir un compte sur la plateforme, avec cette adresse."),
        error_messages={
            "required": gettext_lazy("Indiquez l'adresse électronique de l'expert."),
            "invalid": gettext_lazy("Saisissez une adresse électronique valide, par exemple nom@exemple.fr."),
        },
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Accès jusqu'au (inclus)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Indiquez jusqu'à quelle date l'expert pourra consulter le dossier."),
            "invalid": gettext_lazy("Saisissez une date valide, par exemple 15/12/2026."),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Message à l'expert (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Par exemple la question posée à l'expert. Il le lit dans le courriel d'invitation."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "expert")  # the review page holds other forms
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = default_expiry()
        self.fields["expires_on"].help_text = _("Au plus tard le %(date)s.") % {
            "date": latest_expiry().strftime("%d/%m/%Y")
        }
        self.fields["expires_on"].widget.attrs.update(
            min=timezone.localdate().isoformat(), max=latest_expiry().isoformat()
        )
        self.expert: Any = None

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        # An unknown address is refused, never invited: an account is created by its owner, who
        # proves the address; the agent asks the expert to sign up first.
        self.expert = get_user_model().objects.filter(email__iexact=email).first()
        if self.expert is None:
            raise forms.ValidationError(
                _(
                    "Aucun compte n'existe avec cette adresse. Demandez à l'expert de créer d'abord son compte "
                    "sur la plateforme avec cette adresse, puis invitez-le de nouveau."
                )
            )
        return email


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=gettext_lazy("Votre avis"),
        max_length=OPINION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Seuls les agents du service instructeur le lisent."),
        error_messages={"required": gettext_lazy("Écrivez votre avis avant de l'envoyer.")},
    )


def expert_panel(dossier: Dossier, can: dict[str, bool], form: Any = None) -> dict[str, Any]:
    """The review page's « Experts » section: every grant of the dossier in one query."""
    grants = list(
        ExpertAccess.objects.filter(dossier=dossier)
        .select_related("expert", "granted_by", "ended_by")
        .order_by("-granted_at", "-pk")
    )
    now = timezone.now()
    return {
        "live": [grant for grant in grants if grant.is_live(now)],
        "past": [grant for grant in grants if not grant.is_live(now)],
        "form": form if form is not None else ExpertInvitationForm(),
        "can_grant": can["grant_expert_access"],
        "can_revoke": can["revoke_expert_access"],
    }
