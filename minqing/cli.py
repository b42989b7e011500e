"""The `minqing` command. Each sub-command is a Django management command; hyphens allowed."""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "demo": "load the demo county (宣汉县) and serve it: demo [--load-only] [--households N] [--seed S] [--anchor DATE]",
    "serve": "production server (gunicorn, static files served): serve [--host H] [--port P] [--workers N]",
    "migrate": "create or upgrade the database tables",
    "upgrade": "after installing a release: migrate, then rebuild what it needs (search index): upgrade",
    "backup": "database snapshot + keys sealed with a passphrase + files: backup OUT|DIR/ [--keep N] [--passphrase-file F]",
    "restore": "restore a backup into an empty database: restore FILE [--replace] [--passphrase-file F]",
    "import-divisions": "import the division tree or a village CSV: import-divisions PATH",
    "audit": "audit trail: audit verify|checkpoint|rechain [--stream COUNTY]",
    "ledger": "rectification ledgers: ledger export --region CODE --from DATE --to DATE --out FILE.xlsx | ledger import FILE",
    "households": "一户一档: households import FILE --region CODE [--dry-run] [--map 字段=表头] | --user NAME print (--household ID | --region CODE) --out FILE.docx|.pdf | move | split | merge | mark",
    "report": "monthly briefing (工作简报): report briefing --region CODE --period YYYY-MM [--out FILE.docx]",
    "worker": "run background jobs (exports, briefings) queued by the site: worker [--once]",
    "field": "field work figures: field coverage|quotas|funnel --region CODE [--period YYYY-MM|YYYY-Qn|YYYY] | field install-quotas --county CODE",
    "disputes": "disputes: disputes adopt (rows for 矛盾纠纷 appeals) | disputes summary --region CODE [--from D --to D]",
    "notify": "notices: notify add-channel wecom|dingtalk URL [--secret S] --scope PLACE-CODE [--unit NAME] | notify channels | notify dead | notify resend ID",
    "sweep": "deadline sweep: mark yellow/red warnings and overdue appeals (run every few minutes)",
    "partition": "PostgreSQL: partition appeals, events and audit by county (events also by year): partition [--apply]",
    "rollup": "figures' roll-up tables: rollup rebuild | rollup check --region CODE --period YYYY-MM|YYYY-Qn|YYYY",
    "search": "full-text index: search rebuild (after a bulk load) | search signatures [--region CODE] (similar cases)",
    "model": "category model: model train [--exclude FILE] | model evaluate FILE.csv [--cv K] [--json]",
    "hotspots": "hot spots of a message CSV (columns of 附件3), no database: hotspots --csv FILE --top N --json",
    "createadmin": "a county's first system administrator, with a one-time code: createadmin --region CODE [--username U] [--name N]",
    "staff": "staff: staff import FILE --region CODE [--dry-run] | staff code USERNAME | staff deactivate USERNAME --reason R",
    "createsuperuser": "create an administrator account",
    "manage": "any Django management command: manage COMMAND [ARGS]",
}


def usage() -> str:
    width = max(len(c) for c in COMMANDS)
    lines = ["usage: minqing COMMAND [OPTIONS]", "", "民情 minqing — commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    lines += ["", "Settings come from environment variables: DATABASE_URL, MINQING_HOME, MINQING_SECRET_KEY,",
              "MINQING_DATA_KEY, MINQING_HASH_KEY, MINQING_ALLOWED_HOSTS (see minqing/settings.py).",
              "`minqing COMMAND --help` shows a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help", "help"}:
        print(usage())
        return
    command = argv[1]
    rest = argv[2:]
    if command == "manage":
        command, rest = (rest[0], rest[1:]) if rest else ("help", [])
    if command != "serve":  # imports, rebuilds, backups and jobs may take long: only the server is bounded
        os.environ.setdefault("MINQING_STATEMENT_TIMEOUT", "0")
    if command == "restore":
        os.environ["MINQING_RESTORING"] = "1"  # the backup brings the keys: no start-up key check
    from django.core.management import execute_from_command_line

    from minqing.ops.keyguard import KeysMissing

    try:
        execute_from_command_line(["minqing", command.replace("-", "_"), *rest])
    except KeysMissing as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
