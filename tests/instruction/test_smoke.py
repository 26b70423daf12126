from instruction.models import DossierStatus
from tests.factories import filed_dossier


def test_transmitted_dossier_has_one_review_task(cast):
    """A transmitted dossier has exactly one open review task in the service queue."""
    from workflows import engine

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    assert dossier.status == DossierStatus.TRANSMITTED
    assert [t.flow_task.name for t in engine.open_tasks(dossier)] == ["review"]
