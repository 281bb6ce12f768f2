from django.urls import path

from keywork.careplans import views

urlpatterns = [
    path("clients/<str:local_id>/care-plan/", views.care_plan, name="care_plan"),
    path("clients/<str:local_id>/care-plan/new/", views.agree, name="agree_care_plan"),
    path("clients/<str:local_id>/care-plan/review/", views.review, name="review_care_plan"),
    path(
        "clients/<str:local_id>/care-plan/actions/<int:pk>/done/",
        views.action_done,
        name="plan_action_done",
    ),
]
