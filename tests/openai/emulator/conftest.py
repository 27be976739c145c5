"""The OpenAI service's emulator tests use the emulator tests' httpx fixtures."""

from tests.emulator.conftest import api, create_key

__all__ = ["api", "create_key"]
