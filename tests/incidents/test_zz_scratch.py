import pytest, time

@pytest.mark.django_db
def test_scratch(client, users, types):
    client.force_login(users["staff"])
    r = client.post("/reports/new/", {"action": "submit", "title": "T", "conduct": "「馬鹿」と言った",
        "timeline-TOTAL_FORMS": "1", "timeline-INITIAL_FORMS": "0", "timeline-0-description": "", "timeline-0-at": "2025-06-18T10:00", "timeline-0-kind": "warning"})
    open("/tmp/scratch/form.html", "w").write(r.content.decode())
    print(r.status_code)
