"""対策委員会 records. The models arrive with the committee issue; the app is registered now so the
project's shape matches the design card and later migrations need no settings change."""
