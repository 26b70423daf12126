from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenPortalConfig(AppConfig):
    name = "citizen_portal"
    verbose_name = _("Portail usager")
