"""Browser tests (Playwright + Debian's chromium) against the app served by uvicorn."""
