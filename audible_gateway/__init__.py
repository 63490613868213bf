"""The Audible gateway: the only process that ever holds Audible credentials."""
