from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("legal/new/<int:report_pk>/", views.legal_new, name="legal_new"),
    path("legal/<int:pk>/", views.legal_detail, name="legal"),
    path("legal/<int:pk>/print/", views.legal_print, name="legal_print"),
    path("legal/<int:pk>/file/", views.legal_file, name="legal_file"),
    path("legal/<int:pk>/<slug:name>/", views.legal_move, name="legal_move"),
    path("building/new/<int:report_pk>/", views.building_new, name="building_new"),
    path("building/<int:pk>/", views.building_detail, name="building"),
    path("building/<int:pk>/<slug:name>/", views.building_move, name="building_move"),
]
