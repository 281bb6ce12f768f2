from django.urls import path

from keywork.overview import views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("search/", views.search, name="search"),
    path("clients/<str:local_id>/", views.client_record, name="client"),
    path("clients/<str:local_id>/summary/", views.summary, name="summary"),
    path("access-reviews/", views.reviews, name="access_reviews"),
]
