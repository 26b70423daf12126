"""The seed help page (/work/shared/seed/faq-mes-services-publics70.txt), walked section by
section in its order, in a real browser, clicking the buttons and links by the names the seed
gives them.

People: Angela Dubois logs in with FranceConnect (a real OpenID Connect provider on loopback);
Claire Martin creates her account, her foyer and an association, renews her password, files a
Pack Jeunes dossier for her son Hugo, reads and answers the service's message, completes the
dossier sent back to her, and attaches a recto/verso identity document; Karim Benali, agent of the
instructing service, writes to her and asks for the complement from the back office; the mayor of
Gray registers his commune for the Palmarès des Villes et Villages fleuris.

E-mails are read from the demo mailbox (the file-based backend); every distinct page is audited
with axe-core; a screenshot per step goes to test-results/seed-walkthrough/. axe-core violations and
seed words missing from the product are gathered and reported together at the end."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from franceconnect_demo.server import Client, OIDCProvider
from instruction.models import Audience, Dossier, Organisme, Teleservice
from permissions.models import FranceConnectIdentity, User
from tests.e2e.conftest import login
from tests.e2e.seed_helpers import Mail, Mailbox, Walk
from tests.factories import ServiceFactory, TeleserviceFactory, UserFactory, pdf_bytes, png_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "seed-walkthrough"
CLIENT_ID = "fs-mes-services-publics70"
CLIENT_SECRET = "secret-du-fournisseur-de-service-seed"
# The seed writes « S’identifier avec FranceConnect » with a typographic apostrophe.
FRANCECONNECT_BUTTON = re.compile(r"^S['’]identifier avec FranceConnect$")
PACK_JEUNES = "Pack Jeunes — aide au premier logement"
PALMARES = "Palmarès des Villes et Villages fleuris"
PACK_JEUNES_DOCUMENTS = [
    "Dernier avis d'imposition ou de non-imposition",
    "Relevé d'identité bancaire (RIB)",
    "Bail au nom du demandeur",
    "Pièce d'identité en cours de validité",
]
ID_DOCUMENT = "Pièce d'identité en cours de validité"
GREEN = "rgb(24, 117, 60)"  # --ok in static/css/site.css


@dataclass
class Person:
    civility: str  # the label of the sign-up form's radio button
    first_name: str
    last_name: str
    email: str
    password: str


CLAIRE = Person("Madame", "Claire", "Martin", "claire.martin@exemple.test", "Jonquilles-du-Durgeon-84")
CLAIRE_NEW_PASSWORD = "Tilleuls-de-la-Motte-70"
MAYOR = Person("Monsieur", "Jean-Pierre", "Faivre", "maire@gray.exemple.test", "Hotel-de-ville-Gray-1851")


@dataclass
class Catalogue:
    agent: User
    supervisor: User
    pack_jeunes: Teleservice
    palmares: Teleservice


@dataclass
class Seed:
    """What the sections share."""

    new_page: Callable[[], Page]
    walk: Walk
    mailbox: Mailbox
    deliver: Callable[[], Any]
    site: str
    catalogue: Catalogue
    provider: OIDCProvider
    claire: Page | None = None
    agent: Page | None = None
    reference: str = ""  # Claire's transmitted Pack Jeunes dossier
    draft_reference: str = ""  # her second Pack Jeunes dossier, left as a draft


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OIDCProvider]:
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def franceconnect(oidc_provider: OIDCProvider, settings: Any, live_server: Any) -> OIDCProvider:
    """The loopback provider, with the live server registered as its client, and the OIDC_*
    settings pointing at it."""
    oidc_provider.reset()
    oidc_provider.register_client(
        Client(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=[live_server.url + reverse("franceconnect:callback")],
            post_logout_redirect_uris=[live_server.url + reverse("franceconnect:logout_callback")],
        )
    )
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = oidc_provider.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = oidc_provider.endpoint("authorize")
    settings.OIDC_OP_TOKEN_ENDPOINT = oidc_provider.endpoint("token")
    settings.OIDC_OP_USER_ENDPOINT = oidc_provider.endpoint("userinfo")
    settings.OIDC_OP_JWKS_ENDPOINT = oidc_provider.endpoint("jwks")
    settings.OIDC_OP_LOGOUT_ENDPOINT = oidc_provider.endpoint("session/end")
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TIMEOUT = 5
    return oidc_provider


@pytest.fixture
def mailbox(settings: Any, tmp_path: Path, live_server: Any) -> Mailbox:
    """The product's demo mailbox: the file-based backend, in this test's directory; the links
    in the e-mails point at the live server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.SITE_URL = live_server.url
    return Mailbox(tmp_path / "mail")


