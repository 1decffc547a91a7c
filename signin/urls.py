"""/accounts/security/…: the signed-in user's own sign-in settings (second factor, sessions)."""

from django.urls import path  # noqa: F401 (the helpers add their pages)

from . import otp_views, views

app_name = "signin"

urlpatterns: list = [
    # The second factor (signin/otp_views.py)
    path("", otp_views.security, name="security"),
    path("verify/", otp_views.verify, name="otp_verify"),
    path("setup/", otp_views.setup, name="otp_setup"),
    path("setup/codes/", otp_views.codes, name="otp_codes"),
    path("recovery-codes/", otp_views.regenerate, name="otp_regenerate"),
    path("remove/", otp_views.remove, name="otp_remove"),
    # Sessions (signin/views.py)
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/others/", views.sign_out_others, name="sign_out_others"),
    path("sessions/all/", views.sign_out_all, name="sign_out_all"),
]
