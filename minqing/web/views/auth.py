from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minqing.accounts.security import end_session_tokens


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        end_session_tokens(request.user, request.session.session_key)  # tokens end with their session
    logout(request)
    return redirect("web:login")


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a user name and address have failed too often. API clients get
    JSON like every other API error, people the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "登录失败次数过多，请15分钟后再试"}, status=429)
    return render(request, "registration/locked_out.html", status=429)
