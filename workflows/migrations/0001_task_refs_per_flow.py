"""Tasks stored under the former shared base flow move under their own process's flow.

Until the flows were built from ``InstructionSteps`` templates, Viewflow stored every task after
the start as ``workflows/base.BaseInstructionFlow.<node>`` (inherited nodes kept their edges to
the parent class's nodes). Each now belongs to the flow of its process:
``workflows/pack_jeunes/flow.PackJeunesFlow.review``…"""

from django.db import migrations

FORWARD = """
UPDATE viewflow_task AS t
   SET flow_task = p.flow_class || '.' || split_part(t.flow_task, '.', 3)
  FROM viewflow_process AS p
 WHERE t.process_id = p.id
   AND t.flow_task LIKE 'workflows/base.BaseInstructionFlow.%%'
"""


class Migration(migrations.Migration):
    dependencies = [("viewflow", "0015_task_scheduled")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
