"""The annual report's pages, mounted under /stats/annual/ in the ``stats`` namespace."""

from django.urls import path

from . import annual_views as views

urlpatterns = [
    path("", views.annual_list, name="annual_list"),
    path("<int:fiscal_year>/", views.annual_report, name="annual_report"),
    path("<int:fiscal_year>/generate/", views.annual_generate, name="annual_generate"),
    path("<int:fiscal_year>/comments/", views.annual_comments, name="annual_comments"),
    path("<int:fiscal_year>/finalise/", views.annual_finalise, name="annual_finalise"),
    path("<int:fiscal_year>/print/", views.annual_print, name="annual_print"),
    path("<int:fiscal_year>/xlsx/", views.annual_xlsx, name="annual_xlsx"),
]
