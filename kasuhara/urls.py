"""Addresses people bookmark (README lists them); later issues fill /queue/, /committee/, /inbox/ …"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from incidents import export_views, queue_views, retention_views
from kasuhara import views as project_views

admin.site.site_header = "カスハラ対応システム 管理"
admin.site.site_title = "カスハラ対応システム"
admin.site.index_title = "管理メニュー"

handler400 = "kasuhara.errors.bad_request"

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", project_views.healthz, name="healthz"),
    path("accessibility/", project_views.accessibility, name="accessibility"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/security/", include("signin.urls")),
    path("reports/live/", include("incidents.live_urls")),
    path("reports/", include("incidents.urls")),
    path("queue/", queue_views.queue, name="queue"),
    path("queue/retention/", retention_views.runs, name="retention_runs"),
    path("queue/export/", export_views.export_page, name="queue_export"),
    path("queue/export/file/", export_views.export_file, name="queue_export_file"),
    path("manual/", include("manual.urls")),
    path("consultations/", include("consultations.urls")),
    path("counterparts/", include("counterparts.urls")),
    path("committee/", include("committee.urls")),
    path("board/", include("committee.board_urls")),
    path("inbox/", include("notifications.urls")),
    path("support/", include("support.urls")),
    path("care/", include("care.urls")),
    path("help/", include("helpcalls.urls")),
    path("stats/", include("stats.urls")),
    path("surveys/", include("surveys.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
