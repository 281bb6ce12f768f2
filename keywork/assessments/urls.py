from django.urls import path

from keywork.assessments import views

urlpatterns = [
    path("clients/<str:local_id>/assessments/", views.assessments, name="assessments"),
    path("clients/<str:local_id>/assessments/new/", views.assess, name="assess"),
]
