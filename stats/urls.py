from django.urls import include, path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("annual/", include("stats.annual_urls")),  # the annual report (stats/annual_urls.py)
]
