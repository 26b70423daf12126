from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruction.documents import DocumentSpec, field_not_in
from instruction.forms import DossierForm
from instruction.models import Foyer
from workflows.pack_jeunes import rules


class PackJeunesForm(DossierForm):
    documents = (
        DocumentSpec(
            "avis_imposition",
            _("Dernier avis d'imposition ou de non-imposition"),
            help=_("L'avis le plus récent, toutes les pages."),
        ),
        DocumentSpec("rib", _("Relevé d'identité bancaire (RIB)"), help=_("Au nom du demandeur.")),
        DocumentSpec("bail", _("Bail au nom du demandeur"), help=_("Le contrat de location signé.")),
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
        error_messages={"required": _("Choisissez le bénéficiaire de l'aide parmi les membres de votre foyer.")},
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
        label=_("Adresse du logement"),
        max_length=250,
        error_messages={"required": _("Indiquez l'adresse du logement.")},
    )
    housing_postal_code = forms.CharField(
        label=_("Code postal du logement"),
        validators=[RegexValidator(r"^\d{5}$", _("Le code postal comporte 5 chiffres."))],
        error_messages={"required": _("Indiquez le code postal du logement.")},
    )
    housing_commune = forms.CharField(
        label=_("Commune du logement"),
        max_length=100,
        error_messages={"required": _("Indiquez la commune du logement.")},
    )
    move_in_date = forms.DateField(
        label=_("Date d'entrée dans le logement"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Indiquez la date d'entrée dans le logement.")},
    )
    monthly_rent = forms.DecimalField(
        label=_("Loyer mensuel (€)"),
        min_value=1,
        max_digits=8,
        decimal_places=2,
        error_messages={"required": _("Indiquez le montant du loyer mensuel.")},
    )
    certify = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": _("Cochez la case pour certifier l'exactitude des informations.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        foyer = self.dossier.foyer
        members = list(foyer.members.all()) if foyer is not None else []
        self.offer_beneficiaries(
            [m for m in members if rules.is_eligible_beneficiary(m.birth_date, today)],
            lambda m: _("%(name)s (%(age)s ans)") % {"name": f"{m.first_name} {m.last_name}", "age": m.age_on(today)},
        )

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        data: dict[str, Any] = {"engagement": "aucun"}
        if foyer is not None and foyer.quotient_familial is not None:
            data["quotient_familial"] = str(foyer.quotient_familial)
        return data

    def clean_quotient_familial(self) -> int:
        value = self.cleaned_data["quotient_familial"]
        if not rules.compute_amount(value, "aucun").eligible:
            raise forms.ValidationError(
                _("Le Pack Jeunes est réservé aux foyers dont le quotient familial ne dépasse pas 1 200 €.")
            )
        return value

    def amount(self) -> rules.Amount | None:
        qf = str(self.data.get("quotient_familial", ""))
        if not qf.isdigit():
            return None
        return rules.compute_amount(int(qf), str(self.data.get("engagement", "aucun")))
