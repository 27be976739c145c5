"""APIKEYS_LOG_LEVEL turns the provider's logs on, on stderr, where the engine shows them."""

from __future__ import annotations

import logging

import pytest

from pulumi_apikeys.core import provider_logging


@pytest.fixture(autouse=True)
def fresh_logger(monkeypatch):
    logger = logging.getLogger("pulumi_apikeys")
    level, handlers = logger.level, list(logger.handlers)
    monkeypatch.setattr(provider_logging, "_handler", None)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_unset_adds_no_handler(monkeypatch, fresh_logger):
    monkeypatch.delenv("APIKEYS_LOG_LEVEL", raising=False)
    before = list(fresh_logger.handlers)
    provider_logging.enable_logging_from_env()
    assert fresh_logger.handlers == before


def test_a_level_sends_the_packages_logs_to_stderr(monkeypatch, capsys, fresh_logger):
    monkeypatch.setenv("APIKEYS_LOG_LEVEL", "debug")
    provider_logging.enable_logging_from_env()
    logging.getLogger("pulumi_apikeys.http").debug("GET /things -> 200")
    assert "pulumi-apikeys DEBUG pulumi_apikeys.http: GET /things -> 200" in capsys.readouterr().err


def test_enabling_twice_adds_one_handler(monkeypatch, fresh_logger):
    monkeypatch.setenv("APIKEYS_LOG_LEVEL", "info")
    before = len(fresh_logger.handlers)
    provider_logging.enable_logging_from_env()
    provider_logging.enable_logging_from_env()
    assert len(fresh_logger.handlers) == before + 1


def test_an_unknown_level_is_reported_and_ignored(monkeypatch, capsys, fresh_logger):
    monkeypatch.setenv("APIKEYS_LOG_LEVEL", "loud")
    provider_logging.enable_logging_from_env()
    assert "ignoring APIKEYS_LOG_LEVEL='loud': not a log level" in capsys.readouterr().err
