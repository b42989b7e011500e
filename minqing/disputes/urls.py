"""Pages of this part: /disputes/ (list), /disputes/<id>/ (one dispute), /disputes/risks/."""

from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("risks/", views.risk_list, name="risks"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/sessions/", views.add_session, name="add_session"),
    path("<int:pk>/agreement/", views.add_agreement, name="add_agreement"),
    path("<int:pk>/stages/", views.start_stage, name="start_stage"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/referral/", views.refer, name="refer"),
    path("<int:pk>/parties/<int:party>/code/", views.party_code, name="party_code"),
    path("<int:pk>/parties/<int:party>/slip/", views.party_slip, name="party_slip"),
    path("<int:pk>/parties/<int:party>/revoke/", views.party_revoke, name="party_revoke"),
    path("<int:pk>/messages/read/", views.messages_read, name="messages_read"),
    path("<int:pk>/parties/", views.add_party, name="add_party"),
    path("<int:pk>/risk/", views.review_risk, name="review_risk"),
]
