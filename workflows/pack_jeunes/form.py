from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruction.documents import DocumentSpec, field_in, field_not_in
from instruction.forms import DossierForm
from instruction.models import Foyer
from workflows.amounts import Amount
from workflows.pack_jeunes import rules

# Shown in the browser only for the aid they belong to (static/js/filing.js reads these).
WHEN_LOGEMENT = {"data-when-field": "aid", "data-when-values": f"{rules.LOGEMENT}|"}
WHEN_PERMIS = {"data-when-field": "aid", "data-when-values": rules.PERMIS}
# The French message of each conditional field, when its aid is chosen and it is left empty.
CONDITIONAL_REQUIRED = {
    "housing_address": _("Indiquez l'adresse du logement."),
    "housing_postal_code": _("Indiquez le code postal du logement."),
    "housing_commune": _("Indiquez la commune du logement."),
    "move_in_date": _("Indiquez la date d'entrée dans le logement."),
    "monthly_rent": _("Indiquez le montant du loyer mensuel."),
    "driving_school": _("Indiquez le nom de l'auto-école."),
    "driving_school_commune": _("Indiquez la commune de l'auto-école."),
    "registration_date": _("Indiquez la date d'inscription à l'auto-école."),
    "permis_cost": _("Indiquez le coût de la formation au permis de conduire."),
}


def request_day(form: DossierForm) -> dt.date:
    """The day of the request: the transmission once transmitted, else today (a draft)."""
    sent = form.dossier.transmitted_at
    return timezone.localdate(sent) if sent else timezone.localdate()


