"""Spend lines and contracts stored with a currency cell cut to three letters get its ISO 4217 code.

Data only: the import took a currency cell's first three letters, upper-cased, for the currency ("€" stayed "€",
"$" became a currency "$"). Our spend now sums euros alone (``store.spend_period.SPEND_CURRENCY``), so such a
line would drop out of every sum. The euro's sign becomes "EUR"; any other value that is no ISO 4217 code becomes
"XXX" (no currency), as the import now stores it (``connectors.spend_file.row_currency``), and ``supplyradar
quality`` lists those lines. A spend line's key is not touched: it reads the cell as written
(``store.own_data.spend_content``). The downgrade leaves the codes: the old spellings are not worth restoring.

Revision ID: 0022_ledger_currencies
Revises: 0021_issue20_prefix_indexes
"""
import logging

import sqlalchemy as sa
from alembic import op

from connectors.currencies import ISO_4217, NO_CURRENCY, ledger_currency

revision = '0022_ledger_currencies'
down_revision = '0021_issue20_prefix_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    changed = {}
    for table in ("spend_lines", "contracts"):
        stored = [value for (value,) in bind.execute(sa.text(f"SELECT DISTINCT currency FROM {table}"))]
        for value in stored:
            if value is None or value in ISO_4217:
                continue
            code = ledger_currency(value) or NO_CURRENCY
            if code != value:
                result = bind.execute(sa.text(f"UPDATE {table} SET currency = :code WHERE currency = :value"),
                                      {"code": code, "value": value})
                changed[(table, value, code)] = result.rowcount
    if changed:
        logging.getLogger("supplyradar.store.migrate").info("stored currencies read as ISO 4217 codes: %s", changed)


def downgrade() -> None:
    pass
