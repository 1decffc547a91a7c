"""The カスタマーハラスメント対策委員会: meetings, agenda and 対応方針 (filled by a later issue)."""
