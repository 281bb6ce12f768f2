from django.urls import path

from keywork.measures import dashboard_views, views

urlpatterns = [
    path("reports/<str:code>/", views.report, name="measure_report"),
    path("fhir/Measure/<str:code>", views.measure_definition, name="measure_definition"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/<str:code>/", dashboard_views.dashboard_list, name="dashboard_list"),
]
