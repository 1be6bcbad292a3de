"""One module per room of the application: public pages, self-check, sign-in, staff, admin, API."""
