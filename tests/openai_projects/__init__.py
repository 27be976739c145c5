"""Tests of the OpenAI projects backend."""
