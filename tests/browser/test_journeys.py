"""Journeys through a real Chromium on a small phone set to Spanish (El
Salvador). The Spanish strings are copied from translations/es, so a broken
or missing translation fails these tests."""

import re

import pytest
from playwright.sync_api import Page, expect

from config import TestingConfig
from tests.conftest import DEMO_PASSWORD, local_date

pytestmark = pytest.mark.browser

LOGIN_HEADING_ES = "Iniciar sesión en Senda"
# msgstr of "The username or password is not correct. After %(n)d failed attempts ..."
WRONG_PASSWORD_ES = (
    f"El nombre de usuario o la contraseña no son correctos. Después de {TestingConfig.LOCKOUT_THRESHOLD} "
    f"intentos fallidos, la cuenta se bloquea durante {TestingConfig.LOCKOUT_MINUTES} minutos."
)
LOGIN_PATH = re.compile(r"/auth/login(\?.*)?$")
# <html lang> is the language with the user's country: es-419 signed out, es-SV for worker.sv.
SPANISH_TAG = re.compile(r"^es(-\w+)?$")
ENGLISH_TAG = re.compile(r"^en(-\w+)?$")


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Nombre de usuario", exact=True).fill(username)
    page.get_by_label("Contraseña", exact=True).fill(password)
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()


def assert_no_horizontal_scroll(page: Page) -> None:
    # Layout read before the stylesheet has arrived is the unstyled page's:
    # wait for the load event (stylesheets included) after a click.
    page.wait_for_load_state("load")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page scrolls sideways: scrollWidth {widths[0]} > {widths[1]}"


def focused(page: Page) -> dict:
    """The element with the keyboard focus, and how its outline is drawn."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {id: el.id, outline: getComputedStyle(el).outlineStyle};
        }"""
    )


