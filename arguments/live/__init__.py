"""Live: what changed since a reader's page (`polls`, answered before Django by
`poll_shortcut` when nothing did), who hears of what (`notifications`, written after commit),
and e-mail digests of it (`digests`).

May use: reading, structure, rules, selectors, models. Used by services (to notify after a
write) and the web.
"""
