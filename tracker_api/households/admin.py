"""The household page in the admin (no model admins: the page is the whole UI)."""

from django.contrib import admin

from tracker_api.households.admin_page import install

install(admin.site)
