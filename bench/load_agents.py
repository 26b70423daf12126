"""The virtual agents of the load run: who they are, their sessions and their dossiers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from bench.load_config import (
    INSTRUCT_CODENAME,
    LATE,
    MINE,
    MIX,
    MODEL_BACKEND,
    PAGES,
    POOL_PER_SERVICES,
    QUEUE,
    REFS_PER_AGENT,
    REVIEW,
    SEARCH,
)


# --- The agents ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agent:
    """One virtual agent: its session cookie and the paths it may request."""

    user_id: int
    session_key: str
    queue: str
    mine: str
    dossiers: tuple[str, ...]  # review paths
    searches: tuple[str, ...]  # queue paths with ?q=<surname>
    late: str

    def pick(self, rng: random.Random) -> tuple[str, str]:
        """(page, path) of the next request, following MIX."""
        page = rng.choices(PAGES, weights=[MIX[p] for p in PAGES])[0]
        if page == REVIEW and not self.dossiers:
            page = rng.choice((QUEUE, MINE))
        if page == SEARCH and not self.searches:
            page = QUEUE
        if page == REVIEW:
            return page, rng.choice(self.dossiers)
        if page == SEARCH:
            return page, rng.choice(self.searches)
        return page, {QUEUE: self.queue, MINE: self.mine, LATE: self.late}[page]


def instructing_users(limit: int, rng: random.Random) -> list[tuple[Any, frozenset[int]]]:
    """Up to ``limit`` active users who instruct at least one téléservice, in random order, with
    the ids of those téléservices (access.instructed_teleservice_ids has the last word)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from instruction.models import Teleservice
    from permissions.access import instructed_teleservice_ids
    from permissions.models import User

    perm = {
        "permission__codename": INSTRUCT_CODENAME,
        "permission__content_type": ContentType.objects.get_for_model(Teleservice),
    }
    groups = GroupObjectPermission.objects.filter(**perm).values("group_id")
    direct = UserObjectPermission.objects.filter(**perm).values("user_id")
    candidates = list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__in=groups) | Q(pk__in=direct) | Q(supervised_services__isnull=False))
        .values_list("pk", flat=True)
        .distinct()
    )
    rng.shuffle(candidates)
    found: list[tuple[Any, frozenset[int]]] = []
    for pk in candidates:
        user = User.objects.get(pk=pk)
        ids = instructed_teleservice_ids(user)
        if ids:
            found.append((user, ids))
            if len(found) >= limit:
                break
    return found


def _dossier_pool(ids: frozenset[int]) -> list[tuple[str, str]]:
    """(reference, applicant's surname) of random non-draft dossiers of these téléservices."""
    from instruction.models import Dossier, DossierStatus

    rows = (
        Dossier.objects.filter(teleservice_id__in=ids)
        .exclude(status=DossierStatus.DRAFT)
        .order_by("?")
        .values_list("reference", "applicant__last_name")[:POOL_PER_SERVICES]
    )
    return list(rows)


def create_session(user: Any) -> str:
    """A logged-in session in the session store, as django.contrib.auth.login leaves it."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    if MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        raise RuntimeError(f"{MODEL_BACKEND} is not in AUTHENTICATION_BACKENDS")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = MODEL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return str(session.session_key)


def delete_sessions(keys: Sequence[str]) -> None:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


def prepare_agents(users: int, rng: random.Random) -> tuple[list[Agent], int]:
    """(the virtual agents, how many distinct users they are). Raises when nobody instructs."""
    from django.urls import reverse

    if users < 1:
        raise ValueError("users must be at least 1")
    people = instructing_users(users, rng)
    if not people:
        raise RuntimeError("No active user instructs a téléservice: nobody to act as an agent.")
    queue, mine = reverse("backoffice:queue"), reverse("backoffice:my_tasks")
    pools: dict[frozenset[int], list[tuple[str, str]]] = {}
    agents: list[Agent] = []
    try:
        for index in range(users):
            user, ids = people[index % len(people)]
            if ids not in pools:
                pools[ids] = _dossier_pool(ids)
            sample = rng.sample(pools[ids], min(REFS_PER_AGENT, len(pools[ids])))
            surnames = sorted({name for _ref, name in sample if name})
            agents.append(
                Agent(
                    user_id=user.pk,
                    session_key=create_session(user),
                    queue=queue,
                    mine=mine,
                    dossiers=tuple(reverse("backoffice:review", args=[ref]) for ref, _name in sample),
                    searches=tuple(f"{queue}?{urlencode({'q': name})}" for name in surnames),
                    late=f"{queue}?{urlencode({'deadline': 'late'})}",
                )
            )
    except BaseException:
        delete_sessions([agent.session_key for agent in agents])
        raise
    return agents, len(people)
