"""« Créer mon foyer », « Gérer les membres du foyer », « Ajouter un individu »: for the cast."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, Event, Foyer, FoyerMember, SpaceEvent
from permissions.access import NotVisible
from tests.citizen_portal.test_journey_http import login
from tests.factories import FoyerMemberFactory, UserFactory, filed_dossier

FOYER_FORM = {
    "civility": "mme",
    "last_name": "Martin",
    "first_name": "Claire",
    "birth_date": "1985-04-12",
    "address": "3 place du Marché",
    "postal_code": "70000",
    "commune": "Vesoul",
    "quotient_familial": "450",
}
MEMBER_FORM = {
    "civility": "m",
    "last_name": "Martin",
    "first_name": "Hugo",
    "birth_date": "2012-06-01",
    "link": "enfant",
}


def page(response) -> str:
    return html.unescape(response.content.decode())


def member_of(user) -> FoyerMember:
    return user.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).get()


# --- Creating the foyer ----------------------------------------------------------------------


def test_foyer_create_citizen_without_foyer_creates_it_with_applicant(client, db):
    """« Valider » creates the foyer, adds the person as « Demandeur » and opens the foyer home."""
    user = UserFactory(first_name="Claire", last_name="Martin")
    login(client, user)
    form_page = page(client.get(reverse("citizen:foyer_create")))
    assert "Valider" in form_page and 'name="birth_date"' in form_page and 'name="civility"' in form_page
    # The names are already in the account: they are not asked again.
    assert 'name="last_name"' not in form_page

    response = client.post(reverse("citizen:foyer_create"), FOYER_FORM)

    assert response.url == reverse("citizen:foyer")
    foyer = Foyer.objects.get(responsible=user)
    assert (foyer.postal_code, foyer.commune, foyer.quotient_familial) == ("70000", "Vesoul", 450)
    applicant = foyer.members.get()
    assert applicant.link == FoyerMember.Link.APPLICANT
    assert (applicant.first_name, applicant.last_name, applicant.civility) == ("Claire", "Martin", "mme")
    assert applicant.birth_date == dt.date(1985, 4, 12)
    assert SpaceEvent.objects.filter(foyer=foyer, action="create_foyer", actor=user).exists()
    home = page(client.get(response.url))
    for tile in ("Gérer les membres du foyer", "Déposer un dossier", "Demandes"):
        assert tile in home
    assert f'href="{reverse("citizen:catalogue")}?espace=foyer"' in home


def test_foyer_create_citizen_without_names_is_asked_them(client, db):
    """An account without names (FranceConnect pending, agent-made) is asked them in the form."""
    user = UserFactory(first_name="", last_name="")
    login(client, user)
    assert 'name="last_name"' in page(client.get(reverse("citizen:foyer_create")))
    client.post(reverse("citizen:foyer_create"), FOYER_FORM)
    assert Foyer.objects.get(responsible=user).members.get().last_name == "Martin"


def test_foyer_create_franceconnect_citizen_is_not_asked_certified_identity(client, db):
    """With a FranceConnect identity, civility, names and birth date come from it."""
    from permissions.models import FranceConnectIdentity

    user = UserFactory(first_name="", last_name="")
    FranceConnectIdentity.objects.create(
        user=user,
        sub="sub-123",
        given_name="Angela Claire Louise",
        family_name="DUBOIS",
        birthdate=dt.date(1962, 8, 24),
        claims={"gender": "female"},
    )
    login(client, user)
    form_page = page(client.get(reverse("citizen:foyer_create")))
    for name in ("civility", "last_name", "first_name", "birth_date"):
        assert f'name="{name}"' not in form_page
    address = {k: FOYER_FORM[k] for k in ("address", "postal_code", "commune", "quotient_familial")}
    client.post(reverse("citizen:foyer_create"), address)
    me = Foyer.objects.get(responsible=user).members.get()
    assert (me.civility, me.last_name, me.birth_date) == ("mme", "DUBOIS", dt.date(1962, 8, 24))


def test_foyer_create_citizen_quotient_familial_is_optional(client, db):
    """The declared quotient familial may be left empty."""
    user = UserFactory()
    login(client, user)
    client.post(reverse("citizen:foyer_create"), {**FOYER_FORM, "quotient_familial": ""})
    assert Foyer.objects.get(responsible=user).quotient_familial is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "7000", "Le code postal comporte 5 chiffres."),
        ("postal_code", "7000A", "Le code postal comporte 5 chiffres."),
        ("birth_date", "2999-01-01", "La date de naissance ne peut pas être dans le futur."),
        ("birth_date", "1850-01-01", "La date de naissance ne peut pas être antérieure au 1er janvier 1900."),
        ("birth_date", "pas une date", "Saisissez une date valide"),
        ("commune", "", "Indiquez la commune."),
        ("quotient_familial", "-3", "Le quotient familial ne peut pas être négatif."),
    ],
)
def test_foyer_create_citizen_bad_input_is_refused_and_kept(client, db, field, value, message):
    """Bad input is refused next to the field, in French, with what was typed kept; no foyer."""
    user = UserFactory()
    login(client, user)
    response = client.post(reverse("citizen:foyer_create"), {**FOYER_FORM, field: value})
    text = page(response)
    assert response.status_code == 200
    assert message in text and "Le formulaire contient des erreurs" in text
    assert 'value="3 place du Marché"' in text
    assert not Foyer.objects.filter(responsible=user).exists()


def test_foyer_create_citizen_with_foyer_is_sent_to_it(client, cast):
    """A second foyer cannot be created: the person is sent to theirs."""
    login(client, cast.applicant)
    response = client.post(reverse("citizen:foyer_create"), FOYER_FORM)
    assert response.url == reverse("citizen:foyer")
    assert Foyer.objects.filter(responsible=cast.applicant).count() == 1


def test_create_foyer_action_twice_refused(db):
    """The action refuses a second foyer for the same person."""
    user = UserFactory()
    values = {
        "address": "1 rue",
        "postal_code": "70000",
        "commune": "Vesoul",
        "quotient_familial": None,
        "civility": "m",
        "first_name": "Jean",
        "last_name": "Roux",
        "birth_date": dt.date(1980, 1, 1),
    }
    actions.create_foyer(acting_user=user, **values)
    with pytest.raises(actions.ActionError):
        actions.create_foyer(acting_user=user, **values)


def test_foyer_home_citizen_without_foyer_is_sent_to_create(client, db):
    """« Mon foyer » without a foyer leads to « Créer mon foyer »."""
    login(client, UserFactory())
    assert client.get(reverse("citizen:foyer")).url == reverse("citizen:foyer_create")


def test_foyer_home_citizen_messages_tile_when_messages_exist(client, cast):
    """The « Messages » tile links to the messages page when that page exists."""
    from django.urls import NoReverseMatch

    login(client, cast.applicant)
    text = page(client.get(reverse("citizen:foyer")))
    try:
        url = reverse("citizen:messages")
    except NoReverseMatch:
        return
    assert f'href="{url}"' in text


# --- Access ----------------------------------------------------------------------------------

FOYER_PAGES = [
    ("citizen:foyer", False),
    ("citizen:foyer_create", False),
    ("citizen:foyer_edit", False),
    ("citizen:foyer_members", False),
    ("citizen:foyer_member_add", False),
    ("citizen:foyer_member_edit", True),
    ("citizen:foyer_member_remove", True),
]


def _url(cast, name, with_member):
    return reverse(name, args=[member_of(cast.applicant).pk]) if with_member else reverse(name)


@pytest.mark.parametrize(("name", "with_member"), FOYER_PAGES)
@pytest.mark.parametrize("who", ["agent", "other_agent", "supervisor"])
def test_foyer_pages_agent_gets_404(client, cast, name, with_member, who):
    """Instructing agents have no citizen space: every foyer page is a 404 for them."""
    login(client, getattr(cast, who))
    assert client.get(_url(cast, name, with_member)).status_code == 404


@pytest.mark.parametrize(("name", "with_member"), FOYER_PAGES)
def test_foyer_pages_anonymous_redirected_to_login(client, cast, name, with_member):
    """Foyer pages need an account."""
    response = client.get(_url(cast, name, with_member))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["citizen:foyer_member_edit", "citizen:foyer_member_remove"])
def test_member_pages_other_citizen_gets_404(client, cast, name):
    """Another citizen cannot reach, edit nor remove someone else's foyer members."""
    member = member_of(cast.applicant)
    login(client, cast.other_citizen)
    assert client.get(reverse(name, args=[member.pk])).status_code == 404
    assert client.post(reverse(name, args=[member.pk]), {**MEMBER_FORM, "confirme": "oui"}).status_code == 404
    member.refresh_from_db()
    assert member.removed_at is None and member.first_name != "Hugo"