@pytest.fixture
def catalogue(transactional_db: None) -> Catalogue:
    """An instructing service with an agent and a supervisor; the Pack Jeunes (foyer) and the
    Palmarès (organisme, communes only), both published."""
    service = ServiceFactory(name="Service Jeunesse et Cadre de vie")
    agent = UserFactory(email="karim.benali@haute-saone.exemple.test", first_name="Karim", last_name="Benali")
    service.add_agent(agent)
    supervisor = UserFactory(email="sophie.girard@haute-saone.exemple.test", first_name="Sophie", last_name="Girard")
    service.add_agent(supervisor)
    service.supervisors.add(supervisor)
    pack_jeunes = TeleserviceFactory(
        instructing_service=service,
        slug="pack-jeunes",
        code="PJL",
        title=PACK_JEUNES,
        category="Jeunesse",
        audience=Audience.FOYER,
        fiche="Aide au premier logement pour les jeunes de 18 à 25 ans dont les parents habitent la Haute-Saône.",
    )
    palmares = TeleserviceFactory(
        instructing_service=service,
        slug="palmares-villes-villages-fleuris",
        code="PVF",
        title=PALMARES,
        category="Palmarès",
        audience=Audience.ORGANISME,
        flow_class_path="workflows.palmares.flow.PalmaresFlow",
        fiche="Inscription des communes au concours départemental des Villes et Villages fleuris.",
    )
    return Catalogue(agent=agent, supervisor=supervisor, pack_jeunes=pack_jeunes, palmares=palmares)


# --- small steps --------------------------------------------------------------------------------


def field(page: Page, label: str) -> Locator:
    """The form field labelled exactly ``label`` (Django adds « : » after the label)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*:?$"))


def h1(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def flash(page: Page) -> Locator:
    return page.locator(".messages")


def open_mail(page: Page, mail: Mail) -> None:
    """Show the HTML e-mail in the person's browser, as a mail client would."""
    page.goto("about:blank")
    page.set_content(mail.html)
    expect(page.get_by_role("link", name="ici", exact=True)).to_be_visible()


def years_ago(years: int, month: int, day: int) -> dt.date:
    return dt.date(timezone.localdate().year - years, month, day)


def browse(page: Page, document: str, name: str, content: bytes, mime: str, *, index: int = 0) -> None:
    """« Parcourir » for ``document``: the file chooser opens, the file is chosen in it."""
    group = page.get_by_role("group", name=re.compile(re.escape(document)))
    # The seed's « Parcourir » is the file input (a button, named by its label « Parcourir : <document> »);
    # the input itself is visually hidden, so the person clicks its button-styled label.
    expect(group.get_by_role("button", name="Parcourir").nth(index)).to_be_attached()
    with page.expect_file_chooser() as chooser:
        group.locator("label").filter(has_text="Parcourir").nth(index).click()
    chooser.value.set_files({"name": name, "mimeType": mime, "buffer": content})
    expect(group.locator(".file-chosen").nth(index)).to_have_text(name)


def go_home(page: Page) -> None:
    page.get_by_role("link", name="Mes services publics", exact=True).click()
    expect(h1(page)).to_have_text("Mes services publics")


def log_in(page: Page, person: Person, password: str) -> None:
    """On the login page: the address, the password, and « connecter »."""
    expect(h1(page)).to_have_text("Connexion")
    page.get_by_label("Adresse électronique").fill(person.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="connecter", exact=True).click()
    expect(page.locator(".account")).to_contain_text(person.email)


# --- the sections of the seed, in its order ---------------------------------------------------


def comment_se_connecter(seed: Seed) -> None:
    """« Se connecter avec FranceConnect »: the account is created and activated at once; then out."""
    page = seed.new_page()
    page.goto("/connexion/")
    expect(h1(page)).to_have_text("Connexion")
    seed.walk.step(page, "se-connecter-page-de-connexion")

    page.get_by_role("link", name=FRANCECONNECT_BUTTON).click()
    expect(flash(page)).to_contain_text("Votre compte a été créé et activé avec votre identité FranceConnect.")
    expect(page.locator(".account")).to_contain_text("angela.dubois@exemple.test")
    # « Vous pouvez maintenant créer votre foyer ... ou créer votre organisme »
    expect(page.get_by_role("link", name="Créer mon foyer")).to_be_visible()
    expect(page.get_by_role("link", name="Créer un Organisme Public ou Privé")).to_be_visible()
    seed.walk.step(page, "se-connecter-franceconnect-compte-cree", kind="home (new account)")
    identity = FranceConnectIdentity.objects.select_related("user").get()
    assert identity.user.is_active and identity.user.email == "angela.dubois@exemple.test"

    page.get_by_role("button", name="Se déconnecter").click()
    expect(flash(page)).to_contain_text("Vous êtes déconnecté de ce site et de FranceConnect.")
    assert [ended["sub"] for ended in seed.provider.ended_sessions] == [identity.sub]  # session/end was called
    expect(page.locator(".account").get_by_role("link", name="Se connecter")).to_be_visible()
    seed.walk.step(page, "se-connecter-deconnecte", kind="home (anonymous)")


