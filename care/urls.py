from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("checkins/", views.checkin_list, name="checkins"),
    path("checkins/<int:checkin>/", views.checkin_detail, name="checkin"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:referral>/", views.referral_detail, name="referral"),
    path("referrals/<int:referral>/consent/", views.consent, name="consent"),
    path("referrals/<int:referral>/decline/", views.decline, name="decline"),
    path("referrals/<int:referral>/withdraw/", views.withdraw, name="withdraw"),
    path("referrals/<int:referral>/receive/", views.receive, name="receive"),
    path("reports/<int:report>/refer/", views.propose, name="propose"),
]
