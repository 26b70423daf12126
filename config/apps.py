from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth.signals import user_logged_in


class AdminConfig(DjangoAdminConfig):
    """Django's admin with the site of config/admin.py: administrators only, the site's login.

    Also connects config.session_idle to the login (config itself is no application)."""

    default_site = "config.admin.AdminSite"

    def ready(self) -> None:
        super().ready()
        from config.session_idle import mark_refreshed_at_login

        user_logged_in.connect(mark_refreshed_at_login, dispatch_uid="session_idle_login")
