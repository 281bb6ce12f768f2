"""The production smoke test: the documented production settings (deploy/production.env),
`collectstatic` with the real manifest storage, gunicorn with DEBUG off, and pages and a
static file fetched over HTTP as the TLS proxy in front would ask for them. The rest of the
suite serves static files from the source folders; this test is what proves the real
storage works."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import override_settings

from keywork.access import actions as access
from keywork.audit.models import AuditEvent
from keywork.testing import production

BROWSER_ADDRESS = "203.0.113.9"  # where the person sits, as the proxy reports it
PASSWORD = "a-production-password-2026"


def production_env(static_root: Path, **overrides: str) -> dict[str, str]:
    return production.production_env(production.database_url(), static_root, **overrides)


@dataclass
class Browser:
    """Plain HTTP to the server, with the headers the TLS proxy adds, and cookies kept."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def ask(
        self, method: str, path: str, body: dict[str, str] | None = None, *, proxied: bool = True
    ) -> tuple[http.client.HTTPResponse, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if proxied:
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": BROWSER_ADDRESS}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{self.port}",
                "Referer": f"https://127.0.0.1:{self.port}{path}",
            }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                assert morsel["secure"], f"cookie {name} is sent without the Secure flag"
                self.cookies[name] = morsel.value
        conn.close()
        return response, text


@pytest.fixture
def served(tmp_path: Path, transactional_db: None) -> Iterator[Browser]:
    """collectstatic, then gunicorn as deploy/gunicorn.conf.py starts it, DEBUG off."""
    try:
        env = production_env(tmp_path / "static")
        with production.gunicorn(env, tmp_path / "gunicorn.log", workers=2) as port:
            yield Browser(port)
    except production.NotServing as error:
        pytest.fail(str(error))


def test_the_production_server_serves_sign_in_a_client_page_and_static_files(personas, served):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        access.set_password(
            actor=None,
            worker=personas.mi_keyworker,
            given=access.SetPasswordInput(password=PASSWORD),
        )
    browser = served

    response, _ = browser.ask("GET", "/", proxied=False)
    assert response.status == 301, "plain HTTP is sent to HTTPS"
    assert response.headers["Location"].startswith("https://")

    response, page = browser.ask("GET", "/accounts/login/")
    assert response.status == 200, page[:2000]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    stylesheet = re.search(r'href="(/static/keywork/keywork\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page names the hashed stylesheet from the manifest"

    response, css = browser.ask("GET", stylesheet.group(1))
    assert response.status == 200 and ".site-header" in css
    assert "immutable" in response.headers["Cache-Control"]

    response, page = browser.ask(
        "POST",
        "/accounts/login/",
        {
            "username": personas.mi_keyworker.user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
    )
    assert response.status == 302, page[:2000]
    assert "sessionid" in browser.cookies

    client = personas.client
    response, page = browser.ask("GET", f"/clients/{client.local_id}/")
    assert response.status == 200, page[:2000]
    assert client.family_name in page
    assert "no-store" in response.headers["Cache-Control"]
    read = AuditEvent.objects.filter(client=client, what="client record").latest("id")
    assert read.address == BROWSER_ADDRESS, "the audit records the address behind the proxy"


@pytest.mark.parametrize(
    ("overrides", "clean"),
    [({}, True), ({"SECURE_HSTS_SECONDS": "0"}, False), ({"DEBUG": "1"}, False)],
)
def test_the_documented_production_settings_pass_check_deploy_with_no_warning(
    tmp_path, overrides, clean
):
    result = production.keywork(
        production_env(tmp_path, **overrides), "check", "--deploy", "--fail-level", "WARNING"
    )
    if clean:
        assert result.returncode == 0, result.stderr + result.stdout
        assert "no issues" in result.stdout
    else:
        assert result.returncode != 0, "check --deploy should have warned"
