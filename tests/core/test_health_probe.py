"""The health probe answers containers and platforms whatever host name they use."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_health_answers_on_a_host_name_allowed_hosts_does_not_list(client, settings):
    settings.ALLOWED_HOSTS = ["tracker.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_other_paths_still_validate_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["tracker.example.com"]
    response = client.get("/api/books", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 400


@pytest.mark.django_db
def test_api_docs_page_serves_its_assets_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"drf_spectacular_sidecar" in page.content
    assert b"cdn.jsdelivr" not in page.content
