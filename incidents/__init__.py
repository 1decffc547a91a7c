"""The カスハラ発生連絡票 (incident report) and its lifecycle."""
