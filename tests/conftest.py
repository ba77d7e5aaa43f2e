"""Shared by every test folder: pytest puts this folder on `sys.path` when it loads this file
(rootdir-relative 'prepend' imports), so the shared helper modules here (`report_pages`) can be
imported from the tests of any folder."""
