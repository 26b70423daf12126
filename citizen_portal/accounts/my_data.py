"""« Mes données »: what the platform holds about the person, « Télécharger mes données » (a
streamed ZIP) and « Supprimer mon compte » (a confirmation page, then the deletion)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from instruction import personal_data
from instruction.actions import ActionError
from instruction.actions.account import delete_account, deletion_refusal
from instruction.models import Dossier, DossierStatus
from instruction.models.dossier import DECIDED_STATUSES


class DeleteAccountForm(forms.Form):
    """The password for an account that has one; a confirmation box for a FranceConnect-only one."""

    password = forms.CharField(
        label=gettext_lazy("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je confirme vouloir supprimer mon compte, définitivement."),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la suppression de votre compte.")},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["confirm"]
        else:  # FranceConnect only: no password to ask
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect : votre compte n'a pas été supprimé."))
        return password


def _summary(user: Any) -> dict[str, int]:
    own = Dossier.objects.filter(applicant=user)
    return {
        "drafts": own.filter(status=DossierStatus.DRAFT).count(),
        "in_progress": own.exclude(status__in=(DossierStatus.DRAFT, *DECIDED_STATUSES)).count(),
        "decided": own.filter(status__in=DECIDED_STATUSES).count(),
    }


@require_GET
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    context = {
        "summary": _summary(request.user),
        "retention_draft_days": settings.RETENTION_DRAFT_DAYS,
        "retention_warning_days": settings.RETENTION_DRAFT_WARNING_DAYS,
    }
    return render(request, "citizen_portal/account/my_data.html", context)


@require_GET
def download(request: HttpRequest) -> StreamingHttpResponse:
    document, files = personal_data.collect(request.user)
    response = StreamingHttpResponse(personal_data.zip_stream(document, files), content_type="application/zip")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{day}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@sensitive_post_parameters("password")
@never_cache
def delete(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # logged in (LoginRequiredMiddleware)
    refusal = deletion_refusal(user)
    form = DeleteAccountForm(user, request.POST if request.method == "POST" and not refusal else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            delete_account(user, acting_user=user)
        except ActionError as error:
            refusal = error.message
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Votre compte a été supprimé et vous avez été déconnecté. Vos demandes déjà transmises "
                    "restent au service instructeur jusqu'à la fin de leur durée de conservation."
                ),
            )
            return redirect("citizen:home")
    context = {"form": form, "refusal": refusal, "summary": _summary(user), "has_password": user.has_usable_password()}
    return render(request, "citizen_portal/account/delete.html", context, status=200 if not form.errors else 400)
