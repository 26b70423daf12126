"""Supervision partials included in pages whose views do not know about supervision: the nav
links, « Attribuer » on the review screen and « Attribuer la sélection » in the lists."""

from __future__ import annotations

from typing import Any

from django import template

from instruction.models import Dossier
from permissions import access

register = template.Library()


@register.simple_tag(takes_context=True)
def is_supervisor(context: template.Context) -> bool:
    """Whether the user supervises a service; no query on back-office pages (the ids are cached
    on the user by the view's own access check)."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and access.supervised_teleservice_ids(user))


@register.simple_tag
def assign_form(dossier: Dossier) -> Any:
    from backoffice.supervision import AssignForm

    return AssignForm(dossier=dossier)


@register.simple_tag(takes_context=True)
def bulk_assign_form(context: template.Context) -> Any:
    """The bulk form for a supervisor, None for anybody else."""
    from backoffice.supervision import BulkAssignForm

    if not is_supervisor(context):
        return None
    return BulkAssignForm(supervisor=context["user"])
