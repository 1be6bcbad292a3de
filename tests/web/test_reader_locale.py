"""Every page in the reader's language: chosen from the browser, switched with ?lang=,
remembered, said in <html lang> and Content-Language, and the caches keep one page per
language."""

from __future__ import annotations

from fastapi.testclient import TestClient

from trialdesk.i18n import _, using_locale


def test_a_chinese_browser_gets_chinese_pages(client: TestClient) -> None:
    page = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert page.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in page.headers["vary"]
    with using_locale("zh-CN"):
        assert _("Staff sign in") in page.text
    assert 'hreflang="en"' in page.text  # the way back to English


def test_the_switch_is_remembered_and_keeps_the_page(client: TestClient) -> None:
    page = client.get("/?lang=zh-CN", headers={"accept-language": "en"})
    assert '<html lang="zh-CN">' in page.text
    assert "lang=zh-CN" in page.headers["set-cookie"]
    again = client.get("/", headers={"accept-language": "en"})  # the cookie now decides
    assert '<html lang="zh-CN">' in again.text
    back = client.get("/?lang=en")
    assert '<html lang="en">' in back.text
    assert 'href="/?lang=zh-CN"' in back.text


def test_the_public_page_cache_keeps_each_language_apart(client: TestClient) -> None:
    english = client.get("/", headers={"accept-language": "en"}).text
    chinese = client.get("/", headers={"accept-language": "zh-CN"}).text
    assert '<html lang="en">' in english
    assert '<html lang="zh-CN">' in chinese
    assert client.get("/", headers={"accept-language": "en"}).text == english


def test_the_switch_link_carries_the_query_but_no_host(client: TestClient) -> None:
    page = client.get("/?q=knee&lang=en", headers={"host": "evil.example"})
    assert 'href="/?q=knee&amp;lang=zh-CN"' in page.text
    assert "evil.example" not in page.text
