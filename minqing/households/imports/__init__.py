"""Bulk import of households and residents from a 花名册 (.xlsx/.csv, one row per resident)."""

from .loader import HouseholdImportError, ImportResult, import_roster

__all__ = ["HouseholdImportError", "ImportResult", "import_roster"]
