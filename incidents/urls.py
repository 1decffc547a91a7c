from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_edit, name="new"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/print/", views.report_print, name="print"),
    path("<int:pk>/discard/", views.report_discard, name="discard"),
    path("<int:pk>/move/<slug:name>/", views.report_move, name="move"),
    path("<int:pk>/change/<slug:name>/", views.report_change, name="change"),
    path("evidence/<int:pk>/", views.attachment_download, name="attachment"),
]
