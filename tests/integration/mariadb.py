"""The MariaDB JDBC tests' database: the SYNTHETIC ``shop`` database on a throw-away server (jobs.local_mariadb).

The same tables as tests/integration/postgres.py, in MySQL types: customers (e-mail, phone, notes), payments
(card numbers), clean (ids and amounts) and restricted (the scanner may INSERT but not SELECT).
"""

from __future__ import annotations

from jobs.local_mariadb import DRIVER_JAR, MariaDBServer, unavailable_reason

__all__ = ["DATABASE", "DRIVER_JAR", "SCANNER", "MariaDBServer", "shop_server", "unavailable_reason"]

DATABASE = "shop"
SCANNER = "scanner"

SETUP_SQL = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(120), phone text, notes text);
INSERT INTO customers VALUES
  (1, 'jane.doe@example.com', '+44 20 7946 0958', 'prefers e-mail'),
  (2, 'mark.lee@example.org', '+44 20 7946 0959', NULL),
  (3, 'ana.lima@example.net', '(212) 555-0100', 'called about the invoice');
CREATE TABLE payments (payment_id bigint unsigned PRIMARY KEY, card_number varchar(19), amount decimal(10,2));
INSERT INTO payments VALUES
  (10, '4111111111111111', 12.50), (11, '5555555555554444', 99.00), (12, '4012888888881881', 7.25);
CREATE TABLE clean (id int PRIMARY KEY, order_id bigint, amount decimal(12,2));
INSERT INTO clean VALUES (1, 5001, 10.00), (2, 5002, 20.50), (3, 5003, 31.75);
CREATE TABLE restricted (id int, note text);
INSERT INTO restricted VALUES (1, 'nothing to see');
GRANT SELECT ON shop.customers TO '{scanner}'@'127.0.0.1';
GRANT SELECT ON shop.payments TO '{scanner}'@'127.0.0.1';
GRANT SELECT ON shop.clean TO '{scanner}'@'127.0.0.1';
GRANT INSERT ON shop.restricted TO '{scanner}'@'127.0.0.1';
"""


def shop_server() -> MariaDBServer:
    """A started server holding the shop database; the caller stops it."""
    server = MariaDBServer()
    server.start()
    try:
        server.create_database(DATABASE, SCANNER, SETUP_SQL.format(scanner=SCANNER))
    except Exception:
        server.stop()
        raise
    return server
