"""Ledgers (台账): export the rectification ledger to .xlsx, import existing ledgers (.xlsx/.csv).

Plain functions over the appeals models; not a Django app (no models of its own).
- exporters.rectification.export_rectification(region, start, end, out, user=None)
- importers.load_ledger(path, mapping="own"|"taidi", region=..., dry_run=False, limit=None)
"""

# The township offices' layout, in order (整改台账).
RECTIFICATION_COLUMNS: tuple[str, ...] = (
    "序号", "来源", "反映人", "乡镇/村", "类别", "问题描述", "责任单位", "责任人", "整改措施", "整改时限", "进展",
    "是否办结", "群众满意度", "备注",
)

# The export adds 佐证 (evidence): links to the case's 整改前/整改后 photos. Not part of the layout an
# import recognises (a ledger typed by hand has no such links).
EVIDENCE_COLUMN = "佐证"
EXPORT_COLUMNS: tuple[str, ...] = (*RECTIFICATION_COLUMNS, EVIDENCE_COLUMN)
