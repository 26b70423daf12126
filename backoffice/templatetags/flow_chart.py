"""The flow chart of a téléservice: Viewflow's layout (``viewflow.workflow.chart``) drawn as an
inline, accessible SVG, with the same steps as an ordered list (its text alternative).

Viewflow's own ``graph.svg`` is not used: it capitalises every word, carries a ``<style>``
element and ids named after the nodes (two charts on one page would clash), and has no
accessible name. Here the SVG is ``role="img"`` named by its ``<title>`` and ``<desc>``, every
node carries its number in the list and its French title (the nodes' ``.Annotation(title=…)``
in workflows/), and the look comes from static/css/flow-chart.css.

A flow's chart does not change while the server runs: the rendering is cached per flow class
and language. The chart of one dossier's process (its steps done and current) is drawn on demand.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.encoding import force_str
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.chart import calc_layout_data, topsort

register = template.Library()

PADDING = 12  # room around the grid for the step numbers outside the round shapes
KINDS = {
    "startEvent": _("début"),
    "endEvent": _("fin"),
    "exclusiveGateway": _("aiguillage"),
    "parallelGateway": _("étapes en parallèle"),
    "userTask": _("tâche d'une personne"),
    "manualTask": _("tâche d'une personne"),
    "receiveTask": _("étape attendue"),
    "scriptTask": _("étape automatique"),
    "sendTask": _("étape automatique"),
    "businessRuleTask": _("étape automatique"),
    "serviceTask": _("étape automatique"),
    "boundaryEvent": _("échéance"),
    "intermediateCatchEvent": _("attente"),
}


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    title: str
    description: str
    kind: str
    next: tuple[str, ...]  # « 3. Suite de l'examen »
    state: str = ""  # "done" or "current" on a dossier's chart


@dataclass(frozen=True)
class FlowChart:
    key: str  # unique on a page: the ids of the SVG's title, description and arrow marker
    label: str
    svg: SafeString
    steps: tuple[Step, ...]


def _node_title(node: Any) -> str:
    return force_str(node.task_title or node.name)


def _shape_context(cell: Any, number: int, state: str) -> dict[str, Any]:
    shape = cell.shape
    boxed = bool(shape.text)  # tasks write their title inside; round shapes only their number
    return {
        "x": shape.x,
        "y": shape.y,
        # Viewflow's own markup for the node's shape (library code, no user input).
        "svg": mark_safe(shape.svg),  # noqa: S308
        "lines": [(text, x, y, size) for text, _class, size, x, y in shape.text],
        "title": _node_title(cell.node),
        "number": number,
        "number_x": shape.width - 8 if boxed else -3,
        "number_y": 18 if boxed else 4,
        "number_anchor": "end",
        "boxed": boxed,
        "state": state,
    }


def _build(flow_class_path: str, states: Mapping[str, str]) -> FlowChart:
    from instruction.models.teleservice import FLOW_CHOICES

    flow_class = import_string(flow_class_path)
    grid = calc_layout_data(flow_class)
    # The list follows Viewflow's topological order, which the chart reads left to right.
    ordered, _reversed = topsort(flow_class)
    numbers = {node: index for index, node in enumerate(ordered, start=1)}
    steps = tuple(
        Step(
            number=numbers[node],
            name=node.name,
            title=_node_title(node),
            description=force_str(node.task_description or ""),
            kind=force_str(KINDS.get(getattr(node, "bpmn_element", "") or "", _("étape"))),
            next=tuple(
                f"{numbers[edge.dst]}. {_node_title(edge.dst)}"
                for edge in sorted(node._outgoing(), key=lambda edge: numbers[edge.dst])
                if edge.edge_class not in ("boundary", "compensation")
            )
            + tuple(f"{numbers[event]}. {_node_title(event)}" for event in getattr(node, "_boundary_events", [])),
            state=states.get(node.name, ""),
        )
        for node in ordered
    )
    key = flow_class.__name__.lower()
    label = force_str(dict(FLOW_CHOICES).get(flow_class_path, flow_class.__name__))
    cells = sorted(grid.cells, key=lambda cell: numbers[cell.node])
    context = {
        "key": key,
        "label": label,
        "x": -PADDING,
        "y": -PADDING,
        "width": grid.width + 2 * PADDING,
        "height": grid.height + 2 * PADDING,
        "shapes": [_shape_context(cell, numbers[cell.node], states.get(cell.node.name, "")) for cell in cells],
        "edges": [
            " ".join(f"{'M' if index == 0 else 'L'}{x},{y}" for index, (x, y) in enumerate(edge.segments))
            for edge in grid.edges
            if edge.segments
        ],
        "with_states": bool(states),
    }
    svg = render_to_string("backoffice/teleservice_chart_svg.html", context)
    return FlowChart(key=key, label=label, svg=mark_safe(svg.strip()), steps=steps)  # noqa: S308


@functools.lru_cache(maxsize=64)
def _cached(flow_class_path: str, language: str | None) -> FlowChart:
    return _build(flow_class_path, {})


def chart_for(flow_class_path: str) -> FlowChart:
    """The chart of a flow class, drawn once per language while the server runs."""
    return _cached(flow_class_path, get_language())


OPEN = frozenset({"NEW", "ASSIGNED", "STARTED", "SCHEDULED"})  # viewflow.workflow.status.STATUS


def process_chart(process_id: int) -> FlowChart | None:
    """The chart of one dossier's process: its steps done (« étape franchie ») and its open ones
    (« étape en cours »: a task waiting, an armed deadline). Drawn each time, from the process's
    tasks in one query; a canceled task (a deadline disarmed by the answer) marks nothing."""
    from viewflow.workflow.models import Task

    tasks = list(Task.objects.filter(process_id=process_id).select_related("process").order_by("created", "pk"))
    if not tasks:
        return None
    flow_class = tasks[0].process.flow_class
    states: dict[str, str] = {}
    for task in tasks:
        name = task.flow_task.name
        if task.status in OPEN:
            states[name] = "current"
        elif task.status == "DONE" and states.get(name) != "current":
            states[name] = "done"
    return _build(f"{flow_class.__module__}.{flow_class.__name__}", states)


@register.inclusion_tag("backoffice/teleservice_chart.html")
def flow_chart(flow_class_path: str, heading_level: int = 2) -> dict[str, Any]:
    """``{% flow_chart teleservice.flow_class_path %}``: the chart and its list of steps."""
    return {"chart": chart_for(flow_class_path), "heading_level": heading_level}
