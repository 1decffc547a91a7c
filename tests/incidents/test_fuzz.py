"""Property-based fuzzing of the report form: whatever a client posts — random Unicode, control
characters, very long strings, odd numbers and dates, malformed formset management data, odd ids —
the answer is never a 5xx. (The test client re-raises any exception a view lets escape, so a 500
fails the example that caused it, and Hypothesis shrinks it to the smallest such post.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(["", " ", "\x00", "\u202e", "²", "①", "１２", "-1", "1e9", "9" * 30, "NaN", "0x10",
                     "2025-02-30T10:00", "0001-01-01T00:00", "9999-12-31T23:59", "61123-01-01T00:00",
                     "2025/06/18 08:30", "令和7年6月18日", "<script>", "' OR 1=1 --"]),
    st.tuples(st.text(min_size=1, max_size=3), st.integers(1_000, 12_000)).map(lambda t: (t[0] * t[1])[:12_000]),
)

FIELDS = [
    "title", "occurred_start", "occurred_end", "channel", "place", "staff_members", "staff_count",
    "counterpart_count", "counterpart_sex", "counterpart_age_band", "demand", "conduct", "harassment_types",
    "warning_count", "exit_request_count", "exit_order_count", "police_called", "police_called_at",
    "work_minutes_lost", "related_reports", "staged", "form_token", "version", "action",
    "timeline-TOTAL_FORMS", "timeline-INITIAL_FORMS", "timeline-MAX_NUM_FORMS",
    "timeline-0-at", "timeline-0-kind", "timeline-0-description", "timeline-0-id", "timeline-0-DELETE",
    "timeline-1-at", "timeline-1-description",
]

posts = st.dictionaries(st.sampled_from(FIELDS), st.lists(odd_text, min_size=1, max_size=3), max_size=12)


@pytest.mark.parametrize("target", ["new", "draft"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(changes=posts)
def test_no_post_to_the_report_form_ends_in_a_server_error(client_as, users, make_report, report_data, target, changes):
    client = client_as("staff")
    draft = make_report(users["staff"], title="ファズ") if target == "draft" else None
    if draft is not None:
        draft.status = "draft"
        draft.save(update_fields=["status"])
    data = report_data(action="save", report=draft)
    data.update({key: values if len(values) > 1 else values[0] for key, values in changes.items()})
    url = f"/reports/{draft.pk}/edit/" if draft else "/reports/new/"

    response = client.post(url, data)

    assert response.status_code < 500
    assert response.status_code in (200, 302, 400, 409)
