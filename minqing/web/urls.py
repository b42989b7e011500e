from django.urls import path

from .views import auth, home, households, regions

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    path("households/", households.household_list, name="households"),
    path("households/export.csv", households.household_export, name="households_export"),
    path("households/<int:pk>/", households.household_detail, name="household"),
    path("residents/<int:pk>/reveal/", households.resident_reveal, name="resident_reveal"),
]
