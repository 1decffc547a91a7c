"""Filter forms read from the URL (the queue, the dashboard): a value that does not validate is
dropped and named, and the rest applies — a bookmarked address never ends in an error page."""

from __future__ import annotations

from functools import cached_property


class LenientFilters:
    """For a ``forms.Form`` bound to the URL's query: ``ignored`` (the labels of the fields whose
    values were not understood, and so not applied) and ``values`` (the valid ones)."""

    @cached_property
    def ignored(self) -> list[str]:
        if not self.is_bound:
            return []
        self.is_valid()
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]

    @cached_property
    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
