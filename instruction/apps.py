from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructionConfig(AppConfig):
    name = "instruction"
    verbose_name = _("Instruction des dossiers")

    def ready(self) -> None:
        # Attachment renderers register themselves on import; the Celery worker needs them too.
        from instruction import checks, letters, receipt  # noqa: F401
