from django.urls import path

from keywork.interventions import views

BASE = "clients/<str:local_id>/interventions/"

urlpatterns = [
    path(BASE, views.interventions, name="interventions"),
    path(BASE + "new/", views.start, name="start_intervention"),
    path(BASE + "offer/", views.offer, name="record_offer"),
    path(BASE + "offer/<int:pk>/in-error/", views.offer_in_error, name="offer_in_error"),
    path(BASE + "<int:pk>/end/", views.end, name="end_intervention"),
    path(BASE + "<int:pk>/session/", views.count_session, name="count_intervention_session"),
    path(BASE + "<int:pk>/amend/", views.amend, name="amend_intervention"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="intervention_in_error"),
]
