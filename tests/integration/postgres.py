"""The JDBC tests' database: the SYNTHETIC ``shop`` database on a throw-away cluster (jobs.local_postgres)."""

from __future__ import annotations

from jobs.local_postgres import DRIVER_JAR, PostgresCluster, unavailable_reason

__all__ = ["DATABASE", "DRIVER_JAR", "SCANNER", "PostgresCluster", "shop_cluster", "unavailable_reason"]

DATABASE = "shop"
SCANNER = "scanner"

# customers: e-mail, phone and free-text notes; payments: card numbers; clean: ids and amounts only;
# restricted: the scanner may INSERT but not SELECT, so it is listed and cannot be read.
SETUP_SQL = """
CREATE TABLE public.customers (id integer PRIMARY KEY, email varchar(120), phone text, notes text);
INSERT INTO public.customers VALUES
  (1, 'jane.doe@example.com', '+44 20 7946 0958', 'prefers e-mail'),
  (2, 'mark.lee@example.org', '+44 20 7946 0959', NULL),
  (3, 'ana.lima@example.net', '(212) 555-0100', 'called about the invoice');
CREATE TABLE public.payments (payment_id bigint PRIMARY KEY, card_number varchar(19), amount numeric(10,2));
INSERT INTO public.payments VALUES
  (10, '4111111111111111', 12.50), (11, '5555555555554444', 99.00), (12, '4012888888881881', 7.25);
CREATE TABLE public.clean (id integer PRIMARY KEY, order_id bigint, amount numeric(12,2));
INSERT INTO public.clean VALUES (1, 5001, 10.00), (2, 5002, 20.50), (3, 5003, 31.75);
CREATE TABLE public.restricted (id integer, note text);
INSERT INTO public.restricted VALUES (1, 'nothing to see');
GRANT SELECT ON public.customers, public.payments, public.clean TO {scanner};
GRANT INSERT ON public.restricted TO {scanner};
"""


def shop_cluster() -> PostgresCluster:
    """A started cluster holding the shop database; the caller stops it."""
    cluster = PostgresCluster()
    cluster.start()
    try:
        cluster.create_database(DATABASE, SCANNER, SETUP_SQL.format(scanner=SCANNER))
    except Exception:
        cluster.stop()
        raise
    return cluster
