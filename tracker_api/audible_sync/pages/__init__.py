"""The admin pages where a person does the whole job alone: connect, sync, settings.

Every page works on the logged-in person's own Audible config (no user id in any URL, so
there is nobody else's to address) and calls the same service functions as the REST API:
``connecting.connect_account``, ``disconnect.disconnect``, ``sync.background.start_sync``
(``sync.service.run_sync``) and ``preferences.save_preferences``. Installed into the admin site
with the dashboard (``dashboard.site.install``).
"""
