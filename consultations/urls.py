from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_new, name="new"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/make-report/", views.make_report, name="make_report"),
    path("<int:pk>/<slug:name>/", views.consultation_action, name="action"),
]
