"""The management-review report: figures from every room, as PDF (with charts) and XLSX."""
