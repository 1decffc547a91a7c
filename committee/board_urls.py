"""The 庁内共有 board: /board/ (every member of staff reads it; the 相談窓口 drafts and publishes)."""

from django.urls import path

from . import board_views

app_name = "board"

urlpatterns = [
    path("", board_views.board_list, name="list"),
    path("<int:pk>/", board_views.board_detail, name="detail"),
    path("<int:pk>/edit/", board_views.board_edit, name="edit"),
    path("new/<int:report_id>/", board_views.board_new, name="new"),
]
