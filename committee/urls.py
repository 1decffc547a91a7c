"""The committee's addresses (/committee/) and the 庁内共有 board (/board/, in ``board_urls``)."""

from django.urls import path

from . import letter_views, views

app_name = "committee"

urlpatterns = [
    # -- meetings, agenda, attendance, votes, decisions, measures (views.py) --
    path("", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invite/", views.invite, name="invite"),
    path("meetings/<int:pk>/invitations/<int:invitation_id>/remove/", views.uninvite, name="uninvite"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/items/add/", views.add_item, name="add_item"),
    path("items/<int:item_id>/move/<str:direction>/", views.move_item, name="move_item"),
    path("items/<int:item_id>/defer/", views.defer_item, name="defer_item"),
    path("items/<int:item_id>/notes/", views.save_notes, name="item_notes"),
    path("items/<int:item_id>/votes/", views.record_votes, name="item_votes"),
    path("items/<int:item_id>/decision/", views.decision_draft, name="decision_draft"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/finalise/", views.finalise, name="finalise"),
    path("decisions/<int:pk>/correct/", views.correct, name="correct"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    # -- letters and minutes (letter_views.py) --
    path("decisions/<int:pk>/letters/", letter_views.decision_letters, name="decision_letters"),
    path("decisions/<int:pk>/letters/new/", letter_views.letter_draft, name="letter_draft"),
    path("letters/<int:pk>/", letter_views.letter_detail, name="letter"),
    path("letters/<int:pk>/issue/", letter_views.letter_issue, name="letter_issue"),
    path("letters/<int:pk>/print/", letter_views.letter_print, name="letter_print"),
    path("meetings/<int:pk>/minutes/", letter_views.minutes_detail, name="minutes"),
    path("meetings/<int:pk>/minutes/approve/", letter_views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/print/", letter_views.minutes_print, name="minutes_print"),
]
