def test_the_server_answers_its_health_check_in_chromium(page, transactional_db):
    page.goto("/healthz")
    assert '"database": "ok"' in page.content()
