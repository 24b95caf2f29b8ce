"""HTTP hardening and error pages."""

import re

import pytest

from tests.conftest import login

PAGES = ["/auth/login", "/", "/admin/users", "/healthz", "/no/such/page", "/static/css/senda.css"]


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_every_response(client, url):
    login(client, "admin")
    response = client.get(url)
    response.close()  # static files are streamed from disk
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if not url.startswith("/static"):
        assert response.headers["Cache-Control"] == "no-store"


def test_no_inline_scripts_or_handlers_in_pages(client):
    login(client, "admin")
    for url in ("/auth/password", "/", "/admin/users", "/admin/users/new", "/admin/organizations/new"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>" not in body and not re.search(r"\son\w+=", body), url


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    from app import create_app
    from tests.conftest import make_config

    prod_like = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], ENV_NAME="production"))
    assert "max-age" in prod_like.test_client().get("/healthz").headers["Strict-Transport-Security"]
    with prod_like.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_not_found_page_is_translated(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "No encontrado" in response.get_data(as_text=True)


def test_unexpected_errors_show_a_reference_and_no_traceback(app, client, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    from app.auth.sessions import PUBLIC_ENDPOINTS

    login(client, "admin")
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body and "secret internal detail" not in body
    reference = re.search(r"soporte técnico: ([0-9a-f]{8})", body).group(1)
    assert any(reference in r.getMessage() for r in caplog.records)
    assert "boom" not in PUBLIC_ENDPOINTS


def test_request_size_is_limited(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/auth/login", data={"username": "x" * 5000})
    assert response.status_code == 413
    assert "demasiado grande" in response.get_data(as_text=True)