def test_foyer_pages_applicant_ok(client, cast):
    """The responsible person reaches every page of their foyer."""
    login(client, cast.applicant)
    for name, with_member in FOYER_PAGES:
        if name == "citizen:foyer_create":
            continue
        assert client.get(_url(cast, name, with_member)).status_code == 200, name


def test_member_actions_other_citizen_raise_not_visible(cast):
    """The actions themselves refuse whoever is not the foyer's responsible person."""
    member = member_of(cast.applicant)
    with pytest.raises(NotVisible):
        actions.remove_foyer_member(member, acting_user=cast.other_citizen)
    with pytest.raises(NotVisible):
        actions.add_foyer_member(
            member.foyer,
            acting_user=cast.other_citizen,
            civility="m",
            first_name="X",
            last_name="Y",
            birth_date=dt.date(2010, 1, 1),
            link="enfant",
        )


# --- Members ---------------------------------------------------------------------------------


def test_member_add_applicant_adds_child(client, cast):
    """« Ajouter un individu », « Valider »: the list of members is updated."""
    login(client, cast.applicant)
    members_page = page(client.get(reverse("citizen:foyer_members")))
    assert "Ajouter un individu" in members_page
    form_page = page(client.get(reverse("citizen:foyer_member_add")))
    assert "Valider" in form_page and "Ayant droit" in form_page and "Demandeur" not in form_page

    response = client.post(reverse("citizen:foyer_member_add"), MEMBER_FORM, follow=True)

    text = page(response)
    assert "La liste des membres de votre foyer est mise à jour." in text and "Hugo Martin" in text
    hugo = cast.applicant.foyer.members.get(first_name="Hugo")
    assert (hugo.link, hugo.birth_date, hugo.civility) == ("enfant", dt.date(2012, 6, 1), "m")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", (timezone.localdate() + dt.timedelta(days=1)).isoformat(), "ne peut pas être dans le futur"),
        ("birth_date", "1899-12-31", "antérieure au 1er janvier 1900"),
        ("birth_date", "", "Indiquez la date de naissance."),
        ("link", "", "Choisissez le lien avec le demandeur."),
        ("link", "demandeur", "Sélectionnez un choix valide"),
        ("civility", "mlle", "Sélectionnez un choix valide"),
        ("first_name", "", "Indiquez le prénom."),
    ],
)
def test_member_add_applicant_bad_input_is_refused_and_kept(client, cast, field, value, message):
    """Bad input is refused in French next to the field; what was typed stays; nothing is added."""
    login(client, cast.applicant)
    before = cast.applicant.foyer.members.count()
    response = client.post(reverse("citizen:foyer_member_add"), {**MEMBER_FORM, field: value})
    text = page(response)
    assert response.status_code == 200 and message in text
    assert 'value="Martin"' in text
    assert cast.applicant.foyer.members.count() == before


