from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from citizen_portal.forms import LoginForm

urlpatterns = [
    path(
        "connexion/",
        login_not_required(
            auth_views.LoginView.as_view(template_name="registration/login.html", authentication_form=LoginForm)
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("instruction/", include("backoffice.urls")),
    path("admin/", admin.site.urls),
    path("", include("citizen_portal.urls")),
]
