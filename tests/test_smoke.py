def test_login_page_is_spanish_by_default(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert '<html lang="es-419">' in page.get_data(as_text=True)  # Spanish, country unknown
