"""Demo data for `make demo`, built through the actions layer so that it is what people would
have produced by hand: accounts, households and organismes of the département, the six
téléservices of the catalogue, and dossiers in every status with messages, complements and
decisions. Deterministic (fixed names, dates relative to today) and idempotent."""

from __future__ import annotations

from typing import Any

from instruction import actions
from instruction.demo import people
from instruction.demo.filings import FILINGS, FORM_DATA
from instruction.demo.steps import Filing, advance, attach_documents
from instruction.models import Foyer, FoyerMember, Organisme, Teleservice
from permissions.models import InstructingService, User
from permissions.organismes import organismes_of
from workflows.catalogue import entries, module_of

PASSWORD = "demo-2026"  # noqa: S105 - documented demo password, refused without DEBUG
ACCOUNTS = [
    ("citoyen@demo.test", "Camille", "Martin", "citoyenne, foyer à Vesoul (Léa 19 ans, Hugo 15 ans, Jade 8 ans)"),
    ("agent@demo.test", "Julien", "Perrin", "agent instructeur (tous les téléservices)"),
    ("agent.famille@demo.test", "Élodie", "Bourgeois", "agente instructrice (Enfance et famille)"),
    ("superviseur@demo.test", "Sophie", "Girard", "superviseure des trois services"),
    ("admin@demo.test", "Alex", "Admin", "administrateur (/admin/)"),
    ("mairie@demo.test", "Bernard", "Vuillemin", "maire de Gy, organisme « Commune de Gy » (Palmarès à déposer)"),
    ("francas@demo.test", "Karima", "Belkacem", "présidente de l'association « Les Francas de Haute-Saône »"),
]
FAMILY_SERVICE = "Service Enfance et famille"
# Instructing service → the téléservices it instructs (by module of the catalogue).
SERVICES = {
    "Service Jeunesse": ("pack_jeunes", "afde", "bds"),
    FAMILY_SERVICE: ("mille_semaines_familles", "mille_semaines_collectives"),
    "Service Cadre de vie": ("palmares",),
}


def _user(email: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last, **extra})
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _foyer(household: people.Household) -> Foyer:
    user = _user(household.email, household.first_name, household.last_name)
    existing = Foyer.objects.filter(responsible=user).first()
    if existing is not None:
        return existing
    foyer = actions.create_foyer(
        acting_user=user,
        address=household.address,
        postal_code=household.postal_code,
        commune=household.commune,
        quotient_familial=household.quotient_familial,
        civility=household.civility,
        first_name=household.first_name,
        last_name=household.last_name,
        birth_date=people.birth_date(people.Child(household.civility, household.first_name, 44, 100)),
    )
    for child in household.children:
        actions.add_foyer_member(
            foyer,
            acting_user=user,
            civility=child.civility,
            first_name=child.first_name,
            last_name=household.last_name,
            birth_date=people.birth_date(child),
            link=FoyerMember.Link.CHILD,
        )
    return foyer


def _organisme(structure: people.Structure) -> Organisme:
    user = _user(structure.email, structure.first_name, structure.last_name)
    siret = people.siret_of(structure.siren)
    existing = Organisme.objects.filter(siret=siret).first()
    if existing is not None:
        return existing
    return actions.create_organisme(
        acting_user=user,
        kind=structure.kind,
        name=structure.name,
        siret=siret,
        address=structure.address,
        postal_code=structure.postal_code,
        commune=structure.commune,
    )


def _teleservices(services: dict[str, InstructingService]) -> dict[str, Teleservice]:
    service_of = {module: services[name] for name, modules in SERVICES.items() for module in modules}
    found = {}
    for module, entry in entries().items():
        slug = entry.pop("slug")
        entry.update(published=True, instructing_service=service_of[module])
        teleservice, _ = Teleservice.objects.update_or_create(slug=slug, defaults=entry)
        found[module] = teleservice
    return found


def _file(teleservice: Teleservice, filing: Filing, agent: User) -> None:
    user = User.objects.get(email=filing.email)
    organisme = organismes_of(user).order_by("pk").first() if teleservice.audience == "organisme" else None
    names = [name.strip() for name in filing.child.split(",") if name.strip()]
    children = [FoyerMember.objects.get(foyer__responsible=user, first_name=name) for name in names]
    draft = actions.create_draft(teleservice, acting_user=user, organisme=organisme)
    data = FORM_DATA[module_of(teleservice)](draft, children, filing.data)
    actions.save_draft(draft, data, acting_user=user)
    attach_documents(draft, user)
    advance(draft, filing, applicant=user, agent=agent)


def load() -> list[tuple[str, str, str, str]]:
    """Create what is missing; returns the demo accounts."""
    users = {
        email: _user(email, first, last, is_staff=email.startswith("admin"), is_superuser=email.startswith("admin"))
        for email, first, last, _role in ACCOUNTS
    }
    agent, supervisor = users["agent@demo.test"], users["superviseur@demo.test"]
    services = {name: InstructingService.objects.get_or_create(name=name)[0] for name in SERVICES}
    for name, service in services.items():
        service.add_agent(agent)
        service.add_agent(supervisor)
        service.supervisors.add(supervisor)
        if name == FAMILY_SERVICE:
            service.add_agent(users["agent.famille@demo.test"])
    teleservices = _teleservices(services)
    for household in people.HOUSEHOLDS:
        _foyer(household)
    for structure in people.STRUCTURES:
        _organisme(structure)
    for module, filings in FILINGS.items():
        teleservice = teleservices[module]
        if teleservice.dossiers.exists():
            continue
        # The family service's dossiers are instructed by its own agent, the others by agent@.
        instructing = users["agent.famille@demo.test"] if module in SERVICES[FAMILY_SERVICE] else agent
        for filing in filings:
            _file(teleservice, filing, instructing)
    return ACCOUNTS


__all__ = ["ACCOUNTS", "PASSWORD", "load"]