def test_social_worker_signs_in_on_a_phone_in_spanish(page: Page, live_server):
    page.goto("/")
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", SPANISH_TAG)
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGIN_HEADING_ES)
    assert_no_horizontal_scroll(page)

    sign_in(page, "worker.sv", DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server}/cases/")  # a social worker's home is the caseload
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis casos")
    expect(page.locator("html")).to_have_attribute("lang", SPANISH_TAG)
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", ENGLISH_TAG)
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    assert_no_horizontal_scroll(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Senda")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_keyboard_only_sign_in(page: Page, live_server):
    page.goto("/auth/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGIN_HEADING_ES)

    # The tab order of the login page: skip link, brand, language switch,
    # then the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_focused()
    expect(page.get_by_role("link", name="Saltar al contenido")).to_be_in_viewport()
    assert focused(page)["outline"] != "none", "the focused skip link has no visible outline"

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Senda", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="English")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_label("Nombre de usuario", exact=True)).to_be_focused()
    assert focused(page)["outline"] != "none", "the focused username field has no visible outline"
    page.keyboard.type("worker.sv")

    page.keyboard.press("Tab")
    expect(page.get_by_label("Contraseña", exact=True)).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server}/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis casos")


def test_admin_creates_a_user_who_then_sets_a_password(page: Page, live_server):
    page.goto("/")
    sign_in(page, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenido(a), Ana Administradora")

    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Usuarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usuarios")
    page.get_by_role("link", name="Nuevo usuario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuevo usuario")

    page.get_by_label("Nombre de usuario", exact=True).fill("nueva.trabajadora")
    page.get_by_label("Nombre completo").fill("Nora Trabajadora Nueva")
    page.get_by_label("Correo electrónico").fill("nora@demo.example.org")
    page.get_by_label("Rol").select_option(label="Trabajador(a) social")
    page.get_by_label("Organización").select_option(label="Fundación Senderos")
    page.get_by_label("Ámbito").fill("SV-SS-001")
    expect(page.get_by_label("Idioma")).to_have_value("es")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Guardar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Contraseña temporal para nueva.trabajadora")
    secret = page.locator(".secret")
    expect(secret).to_have_count(1)
    temporary = secret.inner_text().strip()
    assert len(temporary) >= 12, f"temporary password too short: {len(temporary)} characters"

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGIN_HEADING_ES)

    sign_in(page, "nueva.trabajadora", temporary)
    expect(page).to_have_url(f"{live_server}/auth/password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cambiar contraseña")
    expect(page.get_by_text("Está usando una contraseña temporal.")).to_be_visible()

    new_password = "camino de tierra junto al río"
    page.get_by_label("Contraseña actual", exact=True).fill(temporary)
    page.get_by_label("Contraseña nueva", exact=True).fill(new_password)
    page.get_by_label("Repita la contraseña nueva", exact=True).fill(new_password)
    page.get_by_role("button", name="Cambiar contraseña").click()

    expect(page).to_have_url(f"{live_server}/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis casos")
    expect(page.get_by_role("status")).to_contain_text("Su contraseña se cambió.")
    expect(page.get_by_role("navigation", name="Menú principal")).to_contain_text("nueva.trabajadora")


def test_wrong_password_shows_a_translated_error(page: Page, live_server):
    page.goto("/auth/login")
    sign_in(page, "worker.sv", "not-the-password")

    expect(page).to_have_url(LOGIN_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text(LOGIN_HEADING_ES)
    announced = page.locator('[role="status"], [role="alert"]').filter(has_text=WRONG_PASSWORD_ES)
    expect(announced).to_have_count(1)
    expect(announced).to_be_visible()
    expect(announced).to_have_attribute("role", "status")
    assert_no_horizontal_scroll(page)


def test_social_worker_takes_a_new_youth_from_registration_to_enrollment(page: Page, live_server):
    """worker.sv, on a 360 px phone in Spanish: register, consent, screen, enroll."""
    page.goto("/auth/login")
    sign_in(page, "worker.sv", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis casos")

    page.get_by_role("link", name="Registrar joven").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar joven")
    page.get_by_label("Nombres").fill("Yanira Beatriz")
    page.get_by_label("Primer apellido").fill("Quintanilla")
    page.get_by_label("Fecha de nacimiento").fill("2011-03-14")
    page.get_by_label("Sexo").select_option("F")
    page.get_by_label("Municipio").select_option(label="San Salvador Centro (San Salvador)")
    page.get_by_label("Nombre de la persona responsable").fill("Marta Quintanilla")
    page.get_by_label("Teléfono o dirección de la persona responsable").fill("7777-0101")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Guardar").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Yanira Beatriz Quintanilla")
    code = page.locator(".case-code").inner_text()
    assert re.fullmatch(r"SV-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert_no_horizontal_scroll(page)

    consent = page.locator("#consent form")
    consent.get_by_label("Finalidad").select_option("services")
    consent.get_by_role("button", name="Registrar consentimiento").click()
    expect(page.get_by_role("status")).to_be_visible()

    page.get_by_role("link", name="Realizar tamizaje").click()
    questions = page.locator("fieldset.question")
    for index in range(questions.count()):
        question = questions.nth(index)
        options = question.get_by_role("radio")
        (question.get_by_label("No", exact=True) if options.count() == 2 else options.first).check()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Guardar el tamizaje").click()
    expect(page.locator(".result-level")).to_have_text("Prevención primaria")

    page.goto(f"/cases/{code}")
    page.get_by_role("link", name="Inscribir en un programa").click()
    page.get_by_label("Programa").select_option(index=0)
    page.get_by_role("button", name="Inscribir").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Yanira Beatriz Quintanilla")
    expect(page.locator(".badge").first).to_have_text("Inscrito(a)")
    assert_no_horizontal_scroll(page)


def test_police_records_a_great_lesson_and_sees_nothing_of_the_youth_linked(page: Page, live_server, browser):
    """police.sv records a G.R.E.A.T. lesson on a phone in Spanish; worker.sv links two
    enrolled youth and sees them on the session; police.sv then sees neither who nor how many."""
    page.goto("/auth/login")
    sign_in(page, "police.sv", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Sesiones").click()
    page.get_by_role("link", name="Registrar una sesión").click()
    page.get_by_label("Municipio").select_option(label="San Salvador Centro (San Salvador)")
    page.get_by_label("Lugar").select_option("school")
    page.get_by_label("Nombre de la escuela").fill("Centro Escolar Navegador")
    page.get_by_label("Tipo de sesión").select_option("great_lesson")
    page.get_by_label("Currículo G.R.E.A.T.").select_option("middle")
    page.get_by_label("Número de lección").fill("4")
    page.get_by_label("Mujeres", exact=True).fill("11")
    page.get_by_label("Hombres", exact=True).fill("9")
    page.get_by_label("12–14").fill("20")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Guardar sesión").click()
    expect(page.get_by_role("status")).to_contain_text("Sesión registrada.")
    session_url = page.url
    assert_no_horizontal_scroll(page)

    worker = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-SV",
                                 base_url=live_server).new_page()
    worker.goto("/auth/login")
    sign_in(worker, "worker.sv", DEMO_PASSWORD)
    worker.goto("/cases/?status=active")
    codes = worker.locator("td[data-label='Caso'] a").all_inner_texts()[:2]
    names = worker.locator("td[data-label='Nombre']").all_inner_texts()[:2]
    assert len(codes) == 2
    worker.goto(session_url)
    for code in codes:
        worker.get_by_label("Código de caso de joven inscrito(a)").fill(code)
        worker.get_by_role("button", name="Vincular").click()
        expect(worker.get_by_role("status")).to_contain_text("Asistencia vinculada.")
    for code in codes:
        expect(worker.get_by_text(code, exact=True).first).to_be_visible()
    worker.context.close()

    page.goto(session_url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    content = page.content()
    for secret in (*codes, *names, "asistieron", "inscritos vinculados"):
        assert secret not in content


def test_manager_opens_the_dashboard_switches_level_and_period_and_downloads_xlsx(page: Page, live_app, live_server):
    page.goto("/auth/login")
    sign_in(page, "manager.sv", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Resúmenes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resumen de resultados")
    expect(page.locator("figure.chart svg").first).to_be_visible()
    year = local_date(live_app).year
    page.get_by_label("Período", exact=True).select_option(str(year))  # this year: still running
    page.get_by_label("Nivel", exact=True).select_option("department")
    page.get_by_role("button", name="Mostrar").click()
    expect(page.get_by_role("row", name=re.compile("San Salvador")).first).to_be_visible()
    page.get_by_role("link", name="San Salvador", exact=True).first.click()
    expect(page.get_by_role("rowheader", name="San Salvador Centro").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "San Salvador Centro" in cells
    assert f"{year} (provisional)" in cells  # the export names the period, and says it is still running
