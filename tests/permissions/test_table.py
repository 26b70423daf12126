"""« Qui peut faire quoi »: README.md holds exactly what ``manage.py permissions_table`` prints,
and the table's assumptions hold on a real dossier: each kind of person holds the roles it
declares, and the pages answer 200 where it says « oui », 404 where it says « non »."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from instruction import actions
from permissions import access, organismes, table
from tests.api.helpers import token_for
from tests.citizen_portal.test_journey_http import login
from tests.factories import UserFactory, expert_on
from tests.palmares_helpers import commune_of, palmares_dossier, palmares_teleservice

README = Path(settings.BASE_DIR) / "README.md"
PAGE_URLS = {
    "applicant_pages": "citizen:dossier",
    "review": "backoffice:review",
    "expert_pages": "backoffice:expert_dossier",
}


def test_permissions_table_readme_block_is_the_commands_output():
    """After a rule changes: `manage.py permissions_table --with-markers`, pasted over README's block."""
    out = StringIO()
    call_command("permissions_table", stdout=out)
    assert out.getvalue() == table.markdown()
    assert table.readme_block(README.read_text(encoding="utf-8")) == table.markdown(), (
        "README.md's « Who can do what » block is out of date: paste `manage.py permissions_table --with-markers`"
    )


def test_permissions_table_names_every_action_and_page():
    """A new action or page cannot be added without its words in the table."""
    assert set(table.ACTION_LABELS) == set(access.ACTION_ROLES)
    assert set(table.PAGE_LABELS) == set(access.PAGE_ROLES) == set(PAGE_URLS)
    lines = table.markdown().splitlines()
    assert len(lines[0].split(" | ")) == 1 + len(table.ACTORS)
    body = [line for line in lines if line.startswith("| ")]
    assert len(body) == 1 + len(access.PAGE_ROLES) + len(access.ACTION_ROLES) + 2  # header, pages, actions, API, admin


@pytest.fixture
def people(cast):
    """One person of each column, on a commune's Palmarès dossier taken by ``cast.agent``."""
    teleservice = palmares_teleservice(cast.service)
    organisme = commune_of(cast.applicant)
    co_member = UserFactory(email="adjoint@exemple.test")
    organismes.grant_role(co_member, organisme, organismes.MEMBER)
    dossier = palmares_dossier(teleservice, cast.applicant, organisme)
    actions.take(dossier, acting_user=cast.agent)
    colleague = UserFactory(email="collegue@exemple.test")
    cast.service.add_agent(colleague)
    expert = UserFactory(email="expert@exemple.test")
    expert_on(dossier, expert, granted_by=cast.agent)
    admin = UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True)
    return dossier, {
        "anonymous": AnonymousUser(),
        "applicant": cast.applicant,
        "co_member": co_member,
        "other_citizen": cast.other_citizen,
        "agent": colleague,  # an agent of the service who has not taken it
        "other_agent": cast.other_agent,
        "supervisor": cast.supervisor,
        "expert": expert,
        "token_read": UserFactory(email="integration@exemple.test"),  # seen through its token below
        "admin": admin,
    }


def test_permissions_table_actors_hold_the_declared_roles(cast, people):
    """Each column's person holds exactly the roles the table assumes; in charge, the agent adds ASSIGNEE."""
    dossier, users = people
    for key, actor in table.ACTORS.items():
        assert access.roles(users[key], dossier) == actor.roles, key
    assert access.roles(cast.agent, dossier) == table.ACTORS["agent"].roles | table.ACTORS["agent"].in_charge


@pytest.mark.parametrize("page", list(PAGE_URLS))
def test_permissions_table_pages_answer_as_written(client, people, page):
    """« oui »: 200; « non »: 404 (anonymous: the login page)."""
    dossier, users = people
    url = reverse(PAGE_URLS[page], args=[dossier.reference])
    cells = dict(zip(table.ACTORS, table._cell_row(access.PAGE_ROLES[page]), strict=True))
    for key, user in users.items():
        client.logout()
        if key == "anonymous":
            assert client.get(url).status_code == 302
            continue
        login(client, user)
        expected = 200 if cells[key] == "oui" else 404
        assert client.get(url).status_code == expected, (key, page)


def test_permissions_table_read_token_reads_but_cannot_act(cast, people):
    """An integration account of the service with a « read » token: reads the dossier, may not act."""
    from django.test import Client

    dossier, users = people
    cast.service.add_agent(users["token_read"])
    headers = {"Authorization": f"Bearer {token_for(users['token_read'], 'read')}"}
    api = Client()
    assert api.get(f"/api/v1/dossiers/{dossier.reference}/", headers=headers).status_code == 200
    refused = api.post(f"/api/v1/dossiers/{dossier.reference}/release/", headers=headers)
    assert refused.status_code == 403
    expert_token = {"Authorization": f"Bearer {token_for(users['expert'], 'read')}"}
    assert api.get(f"/api/v1/dossiers/{dossier.reference}/", headers=expert_token).status_code == 403
