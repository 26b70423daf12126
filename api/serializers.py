"""What the API reads and writes. Inputs refuse unknown fields; outputs are read-only views of
the domain (the actions layer does every change)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backoffice.lists import is_late
from instruction.actions.messages import MAX_BODY_LENGTH
from instruction.documents import specs_for
from instruction.models import Dossier, DossierStatus, Event, Message, ScanStatus, Teleservice
from instruction.models.dossier import DECIDED_STATUSES


def etag_of(dossier: Dossier) -> str:
    """The dossier's version: every action saves the dossier, which moves ``updated``."""
    return f'"{dossier.pk}-{int(dossier.updated.timestamp() * 1_000_000)}"'


def person_name(user: Any) -> str:
    return str(user) if user is not None else ""


# --- Inputs -----------------------------------------------------------------------------------
class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error (a typo must not be silently ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [gettext("Champ inconnu.")] for name in unknown})
        return super().to_internal_value(data)


class EmptyInputSerializer(StrictSerializer):
    """An action without input: ``{}`` or no body at all."""


class AssignInputSerializer(StrictSerializer):
    agent = serializers.IntegerField(help_text=_("Identifiant de l'agent du service à qui attribuer le dossier."))
    reason = serializers.CharField(max_length=1000, help_text=_("Motif de l'attribution."))


class ComplementInputSerializer(StrictSerializer):
    message = serializers.CharField(max_length=5000, help_text=_("Ce que le demandeur doit compléter."))
    documents = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Codes des pièces à transmettre de nouveau."),
    )
    due = serializers.DateField(
        required=False,
        help_text=_("Échéance (AAAA-MM-JJ), de demain à 90 jours ; par défaut le délai du téléservice."),
    )


class DecideInputSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=[s.value for s in DECIDED_STATUSES])
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        coerce_to_string=True,
        help_text=_("Montant accordé en euros, pour une acceptation."),
    )
    motivation = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class MessageInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=MAX_BODY_LENGTH, help_text=_("Texte du message au demandeur."))


