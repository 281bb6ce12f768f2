from django.urls import path

from keywork.measures import views

urlpatterns = [
    path("reports/<str:code>/", views.report, name="measure_report"),
    path("fhir/Measure/<str:code>", views.measure_definition, name="measure_definition"),
]
