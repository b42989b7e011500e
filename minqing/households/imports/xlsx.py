"""The roster's streamed .xlsx reader now lives in lib (the ledger import streams with it too)."""

from minqing.lib.xlsxstream import rows

__all__ = ["rows"]
