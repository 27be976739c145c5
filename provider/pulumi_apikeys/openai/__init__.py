"""OpenAI organization Admin API keys: models and client."""
