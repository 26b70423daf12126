"""What the retention does to one dossier: the warning e-mail (once, reset by any change), the
draft's deletion with everything it holds, the anonymisation of a decided dossier with its
audit chain still verified, and the database trigger that allows nothing else."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from instruction import actions
from instruction.actions import retention as retention_actions
from instruction.audit import verify_chain
from instruction.documents import specs_for
from instruction.models import (
    DecisionLetter,
    Dossier,
    DossierFile,
    Event,
    Message,
    MessageAttachment,
    OutboxMessage,
)
from instruction.retention import apply, plan
from tests.factories import pdf_upload, valid_form_data
from tests.instruction.retention_helpers import decided_dossier, idle_draft, run, stored_files, warned


def test_retention_warning_email_once_with_day_and_how_to_keep(
    cast, django_capture_on_commit_callbacks, deliver_outbox
):
    """One e-mail in French naming the deletion day and the way to keep the draft; never twice."""
    draft = idle_draft(cast, 76)
    with django_capture_on_commit_callbacks(execute=True):
        assert apply(plan()).done["warn"][0].reference == draft.reference
    with django_capture_on_commit_callbacks(execute=True):
        assert apply(plan()).done["warn"] == []
    assert retention_actions.warn_draft_deletion(draft) is False
    deliver_outbox()  # as the worker would (with a broker, nothing is sent in the web process)
    (email,) = mail.outbox
    assert email.to == [cast.applicant.email]
    assert email.subject.startswith(f"Votre brouillon {draft.reference} sera supprimé le ")
    # 90 days after the last change, but never less than 15 days after the warning.
    day = timezone.localdate(max(draft.updated + dt.timedelta(days=90), timezone.now() + dt.timedelta(days=15)))
    assert f"définitivement supprimés le {day.day} " in email.body
    assert "toute modification fait repartir le délai" in email.body
    assert OutboxMessage.objects.filter(key__startswith="draft-deletion-warning:").count() == 1


def test_retention_edit_after_warning_resets_the_clock(cast):
    """A warned draft that is then saved is not deleted at day 90; it is warned again 75 days
    after that change."""
    draft = warned(idle_draft(cast, 91), days_ago=16)
    member = cast.applicant.foyer.members.exclude(link="demandeur").first()
    actions.save_draft(draft, valid_form_data(member), acting_user=cast.applicant)

    due = plan()
    assert due.items["delete"] == [] and due.items["warn"] == []
    later = plan(timezone.now() + dt.timedelta(days=76))
    assert [item.reference for item in later.items["warn"]] == [draft.reference]
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_retention_adding_a_file_resets_the_clock(cast):
    """Attaching a document is a change of the draft too."""
    draft = warned(idle_draft(cast, 91), days_ago=16)
    code = specs_for(draft.teleservice)[0].code
    actions.attach_files(draft, {code: [pdf_upload()]}, acting_user=cast.applicant)
    assert plan().items["delete"] == []


def test_retention_draft_edited_between_plan_and_deletion_is_kept(cast):
    """The deletion checks again on the locked row: an edit after the plan saves the draft."""
    draft = warned(idle_draft(cast, 91), days_ago=16)
    due = plan()
    assert [item.reference for item in due.items["delete"]] == [draft.reference]
    Dossier.objects.filter(pk=draft.pk).update(updated=timezone.now())
    outcome = apply(due)
    assert outcome.done["delete"] == [] and [i.reference for i in outcome.skipped["delete"]] == [draft.reference]
    assert retention_actions.delete_draft(draft, due_at=timezone.now()) is None
    assert Dossier.objects.filter(pk=draft.pk).exists()


def test_retention_draft_deleted_with_files_events_and_mail_leaves_nothing(
    cast, settings, django_capture_on_commit_callbacks
):
    """Rows, events, outbox rows and stored files of the draft are gone; other dossiers' chains
    still verify."""
    other = decided_dossier(cast, years_ago=1)
    draft = idle_draft(cast, 80)
    retention_actions.warn_draft_deletion(draft)
    Dossier.objects.filter(pk=draft.pk).update(
        updated=timezone.now() - dt.timedelta(days=91), retention_warned_at=timezone.now() - dt.timedelta(days=15)
    )
    files = [f for f in stored_files(settings) if f.startswith(f"dossiers/{draft.pk}/")]
    assert files and Event.objects.filter(dossier=draft).exists()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = apply(plan())

    assert [i.reference for i in outcome.done["delete"]] == [draft.reference]
    assert outcome.files_deleted == len(files)
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not Event.objects.filter(dossier_id=draft.pk).exists()
    assert not DossierFile.objects.filter(dossier_id=draft.pk).exists()
    assert not OutboxMessage.objects.filter(dossier_id=draft.pk).exists()
    assert not [f for f in stored_files(settings) if f.startswith(f"dossiers/{draft.pk}/")]
    assert verify_chain().broken is None and Event.objects.filter(dossier=other).exists()


def test_retention_anonymise_erases_personal_data_keeps_statistics_and_chain(
    cast, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Form data, files, messages' texts and attachments, the letter's file, the applicant's link
    and personal event details are erased; status, dates, amount, service and agents stay;
    verify_audit_chain still passes and an « anonymise » event is recorded."""
    dossier = decided_dossier(cast, years_ago=6)
    original_events = {e.pk: e for e in Event.objects.filter(dossier=dossier)}
    assert DecisionLetter.objects.get(dossier=dossier).file
    mine = [f for f in stored_files(settings) if f"/{dossier.pk}/" in f]
    assert len(mine) >= 4  # documents, two attachments, the letter

    # A fixed number of queries whatever the number of events, messages or files.
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(22):
        counts = retention_actions.anonymise(dossier)

    assert counts["documents"] >= 1 and counts["attachments"] == 2 and counts["letters"] == 1
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.applicant, fresh.foyer, fresh.beneficiary, fresh.organisme) == (None, None, None, None)
    assert fresh.data == {} and fresh.decision_motivation == "" and fresh.search_vector is None
    assert fresh.status == "accepted" and str(fresh.decision_amount) == "250.00"
    assert fresh.decided_at == dossier.decided_at and fresh.transmitted_at == dossier.transmitted_at
    assert fresh.service_id == dossier.service_id and fresh.assignee == cast.agent
    assert not [f for f in stored_files(settings) if f"/{dossier.pk}/" in f]
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert not MessageAttachment.objects.filter(message__dossier=dossier).exists()
    assert set(Message.objects.filter(dossier=dossier).values_list("body", flat=True)) == {""}
    assert Message.objects.get(dossier=dossier, from_service=False).author is None
    assert Message.objects.get(dossier=dossier, from_service=True).author == cast.agent
    assert DecisionLetter.objects.get(dossier=dossier).file == ""
    payloads = list(OutboxMessage.objects.filter(dossier=dossier).values_list("payload", flat=True))
    assert payloads and all(payload == {} for payload in payloads)

    events = {e.pk: e for e in Event.objects.filter(dossier=dossier)}
    by_action = {e.action: e for e in events.values()}
    for action in ("create", "transmit", "decide"):
        event = by_action[action]
        assert event.details == {} and len(event.redacted) == 64
        assert event.hash == original_events[event.pk].hash
    assert by_action["transmit"].actor is None and by_action["decide"].actor == cast.agent
    assert by_action["take"].redacted == "" and by_action["take"].actor == cast.agent
    assert not any(e.actor_id == cast.applicant.pk for e in events.values())
    assert by_action["anonymise"].details == counts
    assert verify_chain().broken is None
    code, output = run("verify_audit_chain")
    assert code == 0 and "Chaîne d'audit intacte" in output


