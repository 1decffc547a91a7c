"""The response manual: the ten 態様 with their playbooks, the general chapters, the city's settings."""
