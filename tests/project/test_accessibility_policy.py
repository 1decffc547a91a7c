"""The 「ウェブアクセシビリティ方針」 page (/accessibility/) and the README's accessibility section, both
made from the accessibility test's recorded results (kasuhara/accessibility_results.json).

The claim follows 総務省「みんなの公共サイト運用ガイドライン」: 「準拠」 only when every page passed for
every role at every size, otherwise 「一部準拠」.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from kasuhara import accessibility

README = Path(__file__).resolve().parents[2] / "README.md"


def row(page: str, role: str, viewport: str, *, serious: int = 0, overflow: bool = False) -> dict:
    details = [{"rule": "color-contrast", "impact": "serious", "target": "a", "html": "<a>"}] * serious
    return {
        "page": page, "role": role, "viewport": viewport, "status": 200, "title": page,
        "violations": {"critical": 0, "serious": serious, "moderate": 0, "minor": 1}, "overflow": overflow,
        "passed": not serious and not overflow, "details": details,
        "problems": ["scrolls sideways"] if overflow else [],
    }


def results(*rows: dict, complete: bool = True) -> dict:
    return {
        "date": "2026-11-24", "standard": "JIS X 8341-3:2016", "level": "AA", "axe_version": "4.12.1",
        "browser": "Chromium 156.0", "tags": list(accessibility.AXE_TAGS), "viewports": [[1366, 900], [390, 844]],
        "roles": ["anonymous", "staff"], "complete": complete, "results": list(rows),
    }


ALL_PASS = [row("ログイン", "anonymous", "1366"), row("ログイン", "anonymous", "390"),
            row("ホーム", "staff", "1366"), row("ホーム", "staff", "390")]


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """``recorded(document)``: the page reads these results instead of the committed ones."""
    path = tmp_path / "results.json"
    monkeypatch.setattr(accessibility, "RESULTS_FILE", path)

    def write(document: dict) -> None:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    return write


def page_text(client) -> str:
    response = client.get("/accessibility/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_policy_opens_before_sign_in_and_is_linked_from_every_page(client, client_as):
    assert "ウェブアクセシビリティ方針" in page_text(client)
    login_page = client.get("/accounts/login/").content.decode()
    assert 'href="/accessibility/"' in login_page
    signed_in = client_as("staff")
    assert 'href="/accessibility/"' in signed_in.get("/").content.decode()
    assert "ウェブアクセシビリティ方針" in page_text(signed_in)


@pytest.mark.django_db
def test_every_page_passing_everywhere_is_claimed_as_conforming(client, recorded):
    recorded(results(*ALL_PASS))
    text = page_text(client)
    assert "JIS X 8341-3:2016 の適合レベル AA に準拠" in text
    assert "一部準拠" not in text
    assert "2026年11月24日" in text and "axe-core 4.12.1" in text and "Chromium 156.0" in text
    assert "1366×900" in text and "390×844" in text
    assert "ログイン前" in text and "職員" in text  # the roles tested, in words


@pytest.mark.django_db
@pytest.mark.parametrize("failing", [
    row("ホーム", "staff", "390", serious=2),
    row("ホーム", "staff", "390", overflow=True),
], ids=["serious-violation", "scrolls-sideways"])
def test_one_failing_page_makes_the_claim_partial_and_the_table_names_it(client, recorded, failing):
    recorded(results(*ALL_PASS[:3], failing))
    text = page_text(client)
    assert "JIS X 8341-3:2016 の適合レベル AA に一部準拠" in text
    assert "2 画面のうち 1 画面が試験に合格しました" in text
    home = text[text.index("ホーム</th>"):]
    assert "不合格" in home[: home.index("</tr>")]


@pytest.mark.django_db
def test_an_incomplete_run_is_never_claimed_as_conforming(client, recorded):
    recorded(results(*ALL_PASS, complete=False))
    text = page_text(client)
    assert "AA に一部準拠" in text and "一部の役割・画面幅は試験していません" in text


@pytest.mark.django_db
def test_without_recorded_results_the_page_says_so(client, recorded):
    text = page_text(client)
    assert "試験の結果はまだ記録されていません" in text
    assert "準拠" not in text


def test_the_readme_shows_the_recorded_results(capsys):
    call_command("accessibility_report")
    section = capsys.readouterr().out.strip()
    assert "JIS X 8341-3:2016 適合レベル AA に" in section
    assert section in README.read_text(encoding="utf-8"), (
        "run `python manage.py accessibility_report --write` to bring README.md in step with "
        "kasuhara/accessibility_results.json"
    )


def test_the_readme_section_names_each_failing_page_and_rule():
    summary = accessibility.summarise(results(*ALL_PASS[:3], row("ホーム", "staff", "390", serious=1)))
    section = accessibility.readme_section(summary)
    assert "AA に一部準拠" in section
    assert "| ホーム | staff | pass (1 moderate/minor) | **fail** — 1 serious/critical: color-contrast |" in section


@pytest.mark.django_db
def test_a_missing_page_answers_in_japanese_inside_the_product_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert '<html lang="ja">' in text and "ページが見つかりません" in text