def test_retention_anonymised_dossier_review_page_still_renders(client, cast):
    """The agents' review page of an anonymised dossier shows what is left, without errors."""
    dossier = decided_dossier(cast, years_ago=6)
    retention_actions.anonymise(dossier)
    client.force_login(cast.agent)
    from django.urls import reverse

    response = client.get(reverse("backoffice:review", args=[dossier.reference]))
    assert response.status_code == 200
    assert "Dossier anonymisé à la fin de sa durée de conservation" in response.content.decode()
    assert cast.applicant.email not in response.content.decode()


def test_retention_redacted_event_tampered_is_still_detected(cast):
    """After anonymisation, changing an event's status or date still breaks the chain."""
    dossier = decided_dossier(cast, years_ago=6)
    retention_actions.anonymise(dossier)
    event = Event.objects.get(dossier=dossier, action="decide")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE instruction_event DISABLE TRIGGER instruction_event_no_update_delete")
        cursor.execute("UPDATE instruction_event SET to_status = 'rejected' WHERE id = %s", [event.pk])
        cursor.execute("ALTER TABLE instruction_event ENABLE TRIGGER instruction_event_no_update_delete")
    report = verify_chain()
    assert report.broken is not None and report.broken.event_id == event.pk


@pytest.mark.parametrize(
    ("setting", "sql"),
    [
        ("", "UPDATE instruction_event SET details = '{}', redacted = repeat('a', 64) WHERE id = %s"),
        ("redaction", "UPDATE instruction_event SET action = 'take', details = '{}', redacted = repeat('a', 64) "
         "WHERE id = %s"),
        ("redaction", "UPDATE instruction_event SET details = '{\"x\": 1}', redacted = repeat('a', 64) WHERE id = %s"),
        ("purge", "DELETE FROM instruction_event WHERE id = %s"),
    ],
)  # fmt: skip
def test_retention_trigger_refuses_anything_but_a_redaction_of_a_decided_dossier(cast, setting, sql):
    """Without its setting, or changing anything but the details and a citizen actor, or deleting
    events of a dossier that is not a draft: refused by the database."""
    dossier = decided_dossier(cast, years_ago=6)
    event = Event.objects.get(dossier=dossier, action="decide")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        if setting:
            cursor.execute(f"SELECT set_config('instruction.event_{setting}', %s, true)", [str(dossier.pk)])
        cursor.execute(sql, [event.pk])


