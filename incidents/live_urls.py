"""/reports/live/: the live recorder's sync, the owner's records, a record, 「連絡票にする」."""

from django.urls import path

from . import live_views

app_name = "live"

urlpatterns = [
    path("", live_views.record_list, name="list"),
    path("sync/", live_views.sync, name="sync"),
    path("<uuid:record>/", live_views.record_detail, name="record"),
    path("<uuid:record>/report/", live_views.make_report, name="report"),
]
