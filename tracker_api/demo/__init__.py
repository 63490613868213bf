"""Run the whole system on loopback and show it doing its job: ``make run``."""