def comment_creer_son_compte(seed: Seed, page: Page, person: Person, prefix: str) -> None:
    """« Pas encore de compte », « Valider », the activation e-mail's « ici », then « connecter »."""
    page.goto("/connexion/")
    page.get_by_role("link", name="Pas encore de compte").click()
    expect(h1(page)).to_have_text("Créer un compte")
    page.get_by_label(person.civility, exact=True).check()
    page.get_by_label("Prénom").fill(person.first_name)
    field(page, "Nom").fill(person.last_name)
    page.get_by_label("Adresse électronique").fill(person.email)
    field(page, "Mot de passe").fill(person.password)
    page.get_by_label("Confirmation du mot de passe").fill(person.password)
    seed.walk.step(page, f"{prefix}-inscription")

    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Un mail d'activation a été envoyé")
    expect(page.locator("main")).to_contain_text("Un mail d'activation a été envoyé sur votre messagerie.")
    seed.walk.step(page, f"{prefix}-mail-d-activation-envoye")

    seed.deliver()
    mail = seed.mailbox.one(person.email, "Activez votre compte")
    link = mail.link("ici")
    assert link.startswith(seed.site + "/compte/activer/"), link
    assert link in mail.text, "the text part must carry the same link"
    open_mail(page, mail)
    expect(page.locator("body")).to_contain_text("Cliquez sur « ici » pour activer votre compte")
    seed.walk.step(page, f"{prefix}-mail-d-activation", audit=False)

    page.get_by_role("link", name="ici", exact=True).click()
    # « Vous allez être redirigés vers la page de connexion. »
    expect(page).to_have_url(seed.site + "/connexion/")
    expect(flash(page)).to_contain_text("Votre compte est activé.")
    page.get_by_label("Adresse électronique").fill(person.email)
    page.get_by_label("Mot de passe").fill(person.password)
    seed.walk.step(page, f"{prefix}-connexion-apres-activation", kind="login (account activated)")
    page.get_by_role("button", name="connecter", exact=True).click()
    expect(page.locator(".account")).to_contain_text(person.email)
    assert User.objects.get(email=person.email).is_active


def add_member(page: Page, civility: str, last_name: str, first_name: str, birth: dt.date, link: str) -> None:
    page.get_by_label("Civilité").select_option(civility)
    field(page, "Nom").fill(last_name)
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Date de naissance").fill(birth.isoformat())
    page.get_by_label("Lien avec le demandeur").select_option(link)


def comment_creer_son_foyer(seed: Seed, page: Page) -> None:
    """« Valider », the foyer's home page, « Gérer les membres du foyer », « Ajouter un individu »."""
    page.get_by_role("link", name="Créer mon foyer").click()
    expect(h1(page)).to_have_text("Créer mon foyer")
    page.get_by_label("Date de naissance").fill("1984-03-02")
    field(page, "Adresse").fill("3 place du Marché")
    page.get_by_label("Code postal").fill("70000")
    field(page, "Commune").fill("Vesoul")
    page.get_by_label("Quotient familial déclaré (€)").fill("450")
    seed.walk.step(page, "foyer-formulaire")
    page.get_by_role("button", name="Valider").click()

    # « vous allez être redirigé(e) sur la page d'accueil de votre foyer »
    expect(h1(page)).to_have_text("Mon foyer")
    seed.walk.step(page, "foyer-page-d-accueil")

    page.get_by_role("link", name="Gérer les membres du foyer").click()
    expect(h1(page)).to_have_text("Membres du foyer")
    seed.walk.step(page, "foyer-membres")
    page.get_by_role("link", name="Ajouter un individu").click()
    expect(h1(page)).to_have_text("Ajouter un individu")
    add_member(page, "m", "Martin", "Hugo", years_ago(20, 1, 15), "enfant")
    seed.walk.step(page, "foyer-ajouter-un-individu")
    page.get_by_role("button", name="Valider").click()
    expect(flash(page)).to_contain_text("La liste des membres de votre foyer est mise à jour.")
    expect(page.locator("main table")).to_contain_text("Hugo Martin")
    seed.walk.step(page, "foyer-membres-mis-a-jour", audit=False)


def fill_organisme(page: Page, kind: str, name: str, siret: str, address: str, postal_code: str, commune: str) -> None:
    page.get_by_label("Type d'organisme").select_option(kind)
    page.get_by_label("Nom de l'organisme").fill(name)
    page.get_by_label("SIRET").fill(siret)
    field(page, "Adresse").fill(address)
    page.get_by_label("Code postal").fill(postal_code)
    field(page, "Commune").fill(commune)


