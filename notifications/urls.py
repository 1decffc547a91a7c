from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("count/", views.unread, name="count"),
    path("read-all/", views.read_all, name="read_all"),
    path("settings/", views.preferences, name="settings"),
    path("<int:pk>/", views.open_notice, name="open"),
    path("<int:pk>/read/", views.read_one, name="read"),
]
