"""Reading: what one reader sees of a debate, what they may do there, and where each link goes,
decided in one place for every view that shows a debate (`lens.Lens`); and the reads built on
the lens or beside it: perspectives and their picker, pseudonyms, the tree a page shows,
moderation notices, activity figures and the feed, annotation anchoring, Markdown, exports.

May use: structure, formats, rules, selectors, models. Used by: explore, live, maps, services
(never the lens itself: a service decides with the rules), and the web.
"""
