"""Sign-in and sign-out keep ``UserSession`` in step (connected in ``SigninConfig.ready``)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import sessions


@receiver(user_logged_in, dispatch_uid="signin.record_sign_in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None:
        sessions.record_sign_in(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="signin.forget_session")
def _signed_out(sender, request, user, **kwargs):
    session = getattr(request, "session", None) if request is not None else None
    sessions.forget(session_key=session.session_key if session is not None else None)
