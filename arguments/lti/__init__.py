"""LTI 1.3 tool: courses in Canvas, Moodle, Blackboard and other LMSs show argument maps.

Built on django-lti (its models hold platform registrations, deployments and our signing
keys; the admin lists them under "LTI tool") and pylti1p3 (OIDC login and token checks).
See `views` for the flow and docs/EMBEDDING.md for the values a platform needs.
"""

# The session key of the LMS origins that may frame this session's pages: set at launch, it
# also marks the session as one that lives in an LMS frame (see LmsFrameCookiesMiddleware).
SESSION_ORIGINS = "lti_frame_ancestors"
# The session key of each launched debate's course page (launch_presentation.return_url), by
# debate slug: the frame's "Back to the course" link.
SESSION_RETURN_URLS = "lti_return_urls"
