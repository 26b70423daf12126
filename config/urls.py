from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

handler400 = "config.errors.bad_request"

urlpatterns = [
    path("", include("citizen_portal.accounts.urls")),
    path("franceconnect/", include("citizen_portal.franceconnect.urls")),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("instruction/", include("backoffice.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("citizen_portal.urls")),
]
