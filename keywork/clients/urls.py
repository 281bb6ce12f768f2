from django.urls import path

from keywork.clients import breakglass, views

urlpatterns = [
    path("clients/new/", views.register, name="register_client"),
    path("clients/<str:local_id>/details/", views.change_details, name="change_details"),
    path("clients/<str:local_id>/episodes/new/", views.open_episode, name="open_episode"),
    path("clients/<str:local_id>/phase/", views.move_phase, name="move_phase"),
    path("clients/<str:local_id>/keyworker/", views.change_keyworker, name="change_keyworker"),
    path("clients/<str:local_id>/discharge/", views.discharge, name="discharge"),
    path("clients/<str:local_id>/triage/", views.triage, name="record_triage"),
    path("clients/<str:local_id>/break-glass/", breakglass.break_glass, name="break_glass"),
]
