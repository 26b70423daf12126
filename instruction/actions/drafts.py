from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from instruction.actions.base import ActionError, TransitionRefused, locked_dossier, record
from instruction.forms import form_for
from instruction.models import Audience, Dossier, FoyerMember, Organisme, ReferenceCounter, Teleservice
from permissions.organismes import organismes_of


def create_draft(teleservice: Teleservice, *, acting_user: Any, organisme: Organisme | None = None) -> Dossier:
    """Start a dossier for a téléservice from the applicant's space.

    A foyer téléservice is filed from the person's foyer (they have at most one). An organisme
    téléservice is filed for the organisme the caller names (the page's active space): a person
    may act for several, and guessing would file for the wrong one."""
    if not teleservice.is_open():
        raise ActionError(teleservice.closed_message())
    foyer = None
    if teleservice.audience == Audience.FOYER:
        if organisme is not None:
            raise ActionError(_("Ce téléservice se dépose depuis votre espace foyer, pas depuis un organisme."))
        foyer = getattr(acting_user, "foyer", None)
        if foyer is None:
            raise ActionError(_("Créez d'abord votre foyer pour déposer un dossier sur ce téléservice."))
    elif organisme is None:
        if not organismes_of(acting_user).exists():
            raise ActionError(_("Créez d'abord votre organisme pour déposer un dossier sur ce téléservice."))
        raise ActionError(
            _("Ce téléservice se dépose depuis l'espace d'un organisme : choisissez d'abord l'organisme concerné.")
        )
    elif not organismes_of(acting_user).filter(pk=organisme.pk).exists():
        raise ActionError(_("Vous ne pouvez pas déposer de dossier pour cet organisme."))
    form_class = form_for(teleservice)
    refusal = form_class.refusal_to_start(teleservice, foyer=foyer, organisme=organisme)
    if isinstance(refusal, ActionError):
        raise refusal
    if refusal:
        raise ActionError(refusal)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                reference=ReferenceCounter.next_reference(teleservice.code, today.year),
                teleservice=teleservice,
                applicant=acting_user,
                foyer=foyer,
                organisme=organisme,
                data=form_class.initial_data(foyer=foyer),
                campaign=today.year if form_class.one_deposit_per_campaign else None,
            )
            record(dossier, acting_user=acting_user, action="create", before="")
    except IntegrityError:
        # Two tabs filed at once: the unique constraint kept one; the other is told which.
        refusal = form_class.refusal_to_start(teleservice, foyer=foyer, organisme=organisme)
        if not refusal:
            raise
        raise refusal if isinstance(refusal, ActionError) else ActionError(str(refusal)) from None
    return dossier


def save_draft(dossier: Dossier, raw_data: dict[str, Any], *, acting_user: Any) -> Dossier:
    """Keep what the applicant typed, valid or not: validation happens at transmission."""
    with locked_dossier(dossier, acting_user=acting_user, action="edit") as locked:
        if not locked.is_editable_by_applicant:
            raise TransitionRefused(
                _("Ce dossier « %(status)s » n'est plus modifiable.") % {"status": locked.get_status_display()}
            )
        form_class = form_for(locked)
        locked.data = _storable(form_class.raw_from(raw_data))
        locked.beneficiary = _beneficiary(locked, locked.data.get("beneficiary"))
        locked.save(update_fields=["data", "beneficiary", "updated"])
    return dossier


def _storable(value: Any) -> Any:
    """The draft without NUL characters: nobody types one, and PostgreSQL's jsonb refuses them
    (the whole save failed with a 500, losing everything else that was typed)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


def _beneficiary(dossier: Dossier, raw: Any) -> FoyerMember | None:
    if dossier.foyer_id is None or not str(raw or "").isdigit():
        return None
    return FoyerMember.objects.filter(foyer_id=dossier.foyer_id, pk=int(raw)).first()
