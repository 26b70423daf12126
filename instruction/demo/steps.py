"""How a demo dossier is filed and brought to a status, through the actions layer only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from instruction import actions
from instruction.documents import specs_for
from instruction.forms import form_for
from instruction.models import Dossier

# The paths a dossier can follow; each name is the status (or situation) it ends in.
PATHS = (
    "draft",
    "transmitted",
    "in_instruction",
    "complement",
    "answered",
    "awaiting_validation",
    "accepted",
    "rejected",
    "closed",
    "visit_scheduled",
    "awaiting_ranking",
    "ranked",
)


@dataclass(frozen=True)
class Filing:
    """One demo dossier: who files it (an account's e-mail), for whom (a child's first name),
    the path it follows, and what the agent writes on the way."""

    email: str
    path: str
    child: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    motivation: str = ""
    amount: str = ""
    prize: str = ""


def demo_pdf(label: str) -> SimpleUploadedFile:
    from weasyprint import HTML

    content = HTML(string=f"<p>Document de démonstration : {label}</p>").write_pdf()
    return SimpleUploadedFile("piece.pdf", content, "application/pdf")


def attach_documents(dossier: Dossier, user: Any, codes: list[str] | None = None) -> None:
    """One small PDF per required document (or per document of ``codes``)."""
    uploads = {}
    for spec in specs_for(dossier.teleservice):
        if (codes is None and spec.is_required(dossier.data)) or (codes is not None and spec.code in codes):
            upload = demo_pdf(str(spec.label))
            upload.name = f"{spec.code}.pdf"
            uploads[spec.code] = [upload]
    actions.attach_files(dossier, uploads, acting_user=user)


def computed_amount(dossier: Dossier) -> str:
    amount = form_for(dossier.teleservice)(data=dossier.data, dossier=dossier).amount()
    return str(amount.value) if amount is not None and amount.value is not None else ""


def advance(dossier: Dossier, filing: Filing, *, applicant: Any, agent: Any) -> None:  # noqa: C901 - one path each
    path = filing.path
    if path == "draft":
        return
    actions.transmit(dossier, acting_user=applicant)
    if path == "transmitted":
        return
    actions.take(dossier, acting_user=agent)
    if path == "in_instruction":
        return
    if path in ("complement", "answered"):
        if filing.message:
            actions.send_message(dossier, acting_user=agent, body=filing.message)
        codes = [spec.code for spec in specs_for(dossier.teleservice)][:1]
        actions.request_complement(
            dossier,
            acting_user=agent,
            message=filing.motivation or "Merci de joindre de nouveau la pièce indiquée, lisible et complète.",
            documents=codes,
        )
        if path == "answered":
            attach_documents(dossier, applicant, codes)
            actions.send_message(dossier, acting_user=applicant, body="Bonjour, voici la pièce demandée. Cordialement.")
            actions.answer_complement(dossier, acting_user=applicant)
        return
    if path in ("visit_scheduled", "awaiting_ranking", "ranked"):
        days = 21 if path == "visit_scheduled" else 0
        actions.schedule_visit(
            dossier,
            acting_user=agent,
            visit_on=timezone.localdate() + dt.timedelta(days=days),
            message="Le jury sera accueilli à la mairie à 10 h, puis parcourra la commune.",
        )
        if path == "visit_scheduled":
            return
        actions.report_visit(
            dossier,
            acting_user=agent,
            report="Fleurissement harmonieux du centre-bourg, entrées de village soignées, "
            "gestion différenciée des espaces verts et implication des habitants.",
        )
        if path == "ranked":
            actions.rank(dossier, acting_user=agent, prize=filing.prize or "premier", motivation=filing.motivation)
        return
    if path in ("accepted", "awaiting_validation"):
        amount = filing.amount or computed_amount(dossier)
        actions.decide(dossier, acting_user=agent, outcome="accepted", amount=amount, motivation=filing.motivation)
        return
    actions.decide(dossier, acting_user=agent, outcome=path, motivation=filing.motivation or "Demande en double.")
