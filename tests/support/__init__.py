"""What the tests and the benchmarks share: a scratch PostgreSQL database, a local broker,
polling with a deadline."""
