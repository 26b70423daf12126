"""FranceConnect pages, public (the callbacks come back from the provider without a session login).
The paths are the redirect URIs to declare to FranceConnect: /franceconnect/retour/ for the login,
/franceconnect/deconnexion/retour/ for the logout."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from citizen_portal.franceconnect import views

app_name = "franceconnect"

urlpatterns: list[URLPattern | URLResolver] = [
    path("connexion/", login_not_required(views.LoginView.as_view()), name="login"),
    path("retour/", login_not_required(views.CallbackView.as_view()), name="callback"),
    path("deconnexion/", login_not_required(views.LogoutView.as_view()), name="logout"),
    path("deconnexion/retour/", login_not_required(views.LogoutCallbackView.as_view()), name="logout_callback"),
]
