"""One module per room of the application: public pages, self-check, sign-in, staff, admin, API.

Handlers are ``async`` and run on the event loop (their store calls are short), except
the few that hash a password with argon2, which stay plain functions so FastAPI runs them
in its thread pool. Measured with benchmarks/web_load.py: CPU-bound handlers in the pool
took the GIL from the event loop thread under load and made every async page wait
(trial page p50 325 ms with the staff pages in threads, against a 33 ms baseline).
"""
