"""The list rows rendered in Python (backoffice/rows.py) are the markup the template wrote:
the template of the rows is kept here as the reference and both are compared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from backoffice.rows import rows_html
from instruction import actions
from instruction.models import Dossier
from tests.factories import filed_dossier

REFERENCE = """{% load i18n %}{% for dossier in rows %}
    <tr{% if dossier.is_late %} class="row-late"{% endif %}>
      <td class="select-cell"><input type="checkbox" name="dossiers" value="{{ dossier.reference }}" id="select-{{ dossier.reference }}"><label for="select-{{ dossier.reference }}" class="visually-hidden">{% blocktranslate with ref=dossier.reference %}Sélectionner le dossier {{ ref }}{% endblocktranslate %}</label></td>
      <th scope="row"><a href="{% url 'backoffice:review' dossier.reference %}">{{ dossier.reference }}</a></th>
      <td>{{ dossier.teleservice.title }}</td>
      <td>{{ dossier.applicant }}</td>
      <td>{% if dossier.beneficiary %}{{ dossier.beneficiary }}{% elif dossier.organisme %}{{ dossier.organisme.name }}{% else %}—{% endif %}</td>
      <td>{% if dossier.foyer %}{{ dossier.foyer.commune }}{% elif dossier.organisme %}{{ dossier.organisme.commune }}{% else %}—{% endif %}</td>
      {% if done %}<td><span class="status status-{{ dossier.status }}">{{ dossier.get_status_display }}</span></td>
      <td>{{ dossier.assignee|default:_("Non attribué") }}</td>{% endif %}
      <td>{% if dossier.transmitted_at %}<time datetime="{{ dossier.transmitted_at|date:'c' }}">{{ dossier.transmitted_at|date:"SHORT_DATE_FORMAT" }}</time>{% endif %}</td>
      <td>{% if dossier.deadline %}<time datetime="{{ dossier.deadline|date:'Y-m-d' }}">{{ dossier.deadline|date:"SHORT_DATE_FORMAT" }}</time>{% endif %}{% if dossier.is_late %} <span class="badge badge-late">{% translate "En retard" %}</span>{% endif %}</td>
    </tr>{% endfor %}"""  # noqa: E501


def normalised(html: str) -> str:
    return " ".join(html.split())


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("done", [False, True])
def test_rows_html_same_markup_as_template(cast, language, done):
    taken = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(taken, acting_user=cast.agent)
    queued = filed_dossier(cast.teleservice, cast.applicant)
    Dossier.objects.filter(pk=queued.pk).update(deadline=dt.date(2020, 1, 15))
    dossiers = list(Dossier.objects.filter(pk__in=[taken.pk, queued.pk]).order_by("pk"))
    dossiers[1].is_late = True
    dossiers[1].applicant.first_name = "<Léa & Cie>"  # escaped the same way
    with translation.override(language):
        expected = Template(REFERENCE).render(Context({"rows": dossiers, "done": done}))
        prefix = "/instruction/dossiers/"
        got = rows_html(dossiers, review_prefix=prefix, done_tab=done)
    assert normalised(got) == normalised(expected)
