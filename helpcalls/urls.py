from django.urls import path

from . import views

app_name = "helpcalls"

urlpatterns = [
    path("new/", views.call_new, name="new"),
    path("active/", views.active, name="active"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
]
