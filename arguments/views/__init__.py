"""The web: views (one module per area of the site), their forms (`forms/`), the request
helpers every view starts from (`access`: request -> lens), the regions re-rendered after a
write (`fragments`), framing (`framing`), the rate-limit answer (`middleware`), and the copies
only the web keeps: claim cards (`cards`) and visitors' whole pages (`visitor_pages`).

Views hold no rules and no ORM: they ask the lens, the selectors and the services.
"""