class PackJeunesForm(DossierForm):
    documents = (
        DocumentSpec(
            "avis_imposition",
            _("Dernier avis d'imposition ou de non-imposition"),
            help=_("L'avis le plus récent, toutes les pages."),
            # Downloaded as a PDF from impots.gouv.fr: a photo of it is not accepted.
            types=("application/pdf",),
        ),
        DocumentSpec("rib", _("Relevé d'identité bancaire (RIB)"), help=_("Au nom du demandeur.")),
        DocumentSpec(
            "bail",
            _("Bail au nom du demandeur"),
            help=_("Le contrat de location signé."),
            condition=field_in("aid", rules.LOGEMENT, ""),
            condition_note=_("pour l'aide au premier logement"),
        ),
        DocumentSpec(
            "attestation_auto_ecole",
            _("Attestation d'inscription à l'auto-école"),
            help=_("Délivrée par l'auto-école, avec la date d'inscription et le coût de la formation."),
            condition=field_in("aid", rules.PERMIS),
            condition_note=_("pour l'aide au permis de conduire"),
        ),
        DocumentSpec(
            "piece_identite",
            _("Pièce d'identité en cours de validité"),
            help=_("Carte d'identité ou passeport : joignez le recto et le verso."),
        ),
        DocumentSpec(
            "attestation_engagement",
            _("Attestation d'engagement"),
            help=_("Jeune sapeur-pompier volontaire, gendarme ou militaire réserviste."),
            condition=field_not_in("engagement", "aucun"),
            condition_note=_("si vous demandez la majoration"),
        ),
    )
    beneficiary_field = "beneficiary"

    beneficiary = forms.ChoiceField(
        label=_("Bénéficiaire"),
        help_text=_("Seuls les membres du foyer âgés de 18 à 25 ans sont proposés."),
        error_messages={
            "required": _("Choisissez le bénéficiaire de l'aide parmi les membres de votre foyer."),
            "invalid_choice": _("Choisissez le bénéficiaire parmi les membres de votre foyer proposés dans la liste."),
        },
    )
    aid = forms.ChoiceField(
        label=_("Aide demandée"),
        choices=list(rules.AIDS.items()),
        initial=rules.LOGEMENT,
        required=False,
        widget=forms.RadioSelect,
    )
    quotient_familial = forms.IntegerField(
        label=_("Quotient familial (€)"),
        min_value=0,
        max_value=99999,
        help_text=_("Indiqué sur votre attestation de la CAF ou de la MSA."),
        error_messages={"required": _("Indiquez le quotient familial de votre foyer.")},
    )
    engagement = forms.ChoiceField(
        label=_("Engagement citoyen (majoration de 50 %)"),
        choices=list(rules.ENGAGEMENTS.items()),
        initial="aucun",
    )
    housing_address = forms.CharField(
        label=_("Adresse du logement"), max_length=250, required=False, widget=forms.TextInput(attrs=WHEN_LOGEMENT)
    )
    housing_postal_code = forms.CharField(
        label=_("Code postal du logement"),
        required=False,
        validators=[RegexValidator(r"^\d{5}$", _("Le code postal comporte 5 chiffres."))],
        widget=forms.TextInput(attrs=WHEN_LOGEMENT),
    )
    housing_commune = forms.CharField(
        label=_("Commune du logement"), max_length=100, required=False, widget=forms.TextInput(attrs=WHEN_LOGEMENT)
    )
    move_in_date = forms.DateField(
        label=_("Date d'entrée dans le logement"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **WHEN_LOGEMENT}),
    )
    monthly_rent = forms.DecimalField(
        label=_("Loyer mensuel (€)"),
        min_value=1,
        max_digits=8,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs=WHEN_LOGEMENT),
    )
    driving_school = forms.CharField(
        label=_("Nom de l'auto-école"), max_length=150, required=False, widget=forms.TextInput(attrs=WHEN_PERMIS)
    )
    driving_school_commune = forms.CharField(
        label=_("Commune de l'auto-école"), max_length=100, required=False, widget=forms.TextInput(attrs=WHEN_PERMIS)
    )
    registration_date = forms.DateField(
        label=_("Date d'inscription à l'auto-école"),
        required=False,
        help_text=_("Elle doit dater de moins d'un an."),
        widget=forms.DateInput(attrs={"type": "date", **WHEN_PERMIS}),
    )
    permis_cost = forms.DecimalField(
        label=_("Coût de la formation au permis B (€)"),
        min_value=1,
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_("Le montant indiqué sur le contrat ou le devis de l'auto-école."),
        widget=forms.NumberInput(attrs=WHEN_PERMIS),
    )
    certify = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": _("Cochez la case pour certifier l'exactitude des informations.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = request_day(self)
        foyer = self.dossier.foyer
        members = list(foyer.members.all()) if foyer is not None else []
        self.offer_beneficiaries(
            [m for m in members if rules.is_eligible_beneficiary(m.birth_date, self.today)],
            lambda m: (
                _("%(name)s (%(age)s ans)") % {"name": f"{m.first_name} {m.last_name}", "age": m.age_on(self.today)}
            ),
        )
        # A member of the foyer who may not benefit: the reason, rather than « not in the list ».
        chosen = str(self.data.get("beneficiary", "") or "") if self.is_bound else ""
        refused = next((m for m in members if str(m.pk) == chosen), None)
        reason = rules.beneficiary_refusal(refused.birth_date, self.today) if refused else None
        if reason:
            self.fields["beneficiary"].error_messages["invalid_choice"] = reason

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        data: dict[str, Any] = {"aid": rules.LOGEMENT, "engagement": "aucun"}
        if foyer is not None and foyer.quotient_familial is not None:
            data["quotient_familial"] = str(foyer.quotient_familial)
        return data

    def chosen_aid(self) -> str:
        return rules.aid_of(self.data.get("aid") if self.is_bound else self.initial.get("aid"))

    def clean_aid(self) -> str:
        return rules.aid_of(self.cleaned_data.get("aid"))

    def clean_quotient_familial(self) -> int:
        value = self.cleaned_data["quotient_familial"]
        if not rules.compute_amount(value, "aucun").eligible:
            raise forms.ValidationError(
                _("Le Pack Jeunes est réservé aux foyers dont le quotient familial ne dépasse pas 1 200 €.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        aid = self.chosen_aid()
        for name, message in CONDITIONAL_REQUIRED.items():
            if not rules.applies(name, aid):
                # Not asked for this aid: neither its errors nor its value are kept.
                self.errors.pop(name, None)
                cleaned[name] = None
            elif name not in self.errors and cleaned.get(name) in (None, ""):
                self.add_error(name, message)
        registered = cleaned.get("registration_date")
        if aid == rules.PERMIS and registered:
            reason = rules.registration_refusal(registered, self.today)
            if reason:
                self.add_error("registration_date", reason)
        return cleaned

    def amount(self) -> Amount | None:
        qf = str(self.data.get("quotient_familial", ""))
        if not qf.isdigit():
            return None
        return rules.compute_amount(int(qf), str(self.data.get("engagement", "aucun")), self.chosen_aid())

    def summary(self, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
        """The recap without the fields of the aid not asked for."""
        aid = self.chosen_aid()
        excluded = set(exclude)
        wanted = [name for name in self.fields if name not in excluded]
        other_aid = {name for name in wanted if name in CONDITIONAL_REQUIRED and not rules.applies(name, aid)}
        # Asked for one such field alone (e.g. to show a correction), it is shown all the same.
        rows = super().summary(excluded | other_aid if len(other_aid) < len(wanted) else excluded)
        label = str(self.fields["aid"].label)
        return [(row_label, str(rules.AIDS[aid]) if row_label == label else value) for row_label, value in rows]
