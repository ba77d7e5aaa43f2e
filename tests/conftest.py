"""Shared by every test folder: pytest puts this folder on `sys.path` when it loads this file
(rootdir-relative 'prepend' imports), so the shared helper modules here (`report_pages`,
`databases`, `formula_results`, `zip_bombs`, `lock_files`, `converted_manifests`) can be imported from the tests of any folder. The register's database fixtures are
registered here once, so every folder's tests share one PostgreSQL server per session."""

from databases import database_url, postgres_server  # noqa: F401
