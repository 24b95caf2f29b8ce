"""Admin screens: users and organizations."""

import re

from sqlalchemy import select

from app.accounts.models import Organization, User
from app.extensions import db
from tests.conftest import login, post_form


def get_user(app, username):
    with app.app_context():
        u = db.session.scalar(select(User).where(User.username == username))
        return None if u is None else {
            "id": u.id, "role": u.role, "active": u.active, "version": u.version,
            "scopes": sorted(s.code for s in u.scopes), "full_name": u.full_name,
            "must_change": u.must_change_password, "email": u.email,
        }


def org_id(app, name="Fundación Senderos"):
    with app.app_context():
        return db.session.scalar(select(Organization.id).where(Organization.name == name))


def new_user_data(app, **overrides):
    return {
        "username": "nueva.trabajadora", "full_name": "Nueva Trabajadora Pérez",
        "email": "nueva@example.org", "role": "social_worker",
        "organization_id": org_id(app), "scope": "SV-SS-001, SV-SS-002", "locale": "es",
        **overrides,
    }


def test_admin_creates_a_user_who_must_change_the_temporary_password(app, client):
    login(client, "admin")
    response = post_form(client, "/admin/users/new", new_user_data(app))
    assert response.status_code == 200
    temp = re.search(r'class="secret"[^>]*>([^<]+)<', response.get_data(as_text=True)).group(1)
    created = get_user(app, "nueva.trabajadora")
    assert created["scopes"] == ["SV-SS-001", "SV-SS-002"] and created["must_change"]
    assert created["full_name"] == "Nueva Trabajadora Pérez"
    newcomer = app.test_client()
    login(newcomer, "nueva.trabajadora", temp)
    assert newcomer.get("/").headers["Location"] == "/auth/password"
    new = "mi nueva contraseña de campo"
    post_form(newcomer, "/auth/password",
              {"current_password": temp, "new_password": new, "confirm": new})
    assert newcomer.get("/", follow_redirects=True).status_code == 200


def test_bad_user_input_is_refused_with_translated_messages(app, client):
    login(client, "admin")
    cases = [
        ({"username": "worker.sv"}, "ya está en uso"),
        ({"scope": "SV-XX-999"}, "SV-XX-999"),
        ({"email": "not-an-email"}, "correo"),
        ({"username": "a b"}, "letras"),
        ({"full_name": ""}, "nombre completo"),
    ]
    for overrides, expected in cases:
        response = post_form(client, "/admin/users/new", new_user_data(app, **overrides),
                             form_url="/admin/users/new")
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and expected in body, overrides
        assert 'class="secret"' not in body
    assert get_user(app, "nueva.trabajadora") is None


def test_role_scope_and_deactivation_changes(app, client):
    login(client, "admin")
    target = get_user(app, "worker2.sv")
    victim = app.test_client()
    login(victim, "worker2.sv")
    data = new_user_data(app, username="worker2.sv", full_name=target["full_name"],
                         email="worker2.sv@demo.example.org", role="coordinator",
                         scope="SV-LI", version=str(target["version"]))
    response = post_form(client, f"/admin/users/{target['id']}", data)
    assert response.status_code == 302
    changed = get_user(app, "worker2.sv")
    assert changed["role"] == "coordinator" and changed["scopes"] == ["SV-LI"]
    assert victim.get("/").status_code == 302  # role change ends old sessions
    login(victim, "worker2.sv")
    data["version"] = str(changed["version"])
    data.pop("active", None)  # unchecked box: deactivate
    post_form(client, f"/admin/users/{target['id']}", data)
    assert get_user(app, "worker2.sv")["active"] is False
    assert victim.get("/").status_code == 302


def test_a_stale_user_form_is_refused_and_nothing_is_lost(app, client):
    login(client, "admin")
    target = get_user(app, "worker2.sv")
    old_version = str(target["version"])
    base = new_user_data(app, username="worker2.sv", email="worker2.sv@demo.example.org",
                         active="y", scope="SV-LI-006, SV-SA-001")
    first = post_form(client, f"/admin/users/{target['id']}",
                      {**base, "full_name": "Primer Cambio", "version": old_version})
    assert first.status_code == 302
    second = post_form(client, f"/admin/users/{target['id']}",
                       {**base, "full_name": "Segundo Cambio", "version": old_version})
    body = second.get_data(as_text=True)
    assert "Otra persona guardó" in body
    assert "Primer Cambio" in body  # the saved version is shown
    assert 'value="Segundo Cambio"' in body  # the stale edit is kept in the form
    assert get_user(app, "worker2.sv")["full_name"] == "Primer Cambio"


def test_admin_issues_a_temporary_password(app, client):
    login(client, "admin")
    target = get_user(app, "police.sv")
    officer = app.test_client()
    login(officer, "police.sv")
    response = post_form(client, f"/admin/users/{target['id']}/password", {},
                         form_url=f"/admin/users/{target['id']}")
    assert 'class="secret"' in response.get_data(as_text=True)
    assert get_user(app, "police.sv")["must_change"]
    assert officer.get("/").status_code == 302


def test_admin_creates_and_edits_an_organization(app, client):
    login(client, "admin")
    response = post_form(client, "/admin/organizations/new", {
        "name": "Alcaldía de San Salvador Centro", "kind": "municipal_office",
        "country_code": "SV", "municipalities": "SV-SS-001"})
    assert response.status_code == 302
    new_id = org_id(app, "Alcaldía de San Salvador Centro")
    refused = post_form(client, f"/admin/organizations/{new_id}", {
        "name": "Alcaldía de San Salvador Centro", "kind": "municipal_office",
        "country_code": "SV", "municipalities": "HN0801", "version": "1", "active": "y"})
    assert "HN0801" in refused.get_data(as_text=True)
    with app.app_context():
        org = db.session.get(Organization, new_id)
        assert [m.code for m in org.municipalities] == ["SV-SS-001"]


def test_user_list_is_filtered_and_paginated(app, client):
    login(client, "admin")
    body = client.get("/admin/users?role=police").get_data(as_text=True)
    assert "police.sv" in body and "worker.sv" not in body
    app.config["PAGE_SIZE"] = 3
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Página 1 de 3" in first