def test_member_add_today_birth_date_is_accepted(client, cast):
    """A baby born today can be added (today is not the future)."""
    login(client, cast.applicant)
    client.post(reverse("citizen:foyer_member_add"), {**MEMBER_FORM, "birth_date": timezone.localdate().isoformat()})
    assert cast.applicant.foyer.members.filter(first_name="Hugo").exists()


def test_member_edit_applicant_updates_member(client, cast):
    """A member's details can be corrected."""
    member = member_of(cast.applicant)
    login(client, cast.applicant)
    form_page = page(client.get(reverse("citizen:foyer_member_edit", args=[member.pk])))
    assert f'value="{member.birth_date.isoformat()}"' in form_page
    client.post(reverse("citizen:foyer_member_edit", args=[member.pk]), {**MEMBER_FORM, "link": "ayant_droit"})
    member.refresh_from_db()
    assert (member.first_name, member.link) == ("Hugo", "ayant_droit")


def test_member_edit_applicant_own_link_stays_demandeur(client, db):
    """The « Demandeur » edits their details but stays the demandeur."""
    user = UserFactory()
    login(client, user)
    client.post(reverse("citizen:foyer_create"), FOYER_FORM)
    me = user.foyer.members.get()
    assert 'name="link"' not in page(client.get(reverse("citizen:foyer_member_edit", args=[me.pk])))
    client.post(reverse("citizen:foyer_member_edit", args=[me.pk]), {**MEMBER_FORM, "link": "enfant"})
    me.refresh_from_db()
    assert me.link == FoyerMember.Link.APPLICANT and me.first_name == "Hugo"


