from django.urls import path

from . import views

app_name = "counterparts"

urlpatterns = [
    path("", views.counterpart_list, name="list"),
    path("<int:pk>/", views.counterpart_detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/unlink/<int:report_id>/", views.unlink, name="unlink"),
    path("<int:pk>/measures/new/", views.add_measure, name="add_measure"),
    path("<int:pk>/measures/<int:measure_id>/end/", views.end_measure, name="end_measure"),
    path("link/<int:report_id>/", views.link, name="link"),
    path("new/<int:report_id>/", views.create_from_report, name="create"),
]
