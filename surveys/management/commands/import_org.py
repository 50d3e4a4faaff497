"""`python manage.py import_org FILE.csv [--dry-run]`: the contract's org file import."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create or update departments and people from an org CSV (employee_id,email,full_name,department,role; "
        "other columns are ignored). People missing from the file are deactivated. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="UTF-8 CSV file with a header row")
        parser.add_argument("--dry-run", action="store_true", help="validate and report changes, write nothing")

    def handle(self, *args, file, dry_run, **options):
        # Imported here, not at the top: they load pandas, which `--help` and `check` should not pay for.
        from surveys.importers import ImportRejected, parse_org
        from surveys.services.org import org_import

        try:
            with open(file, "rb") as handle:
                parsed = parse_org(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        try:
            if not parsed.ok:
                raise ImportRejected(parsed.errors)
            # Email changes are logged as made by this command (accounts.identity).
            summary = org_import(parsed.data, dry_run=dry_run, via="import_org")
        except ImportRejected as exc:
            self.stderr.write("\n".join(str(error) for error in exc.errors))  # one write: there may be a million
            raise CommandError(f"{file}: {len(exc.errors)} problem(s); nothing was imported") from exc

        prefix = "Dry run, nothing written: would have " if summary.dry_run else ""
        self.stdout.write(
            f"{prefix}{summary.created} created, {summary.updated} updated, {summary.reactivated} reactivated, "
            f"{summary.deactivated} deactivated, {summary.unchanged} unchanged; "
            f"{len(summary.new_departments)} new department(s)"
            + (f": {', '.join(summary.new_departments)}" if summary.new_departments else "")
        )