def comment_creer_son_organisme(seed: Seed, page: Page) -> None:
    """An association: the form, « Valider », « Votre organisme est maintenant créé »."""
    go_home(page)
    page.get_by_role("link", name="Créer un Organisme Public ou Privé").click()
    expect(h1(page)).to_have_text("Créer un Organisme Public ou Privé")
    fill_organisme(
        page, "association", "Les Petits Randonneurs de Haute-Saône", "782 000 123 00011",
        "12 rue Georges Genoux", "70000", "Vesoul",
    )  # fmt: skip
    seed.walk.step(page, "organisme-formulaire")
    page.get_by_role("button", name="Valider").click()
    expect(flash(page)).to_contain_text("Votre organisme est maintenant créé, vous pouvez déposer votre dossier.")
    expect(h1(page)).to_have_text("Les Petits Randonneurs de Haute-Saône")
    seed.walk.step(page, "organisme-cree")


def mot_de_passe_oublie(seed: Seed, page: Page) -> None:
    """From the login page: « Mot de passe oublié », the address, « Valider », the e-mail's link, a
    new password, « Valider », back on the login page."""
    page.get_by_role("button", name="Se déconnecter").click()
    page.locator(".account").get_by_role("link", name="Se connecter").click()
    expect(h1(page)).to_have_text("Connexion")
    page.get_by_role("link", name="Mot de passe oublié").click()
    expect(h1(page)).to_have_text("Mot de passe oublié")
    page.get_by_label("Adresse électronique").fill(CLAIRE.email)
    seed.walk.step(page, "mot-de-passe-oublie")
    page.get_by_role("button", name="Valider").click()
    expect(h1(page)).to_have_text("Consultez votre messagerie")
    seed.walk.step(page, "mot-de-passe-oublie-mail-envoye")

    seed.deliver()
    mail = seed.mailbox.one(CLAIRE.email, "Renouvellement de votre mot de passe")
    link = mail.link("ici")  # « Cliquer à l'endroit indiqué »
    assert link.startswith(seed.site + "/mot-de-passe-oublie/") and link in mail.text, link
    open_mail(page, mail)
    seed.walk.step(page, "mot-de-passe-oublie-mail", audit=False)
    page.get_by_role("link", name="ici", exact=True).click()

    expect(h1(page)).to_have_text("Renseigner un nouveau mot de passe")
    field(page, "Nouveau mot de passe").fill(CLAIRE_NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(CLAIRE_NEW_PASSWORD)
    seed.walk.step(page, "mot-de-passe-nouveau")
    page.get_by_role("button", name="Valider").click()
    # « Vous allez être redirigé(e) vers la page de connexion »
    expect(page).to_have_url(seed.site + "/connexion/")
    expect(flash(page)).to_contain_text("Votre mot de passe a été modifié.")
    seed.walk.step(page, "mot-de-passe-modifie-page-de-connexion", kind="login (password changed)")


def open_foyer(page: Page) -> None:
    go_home(page)
    page.get_by_role("link", name=re.compile(r"^Mon foyer")).click()
    expect(h1(page)).to_have_text("Mon foyer")


def start_pack_jeunes(seed: Seed, page: Page, prefix: str) -> str:
    """« Déposer un dossier » in the foyer, the list of téléservices, the fiche, « Déposer un dossier »."""
    page.get_by_role("link", name="Déposer un dossier").click()
    expect(h1(page)).to_have_text("Catalogue des téléservices")
    expect(page.get_by_role("link", name=PALMARES)).to_have_count(0)  # an organisme's téléservice
    seed.walk.step(page, f"{prefix}-liste-des-teleservices", kind="catalogue (foyer)")
    page.get_by_role("link", name=PACK_JEUNES).click()
    expect(h1(page)).to_have_text(PACK_JEUNES)
    expect(page.locator("main")).to_contain_text("Le dossier sera déposé depuis votre foyer.")
    seed.walk.step(page, f"{prefix}-fiche-du-teleservice")
    page.get_by_role("button", name="Déposer un dossier").click()
    expect(page).to_have_url(re.compile(r"/demandes/PJL-\d{4}-\d+/modifier/$"))
    expect(h1(page)).to_have_text(PACK_JEUNES)
    return page.url.rstrip("/").split("/")[-2]


def deposer_un_dossier(seed: Seed, page: Page) -> None:
    """Steps 1 to 5: log in, the foyer, the catalogue, the form and « Enregistrer », the recap,
    « Transmettre » and « oui »; read-only afterwards, and in the list of « Demandes »."""
    # Etape 1: Se connecter à son compte (with the password renewed above).
    log_in(page, CLAIRE, CLAIRE_NEW_PASSWORD)
    # Etape 2: Se connecter à son espace: the foyer, for the aids to families.
    open_foyer(page)
    # Etape 3: la liste des téléservices, the fiche, « Déposer un dossier ».
    seed.reference = start_pack_jeunes(seed, page, "deposer")
    hugo = Dossier.objects.get(reference=seed.reference).foyer.members.get(first_name="Hugo")

    # Etape 4: Compléter le formulaire, then « Enregistrer ».
    page.get_by_label("Bénéficiaire").select_option(str(hugo.pk))
    expect(page.get_by_label("Quotient familial (€)")).to_have_value("450")  # from the foyer
    page.get_by_label("Engagement citoyen (majoration de 50 %)").select_option("aucun")
    page.get_by_label("Adresse du logement").fill("8 rue Paul Morel")
    page.get_by_label("Code postal du logement").fill("70000")
    page.get_by_label("Commune du logement").fill("Vesoul")
    page.get_by_label("Date d'entrée dans le logement").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Loyer mensuel (€)").fill("390")
    page.get_by_label("Je certifie sur l'honneur l'exactitude des informations fournies").check()
    for number, document in enumerate(PACK_JEUNES_DOCUMENTS, start=1):
        browse(page, document, f"piece-{number}.pdf", pdf_bytes(f"Piece {number}"), "application/pdf")
    seed.walk.step(page, "deposer-formulaire-complete")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    # Etape 5: Valider le récapitulatif.
    expect(h1(page)).to_have_text("Récapitulatif de la demande")
    expect(flash(page)).to_contain_text("Votre demande est enregistrée.")
    expect(page.get_by_role("region", name="Bénéficiaire")).to_contain_text("Hugo")
    expect(page.get_by_role("region", name="Informations de la demande")).to_contain_text("8 rue Paul Morel")
    expect(page.get_by_role("region", name="Pièces justificatives")).to_contain_text("piece-4.pdf")
    # « Si nécessaire vous pouvez modifier les informations du dossier »
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_be_visible()
    seed.walk.step(page, "deposer-recapitulatif", kind="recap (draft)")

    page.get_by_role("link", name="Transmettre", exact=True).click()
    expect(h1(page)).to_have_text("Transmettre la demande")
    seed.walk.step(page, "deposer-fenetre-de-validation")
    page.get_by_role("button", name="Oui", exact=True).click()

    expect(h1(page)).to_have_text("Récapitulatif de la demande")
    expect(page.locator(".status").first).to_have_text("Transmis")
    expect(page.locator("main")).to_contain_text("Votre demande a été transmise, elle n'est plus modifiable.")
    expect(page.get_by_role("link", name="Transmettre", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    seed.walk.step(page, "deposer-demande-transmise", kind="recap (transmitted)")
    seed.deliver()
    acknowledgement = seed.mailbox.one(CLAIRE.email, f"Accusé de réception de votre demande {seed.reference}")
    assert any(kind == "application/pdf" for _name, kind in acknowledgement.attachments), acknowledgement.attachments

    # « Vous pouvez suivre l'avancement de votre dossier en consultant la liste des demandes »
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Demandes").click()
    expect(h1(page)).to_have_text("Demandes")
    row = page.get_by_role("row").filter(has_text=seed.reference)
    expect(row).to_contain_text("Transmis")
    expect(row.get_by_role("link", name=re.compile("^Modifier"))).to_have_count(0)
    seed.walk.step(page, "deposer-liste-des-demandes")


def saisir_les_beneficiaires(seed: Seed, page: Page) -> None:
    """A member who is not eligible is added; the drop-down of a new dossier lists only the
    eligible ones, and choosing one shows their details."""
    open_foyer(page)
    page.get_by_role("link", name="Gérer les membres du Foyer").click()  # the seed's capital F
    expect(h1(page)).to_have_text("Membres du foyer")
    page.get_by_role("link", name="Ajouter un individu").click()
    add_member(page, "mme", "Martin", "Léa", years_ago(12, 3, 10), "enfant")
    page.get_by_role("button", name="Valider").click()
    expect(flash(page)).to_contain_text("La liste des membres de votre foyer est mise à jour.")
    expect(page.locator("main table")).to_contain_text("Léa Martin")
    expect(page.locator("main table")).to_contain_text("Hugo Martin")
    seed.walk.step(page, "beneficiaires-membres-du-foyer", kind="foyer members (3)")

    page.get_by_role("link", name="Retour à mon foyer").click()
    seed.draft_reference = start_pack_jeunes(seed, page, "beneficiaires")
    beneficiary = page.get_by_label("Bénéficiaire")
    # Only Hugo (20): not Léa (12), nor Claire herself (the applicant, over 25).
    expect(beneficiary.locator("option")).to_have_text(
        ["— Choisir un membre du foyer —", re.compile(r"^Hugo Martin \(\d+ ans\)$")]
    )
    details = page.get_by_text("Informations concernant le bénéficiaire")
    expect(details).to_be_hidden()
    beneficiary.select_option(index=1)
    box = page.locator("#beneficiary-details")
    expect(box).to_be_visible()
    for shown in ("Monsieur", "Martin", "Hugo", years_ago(20, 1, 15).strftime("%d/%m/%Y"), "Enfant"):
        expect(box).to_contain_text(shown)
    seed.walk.step(page, "beneficiaires-liste-deroulante", kind="form (beneficiary chosen)")


def comment_consulter_mes_messages(seed: Seed, page: Page) -> None:
    """The agent writes first from the back office; the citizen: « Message », the magnifier, a
    reply with a file, « Envoyer »."""
    agent = seed.agent = seed.new_page()
    login(agent, seed.catalogue.agent)
    expect(h1(agent)).to_have_text("À traiter")
    seed.walk.step(agent, "messages-agent-a-traiter")
    agent.get_by_role("table").get_by_role("link", name=seed.reference, exact=True).click()
    expect(h1(agent)).to_have_text(f"Dossier {seed.reference}")
    seed.walk.step(agent, "messages-agent-dossier")
    thread = agent.get_by_role("region", name=re.compile("^Messages"))
    thread.get_by_label("Message au demandeur").fill(
        "Bonjour, le loyer indiqué ne correspond pas au bail joint. Pouvez-vous nous envoyer une quittance ?"
    )
    thread.get_by_role("button", name="Envoyer", exact=True).click()
    expect(flash(agent)).to_contain_text("Votre message a été envoyé au demandeur.")
    seed.deliver()
    notice = seed.mailbox.one(CLAIRE.email, f"Nouveau message concernant le dossier {seed.reference}")
    assert "quittance" not in notice.text  # the content stays behind the login

    go_home(page)
    page.get_by_role("link", name="Message", exact=True).click()  # the « Message » tile
    expect(h1(page)).to_have_text("Messages")
    expect(page.get_by_role("row").filter(has_text=seed.reference)).to_contain_text("1 non lu")
    seed.walk.step(page, "messages-liste")
    page.get_by_role("link", name=f"Afficher le message de la demande {seed.reference}").click()  # the magnifier
    expect(h1(page)).to_have_text(f"Messages de la demande {seed.reference}")
    expect(page.locator(".thread")).to_contain_text("Pouvez-vous nous envoyer une quittance ?")
    expect(page.locator("main")).to_contain_text(
        "A ce stade vous ne pouvez pas modifier votre demande, seul le service instructeur peut intervenir "
        "directement sur votre dossier."
    )
    page.get_by_label("Votre message").fill("Bonjour, voici la quittance de loyer du mois dernier.")
    page.get_by_label("Fichiers joints").set_input_files(
        [{"name": "quittance.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Quittance")}]
    )
    seed.walk.step(page, "messages-reponse")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(flash(page)).to_contain_text("Votre message a été envoyé au service instructeur.")
    expect(page.locator(".thread")).to_contain_text("voici la quittance")
    expect(page.locator(".thread").get_by_role("link", name="quittance.pdf")).to_be_visible()
    seed.walk.step(page, "messages-envoye", kind="thread (sent)")

    agent.reload()
    expect(agent.get_by_role("region", name=re.compile("^Messages"))).to_contain_text("voici la quittance")


def modifier_un_dossier_renvoye(seed: Seed, page: Page) -> None:
    """The agent takes the dossier and asks for a complement; the citizen sees « Complément
    d'information », edits through « Demandes » and its modify icon, and transmits again."""
    agent = seed.agent
    assert agent is not None
    agent.get_by_role("button", name="Prendre en charge").click()
    expect(flash(agent)).to_contain_text("Vous avez pris en charge le dossier.")
    complement = agent.locator("form").filter(has=agent.get_by_role("heading", name="Demander un complément"))
    complement.get_by_label("Ce que le demandeur doit compléter").fill(
        "Le bail joint n'est pas signé : joignez le bail signé."
    )
    seed.walk.step(agent, "renvoye-agent-demande-de-complement", kind="review (taken)")
    complement.get_by_role("button", name="Demander un complément").click()
    expect(h1(agent)).to_have_text("Mes tâches")
    expect(flash(agent)).to_contain_text("Le dossier est renvoyé au demandeur pour complément d'information.")
    agent.goto(f"/instruction/dossiers/{seed.reference}/")
    # « A ce stade, le service instructeur ne peut plus intervenir sur votre demande. »
    expect(agent.locator("main")).to_contain_text("Aucune action possible pour vous sur ce dossier")
    seed.walk.step(agent, "renvoye-agent-dossier-chez-le-demandeur", kind="review (complement)")
    seed.deliver()
    seed.mailbox.one(CLAIRE.email, f"Complément d'information demandé pour votre dossier {seed.reference}")

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Demandes").click()
    expect(h1(page)).to_have_text("Demandes")
    row = page.get_by_role("row").filter(has_text=seed.reference)
    expect(row).to_contain_text("Complément d'information")
    seed.walk.step(page, "renvoye-liste-des-demandes", kind="dossiers (complement)")
    row.get_by_role("link", name=f"Modifier la demande {seed.reference}").click()  # the modify icon
    expect(h1(page)).to_have_text(PACK_JEUNES)
    expect(page.locator("main")).to_contain_text("Apportez les modifications demandées par le service instructeur")
    browse(page, "Bail au nom du demandeur", "bail-signe.pdf", pdf_bytes("Bail signe"), "application/pdf")
    seed.walk.step(page, "renvoye-formulaire", kind="form (complement)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(h1(page)).to_have_text("Récapitulatif de la demande")
    expect(page.get_by_role("region", name="Complément d'information demandé")).to_contain_text(
        "Le bail joint n'est pas signé"
    )
    expect(page.get_by_role("region", name="Pièces justificatives")).to_contain_text("bail-signe.pdf")
    seed.walk.step(page, "renvoye-recapitulatif", kind="recap (complement)")
    page.get_by_role("link", name="Transmettre", exact=True).click()
    page.get_by_role("button", name="Oui", exact=True).click()
    expect(page.locator(".status").first).to_have_text("Transmis")
    expect(page.get_by_role("link", name="Modifier", exact=True)).to_have_count(0)
    seed.walk.step(page, "renvoye-transmis-de-nouveau", audit=False)

    agent.get_by_role("navigation", name="Menu principal").get_by_role("link", name="À traiter").click()
    expect(agent.get_by_role("table")).to_contain_text(seed.reference)


def joindre_des_pieces(seed: Seed, page: Page) -> None:
    """« Parcourir », the green « + » for a second « Parcourir » of the same document (recto/verso)."""
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Demandes").click()
    page.get_by_role("link", name=f"Modifier la demande {seed.draft_reference}").click()
    expect(h1(page)).to_have_text(PACK_JEUNES)
    page.get_by_label("Bénéficiaire").select_option(index=1)

    group = page.get_by_role("group", name=re.compile(re.escape(ID_DOCUMENT)))
    browse(page, ID_DOCUMENT, "identite-recto.png", png_bytes(), "image/png")
    plus = seed.walk.seed_word(
        group, "button", "+", product_name=f"+ Ajouter un autre fichier pour {ID_DOCUMENT}",
        where="Comment joindre des pièces justificatives, the green « + » "
        "(citizen_portal/templates/citizen_portal/filing/_documents_form.html)",
    )  # fmt: skip
    expect(plus).to_contain_text("+")
    expect(plus).to_have_css("background-color", GREEN)  # « le bouton vert »
    plus.click()
    expect(group.get_by_role("button", name="Parcourir")).to_have_count(2)  # « un deuxième bouton « Parcourir » »
    browse(page, ID_DOCUMENT, "identite-verso.png", png_bytes((5, 5)), "image/png", index=1)
    seed.walk.step(page, "pieces-recto-verso", kind="form (two files)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(h1(page)).to_have_text("Récapitulatif de la demande")
    documents = page.get_by_role("region", name="Pièces justificatives")
    expect(documents).to_contain_text("identite-recto.png")
    expect(documents).to_contain_text("identite-verso.png")
    seed.walk.step(page, "pieces-recapitulatif", audit=False)
    names = Dossier.objects.get(reference=seed.draft_reference).files.values_list("original_name", flat=True)
    assert sorted(names) == ["identite-recto.png", "identite-verso.png"]


def palmares(seed: Seed) -> None:
    """The mayor's account, the commune's organisme, the deposit from the organisme space, the
    recap, « Transmettre », the confirmation on screen and the acknowledgement by e-mail."""
    page = seed.new_page()
    # Etape 1: Création de son compte (the mayor's).
    comment_creer_son_compte(seed, page, MAYOR, "palmares")
    # Etape 2: Création de votre organisme: « Créer un Organisme Public ou Privé ».
    expect(h1(page)).to_have_text("Mes services publics")
    seed.walk.step(page, "palmares-accueil-sans-espace", kind="home (no space)")
    page.get_by_role("link", name="Créer un Organisme Public ou Privé").click()
    expect(h1(page)).to_have_text("Créer un Organisme Public ou Privé")
    fill_organisme(page, "commune", "Commune de Gray", "217 002 431 00013", "Place Charles de Gaulle", "70100", "Gray")
    seed.walk.step(page, "palmares-organisme-commune", audit=False)
    page.get_by_role("button", name="Valider").click()
    expect(flash(page)).to_contain_text("Votre organisme est maintenant créé")
    expect(h1(page)).to_have_text("Commune de Gray")
    assert Organisme.objects.get(siret="21700243100013").kind == "commune"
    seed.walk.step(page, "palmares-espace-organisme", audit=False)

    # Etape 3: Déposer sa demande, from the organisme space: « Catalogue-Déposer un dossier ».
    seed.walk.seed_word(
        page, "link", "Catalogue-Déposer un dossier", product_name="Déposer un dossier",
        where="Palmarès, Etape 3 (organisme space, citizen_portal/templates/citizen_portal/spaces/organisme_home.html)",
    ).click()  # fmt: skip
    expect(h1(page)).to_have_text("Catalogue des téléservices")
    expect(page.get_by_role("heading", name="Palmarès", level=3)).to_be_visible()  # « la catégorie Palmarès »
    expect(page.get_by_role("link", name=PACK_JEUNES)).to_have_count(0)
    seed.walk.step(page, "palmares-catalogue", kind="catalogue (organisme)")
    page.get_by_role("link", name=PALMARES).click()
    expect(h1(page)).to_have_text(PALMARES)
    expect(page.locator("main")).to_contain_text("Le dossier sera déposé pour l'organisme « Commune de Gray »")
    seed.walk.step(page, "palmares-fiche", kind="fiche (organisme)")
    page.get_by_role("button", name="Déposer un dossier").click()

    # « Le formulaire d'inscription à compléter s'affiche. »
    expect(page).to_have_url(re.compile(r"/demandes/PVF-\d{4}-\d+/modifier/$"))
    expect(h1(page)).to_have_text(PALMARES)
    reference = page.url.rstrip("/").split("/")[-2]
    page.get_by_label("Catégorie de la commune").select_option("3000_10000")
    page.get_by_label("Label « Villes et Villages fleuris » déjà obtenu").select_option("1")
    page.get_by_label("Nom du référent fleurissement").fill("Martine Cuenot")
    page.get_by_label("Téléphone du référent").fill("03 84 65 10 20")
    page.get_by_label("Actions de fleurissement et d'embellissement").fill(
        "Massifs vivaces sur les quais de Saône, gestion différenciée des espaces verts, zéro phytosanitaire."
    )
    page.get_by_label("Je certifie sur l'honneur l'exactitude des informations fournies").check()
    seed.walk.step(page, "palmares-formulaire", kind="form (palmares)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(h1(page)).to_have_text("Récapitulatif de la demande")
    expect(page.get_by_role("region", name="Informations de la demande")).to_contain_text("Martine Cuenot")
    seed.walk.step(page, "palmares-recapitulatif", kind="recap (palmares)")
    page.get_by_role("link", name="Transmettre", exact=True).click()
    expect(h1(page)).to_have_text("Transmettre la demande")
    page.get_by_role("button", name="Oui", exact=True).click()

    # « Un message de confirmation s'affiche à l'écran et un accusé de réception vous sera envoyé par mail. »
    expect(flash(page)).to_contain_text("Votre demande a été transmise, elle n'est plus modifiable.")
    expect(flash(page)).to_contain_text("Un accusé de réception vous est envoyé par courrier électronique.")
    expect(page.locator(".status").first).to_have_text("Transmis")
    seed.walk.step(page, "palmares-confirmation", kind="recap (palmares transmitted)")
    seed.deliver()
    acknowledgement = seed.mailbox.one(MAYOR.email, f"Accusé de réception de votre demande {reference}")
    assert PALMARES in acknowledgement.text and reference in acknowledgement.text
    assert any(kind == "application/pdf" for _name, kind in acknowledgement.attachments), acknowledgement.attachments


# --- the walk -----------------------------------------------------------------------------------


def test_seed_help_page_walked_in_order(
    new_page: Callable[[], Page],
    live_server: Any,
    franceconnect: OIDCProvider,
    mailbox: Mailbox,
    catalogue: Catalogue,
    deliver_outbox: Callable[[], list[str]],
) -> None:
    """Every section of the seed help page works with the seed's words, and every page passes axe-core."""
    walk = Walk(SCREENSHOTS)
    seed = Seed(
        new_page=new_page,
        walk=walk,
        mailbox=mailbox,
        deliver=deliver_outbox,
        site=live_server.url,
        catalogue=catalogue,
        provider=franceconnect,
    )

    comment_se_connecter(seed)  # Comment se connecter
    claire = seed.claire = new_page()
    comment_creer_son_compte(seed, claire, CLAIRE, "compte")  # Comment créer son compte
    comment_creer_son_foyer(seed, claire)  # Comment créer son foyer
    comment_creer_son_organisme(seed, claire)  # Comment créer son organisme
    mot_de_passe_oublie(seed, claire)  # Mot de passe oublié
    deposer_un_dossier(seed, claire)  # Déposer un dossier
    saisir_les_beneficiaires(seed, claire)  # Saisir les informations concernant les bénéficiaires
    comment_consulter_mes_messages(seed, claire)  # Comment consulter mes messages
    modifier_un_dossier_renvoye(seed, claire)  # Modifier un dossier renvoyé par le service instructeur
    joindre_des_pieces(seed, claire)  # Comment joindre des pièces justificatives
    palmares(seed)  # Déposer une demande d'inscription au Palmarès des Villes et Villages fleuris

    summary = "\n".join(
        f"{results.violations_count} violation(s)  {kind}  {url}" for kind, (url, results) in walk.audits.items()
    )
    (SCREENSHOTS / "axe-summary.txt").write_text(summary + "\n", encoding="utf-8")
    problems = walk.problems()
    assert not problems, problems
