"""The public JSON API under /api/v1/ (django-ninja; docs/API.md): the debates as data, read
through the same lens as the site, and a small write API for votes and notes."""
