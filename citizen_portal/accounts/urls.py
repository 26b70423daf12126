from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

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
]
