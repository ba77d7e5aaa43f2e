"""The choices and defaults a user picks from, on the command line or in a call: one module per
area, each value defined once here, where nothing heavy is imported, so that the `auditkit`
parser offers them without loading the computations (which import them from here)."""
