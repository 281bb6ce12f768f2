from django.urls import path

from keywork.recovery import views

BASE = "clients/<str:local_id>/recovery/"

urlpatterns = [
    path(BASE, views.checks, name="recovery"),
    path(BASE + "new/", views.take, name="take_recovery_check"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="recovery_check_in_error"),
]