def test_member_remove_applicant_confirms_then_removes(client, cast):
    """« Retirer » asks for confirmation (without JavaScript), then takes the member out."""
    member = member_of(cast.applicant)
    login(client, cast.applicant)
    confirm = client.post(reverse("citizen:foyer_member_remove", args=[member.pk]))
    assert confirm.status_code == 200 and "Voulez-vous retirer" in page(confirm)
    member.refresh_from_db()
    assert member.removed_at is None

    response = client.post(reverse("citizen:foyer_member_remove", args=[member.pk]), {"confirme": "oui"}, follow=True)

    assert "ne fait plus partie de votre foyer" in page(response)
    assert not cast.applicant.foyer.members.filter(pk=member.pk).exists()
    assert FoyerMember.all_objects.get(pk=member.pk).removed_at is not None
    # Gone from the pages too: its URLs now answer 404.
    assert client.get(reverse("citizen:foyer_member_edit", args=[member.pk])).status_code == 404


def test_member_remove_applicant_own_member_refused(client, db):
    """The « Demandeur » cannot be removed from their own foyer."""
    user = UserFactory()
    login(client, user)
    client.post(reverse("citizen:foyer_create"), FOYER_FORM)
    me = user.foyer.members.get()
    response = client.post(reverse("citizen:foyer_member_remove", args=[me.pk]), {"confirme": "oui"}, follow=True)
    assert "ne peut pas être retiré de son propre foyer" in page(response)
    assert user.foyer.members.filter(pk=me.pk).exists()


def _open_dossier(cast, status):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    if status in ("in_instruction", "complement_requested"):
        actions.take(dossier, acting_user=cast.agent)
    if status == "complement_requested":
        actions.request_complement(dossier, acting_user=cast.agent, message="Merci de joindre le bail signé.")
    assert dossier.status == status
    return dossier


