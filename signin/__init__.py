"""Sign-in protection: throttling of failed sign-ins, the second factor (TOTP and recovery codes),
and sessions (idle timeout, signing out everywhere, a new session key on sign-in and role change).

An app of its own because it guards the door of every other app and none of them depends on it:
it reads the user's roles from ``organization`` and nothing else.
"""
