"""Account pages. Their URL names are global (``login``, ``signup``, ``password_reset``…),
as Django's auth views and settings.LOGIN_URL expect."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from citizen_portal.accounts import my_data, views

urlpatterns = [
    path("compte/mes-donnees/", my_data.my_data, name="my_data"),
    path("compte/mes-donnees/telecharger/", my_data.download, name="my_data_download"),
    path("compte/supprimer/", my_data.delete, name="account_delete"),
    path("connexion/", login_not_required(views.LoginView.as_view()), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("compte/activer/<str:token>/", views.activate, name="account_activate"),
    path("compte/activation/", views.activation_resend, name="activation_resend"),
    path("compte/activation/envoyee/", views.activation_resend_done, name="activation_resend_done"),
    path("mot-de-passe-oublie/", login_not_required(views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        login_not_required(views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        login_not_required(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
]