@pytest.mark.parametrize("status", ["transmitted", "in_instruction", "complement_requested"])
def test_member_remove_applicant_refused_while_beneficiary_of_open_dossier(client, cast, status):
    """A member who is the beneficiary of a dossier under instruction stays in the foyer."""
    dossier = _open_dossier(cast, status)
    member = member_of(cast.applicant)
    login(client, cast.applicant)
    response = client.post(reverse("citizen:foyer_member_remove", args=[member.pk]), {"confirme": "oui"}, follow=True)
    text = page(response)
    assert dossier.reference in text and "ne peut pas être retiré du foyer" in text
    member.refresh_from_db()
    assert member.removed_at is None


def test_member_remove_applicant_detaches_draft(client, cast):
    """Drafts do not block the removal: their beneficiary is emptied, to be chosen again."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    member = member_of(cast.applicant)
    assert draft.beneficiary_id == member.pk
    login(client, cast.applicant)
    response = client.post(reverse("citizen:foyer_member_remove", args=[member.pk]), {"confirme": "oui"}, follow=True)
    assert f"Choisissez de nouveau le bénéficiaire de votre brouillon {draft.reference}" in page(response)
    draft.refresh_from_db()
    assert draft.beneficiary is None and draft.data["beneficiary"] == "" and draft.status == "draft"
    assert Event.objects.filter(dossier=draft, action="detach_beneficiary").exists()


def test_member_remove_applicant_allowed_after_decision_keeps_history(client, cast):
    """Once the dossier is decided, the member can leave; the dossier keeps naming them."""
    dossier = _open_dossier(cast, "in_instruction")
    actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250")
    member = member_of(cast.applicant)
    login(client, cast.applicant)
    client.post(reverse("citizen:foyer_member_remove", args=[member.pk]), {"confirme": "oui"})
    dossier = Dossier.objects.select_related("beneficiary").get(pk=dossier.pk)
    assert dossier.beneficiary is not None and dossier.beneficiary.pk == member.pk
    assert not cast.applicant.foyer.members.filter(pk=member.pk).exists()


def test_removed_member_applicant_no_longer_offered_as_beneficiary(cast):
    """A removed member is not in the form's drop-down any more."""
    from instruction.forms import form_for

    member = member_of(cast.applicant)
    other = FoyerMemberFactory(foyer=cast.applicant.foyer, first_name="Inès")
    actions.remove_foyer_member(member, acting_user=cast.applicant)
    draft = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    choices = dict(form_for(cast.teleservice)(dossier=draft).fields["beneficiary"].choices)
    assert str(member.pk) not in choices and str(other.pk) in choices


# --- The foyer's details ---------------------------------------------------------------------


def test_foyer_edit_applicant_updates_quotient_familial(client, cast):
    """The declared quotient familial is editable from « Gérer les membres du foyer »."""
    login(client, cast.applicant)
    members_page = page(client.get(reverse("citizen:foyer_members")))
    assert "450 €" in members_page and reverse("citizen:foyer_edit") in members_page
    foyer = cast.applicant.foyer
    data = {"address": foyer.address, "postal_code": "70100", "commune": "Gray", "quotient_familial": "820"}
    response = client.post(reverse("citizen:foyer_edit"), data)
    assert response.url == reverse("citizen:foyer_members")
    foyer.refresh_from_db()
    assert (foyer.quotient_familial, foyer.postal_code, foyer.commune) == (820, "70100", "Gray")
    assert SpaceEvent.objects.filter(foyer=foyer, action="update_foyer").exists()


@pytest.mark.parametrize(("value", "message"), [("abc", "nombre entier"), ("-1", "ne peut pas être négatif")])
def test_foyer_edit_applicant_bad_quotient_familial_refused(client, cast, value, message):
    """A quotient familial that is not a positive whole number is refused."""
    login(client, cast.applicant)
    foyer = cast.applicant.foyer
    data = {"address": foyer.address, "postal_code": "70000", "commune": "Vesoul", "quotient_familial": value}
    response = client.post(reverse("citizen:foyer_edit"), data)
    assert response.status_code == 200 and message in page(response)
    foyer.refresh_from_db()
    assert foyer.quotient_familial == 450
