from django.urls import path

from keywork.clients import breakglass, views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("clients/<str:local_id>/", views.client_record, name="client"),
    path("clients/<str:local_id>/phase/", views.move_phase, name="move_phase"),
    path("clients/<str:local_id>/keyworker/", views.change_keyworker, name="change_keyworker"),
    path("clients/<str:local_id>/discharge/", views.discharge, name="discharge"),
    path("clients/<str:local_id>/break-glass/", breakglass.break_glass, name="break_glass"),
    path("access-reviews/", breakglass.reviews, name="access_reviews"),
]
