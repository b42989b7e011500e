from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:login")


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name and address have failed too often."""
    return render(request, "registration/locked_out.html", status=429)
