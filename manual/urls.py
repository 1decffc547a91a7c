from django.urls import path

from . import views

app_name = "manual"

urlpatterns = [
    path("", views.manual_home, name="home"),
    path("search/", views.manual_search, name="search"),
    path("print/", views.manual_print, name="print"),
    path("types/<slug:code>/", views.type_detail, name="type"),
    path("types/<slug:code>/live/", views.type_live, name="live"),
    path("chapters/<slug:slug>/", views.chapter_detail, name="chapter"),
]
