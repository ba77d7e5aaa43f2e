"""The choices of the consumption statistics (`auditkit stats`, `auditkit.stats`)."""

#: The Benford tests of bill amounts: the first digit, the second, the first two.
BENFORD_TESTS = ("first", "second", "first_two")