def test_retention_migration_rechains_existing_events(cast):
    """Migration 0017 computes every hash again with the new digest: the chain verifies after it,
    even from hashes of the former scheme."""
    decided_dossier(cast, years_ago=1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE instruction_event DISABLE TRIGGER instruction_event_no_update_delete")
        cursor.execute("UPDATE instruction_event SET hash = md5(hash) || md5(hash)")
        cursor.execute("ALTER TABLE instruction_event ENABLE TRIGGER instruction_event_no_update_delete")
    assert verify_chain().broken is not None
    migration = importlib.import_module("instruction.migrations.0017_retention")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.rechain(django_apps, editor)
    assert verify_chain().broken is None


def test_retention_period_edited_in_the_admin_and_bounded(admin_client, cast):
    """The administrator sets a téléservice's retention in years; 0 is refused in French."""
    from tests.instruction.admin_forms import change_url, post_change

    page = admin_client.get(change_url(cast.teleservice)).content.decode()
    assert "Conservation des données (RGPD)" in page
    refused = post_change(admin_client, cast.teleservice, retention_years="0")
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["retention_years"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 1."
    ]
    response = post_change(admin_client, cast.teleservice, retention_years="10")
    assert response.status_code == 302
    cast.teleservice.refresh_from_db()
    assert cast.teleservice.retention_years == 10


def test_retention_anonymising_last_dossier_of_deleted_account_erases_its_foyer(cast):
    """Once the account is deleted, the foyer is kept only for the transmitted dossiers: when the
    last one is anonymised, its members and its address go."""
    from instruction.actions.account import delete_account
    from instruction.models import Foyer, FoyerMember

    dossier = decided_dossier(cast, years_ago=6)
    foyer = cast.applicant.foyer
    delete_account(cast.applicant, acting_user=cast.applicant)
    assert FoyerMember.all_objects.filter(foyer=foyer).count() == 1  # the beneficiary of the dossier
    assert Foyer.objects.get(pk=foyer.pk).commune == "Vesoul"

    retention_actions.anonymise(dossier)

    assert not FoyerMember.all_objects.filter(foyer=foyer).exists()
    erased = Foyer.objects.get(pk=foyer.pk)
    assert (erased.address, erased.postal_code, erased.commune, erased.quotient_familial) == ("", "", "", None)
    assert not erased.events.exclude(details={}).exists()


def test_retention_anonymised_dossier_in_the_api(cast):
    """The API's detail of an anonymised dossier answers, with no applicant, data or motivation."""
    from tests.api.helpers import ApiClient, token_for

    dossier = decided_dossier(cast, years_ago=6)
    retention_actions.anonymise(dossier)

    response = ApiClient(token_for(cast.agent, "read")).get(f"/api/v1/dossiers/{dossier.reference}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["applicant"], body["applicant_email"], body["data"]) == ("", None, {})
    assert body["status"] == "accepted"
