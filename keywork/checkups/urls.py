from django.urls import path

from keywork.checkups import views

BASE = "clients/<str:local_id>/check-ups/"

urlpatterns = [
    path(BASE, views.checkups, name="checkups"),
    path(BASE + "new/", views.schedule, name="schedule_checkups"),
    path(BASE + "<int:pk>/", views.record, name="record_checkup"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="checkup_in_error"),
    path(BASE + "return/", views.return_to_treatment, name="return_to_treatment"),
]