# --- Outputs ----------------------------------------------------------------------------------
class TeleserviceSerializer(serializers.ModelSerializer):
    instructing_service = serializers.CharField(source="instructing_service.name", read_only=True)

    class Meta:
        model = Teleservice
        fields = ["id", "code", "slug", "title", "category", "audience", "published", "instructing_service"]
        read_only_fields = fields


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class DossierSummarySerializer(serializers.ModelSerializer):
    teleservice = serializers.CharField(source="teleservice.code", read_only=True)
    teleservice_title = serializers.CharField(source="teleservice.title", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    applicant = serializers.SerializerMethodField()
    beneficiary = serializers.SerializerMethodField()
    assignee = PersonSerializer(read_only=True, allow_null=True)
    late = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "reference",
            "teleservice",
            "teleservice_title",
            "status",
            "status_label",
            "applicant",
            "beneficiary",
            "assignee",
            "transmitted_at",
            "deadline",
            "late",
            "updated",
            "url",
        ]
        read_only_fields = fields

    def get_applicant(self, dossier: Dossier) -> str:
        return person_name(dossier.applicant)

    def get_beneficiary(self, dossier: Dossier) -> str:
        return str(dossier.beneficiary) if dossier.beneficiary_id else ""

    def get_late(self, dossier: Dossier) -> bool:
        return is_late(dossier.deadline, dossier.status, timezone.localdate())

    def get_url(self, dossier: Dossier) -> str:
        path = reverse("api:dossier-detail", args=[dossier.reference])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DossierFileSerializer(serializers.Serializer):
    """A stored file; ``url`` downloads it (``context["file_url"]`` names the route)."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created = serializers.DateTimeField()
    # The antivirus: « pending », « clean », « infected », « error », or « unscanned » without one.
    scan_status = serializers.ChoiceField(choices=ScanStatus.choices)
    # False until the antivirus has cleared it: ``url`` then answers 409.
    available = serializers.BooleanField(source="is_openable")
    url = serializers.SerializerMethodField()

    def get_url(self, stored: Any) -> str:
        path = reverse(self.context["file_url"], args=[self.context["reference"], stored.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DocumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    files = DossierFileSerializer(many=True)


class EventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="action_label", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["action", "label", "from_status", "to_status", "created", "actor"]
        read_only_fields = fields

    def get_actor(self, event: Event) -> str:
        return person_name(event.actor)


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, coerce_to_string=True)
    motivation = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class DossierDetailSerializer(DossierSummarySerializer):
    # None once the dossier is anonymised (RGPD retention).
    applicant_email = serializers.EmailField(source="applicant.email", read_only=True, allow_null=True)
    data = serializers.JSONField(read_only=True, help_text=_("Données du formulaire, telles que déposées."))
    complement_due = serializers.DateField(read_only=True, allow_null=True)
    decision = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()

    class Meta(DossierSummarySerializer.Meta):
        fields = [
            *DossierSummarySerializer.Meta.fields,
            "applicant_email",
            "created",
            "decided_at",
            "complement_due",
            "data",
            "decision",
            "documents",
            "history",
            "abilities",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, dossier: Dossier) -> dict[str, Any] | None:
        if dossier.status not in DECIDED_STATUSES and dossier.status != DossierStatus.AWAITING_VALIDATION:
            return None
        outcome = dossier.proposed_outcome if dossier.status == DossierStatus.AWAITING_VALIDATION else dossier.status
        return DecisionSerializer(
            {
                "outcome": outcome,
                "amount": dossier.decision_amount,
                "motivation": dossier.decision_motivation,
                "decided_at": dossier.decided_at,
            }
        ).data

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, dossier: Dossier) -> list[dict[str, Any]]:
        files = list(dossier.files.all())
        labels = {spec.code: str(spec.label) for spec in specs_for(dossier)}
        by_code: dict[str, list[Any]] = {}
        for stored in files:
            by_code.setdefault(stored.document, []).append(stored)
        codes = [code for code in labels if code in by_code] + [code for code in by_code if code not in labels]
        context = {**self.context, "file_url": "api:dossier-file", "reference": dossier.reference}
        return DocumentSerializer(
            [{"code": code, "label": labels.get(code, code), "files": by_code[code]} for code in codes],
            many=True,
            context=context,
        ).data

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, dossier: Dossier) -> list[dict[str, Any]]:
        return EventSerializer(dossier.events.select_related("actor").order_by("created", "pk"), many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.BooleanField()))
    def get_abilities(self, dossier: Dossier) -> dict[str, bool]:
        """What the caller may do now (the actions offered by the API among them)."""
        from api.views import ACTIONS
        from permissions import access

        can = access.abilities(self.context["request"].user, dossier)
        return {name: can[name] for name in ACTIONS}

    def get_version(self, dossier: Dossier) -> str:
        return etag_of(dossier)


class DossierPageSerializer(serializers.Serializer):
    results = DossierSummarySerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text=_("Page suivante, ou null."))
    previous = serializers.URLField(allow_null=True, help_text=_("Page précédente, ou null."))


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "created", "from_service", "author", "body", "attachments"]
        read_only_fields = fields

    def get_author(self, message: Message) -> str:
        return person_name(message.author)

    @extend_schema_field(DossierFileSerializer(many=True))
    def get_attachments(self, message: Message) -> list[dict[str, Any]]:
        context = {**self.context, "file_url": "api:message-attachment", "reference": message.dossier.reference}
        return DossierFileSerializer(message.attachments.all(), many=True, context=context).data


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    name = serializers.CharField(source="user.__str__")
    email = serializers.EmailField(source="user.email")
    token = serializers.CharField(source="name", help_text=_("Nom du jeton utilisé."))
    scopes = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField(allow_null=True)
    teleservices = serializers.ListField(child=serializers.IntegerField(), source="teleservice_ids")


class ProblemErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    pointer = serializers.CharField(
        required=False, help_text=_("Pointeur JSON (RFC 6901) vers le champ du corps, précédé de #.")
    )
    parameter = serializers.CharField(required=False, help_text=_("Paramètre de la requête (query string)."))


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = ProblemErrorSerializer(many=True, required=False)
