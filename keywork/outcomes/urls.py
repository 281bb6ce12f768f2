from django.urls import path

from keywork.outcomes import views

BASE = "clients/<str:local_id>/outcomes/"

urlpatterns = [
    path(BASE, views.outcomes, name="outcomes"),
    path(BASE + "new/", views.take, name="take_outcomes"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="outcomes_in_error"),
]
