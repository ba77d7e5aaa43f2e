"""The synthetic utility's options (`auditkit synth`, `synth.SynthConfig`): the demo utility,
which `SynthConfig`'s defaults describe, the limits the generator honours and the file formats
it writes. Part of the generator's code: `synth.generator_fingerprint` hashes this file too."""

#: The demo utility: customers, district bureaus, billing months from START, random seed, and
#: days of smart-meter daily reads (none).
DEFAULT_CUSTOMERS = 20_000
DEFAULT_DISTRICTS = 6
DEFAULT_MONTHS = 36
DEFAULT_START = "2023-01"
DEFAULT_SEED = 20261128
DEFAULT_DAILY_DAYS = 0
#: Share of the customers with an irregularity at the default rates (`synth.inject.DEFAULT_RATES`),
#: as measured (distinct customers in `truth`): 0.0301, 0.0308 and 0.0301 of a 20,000-customer
#: utility of seeds 1, 2 and 3 with the injections of the original library and of issue 15 (set
#: again when a rate or an injection changes).
DEFAULT_IRREGULAR_SHARE = 0.03

#: Billing months a utility may span, and why no fewer.
MIN_MONTHS, MAX_MONTHS = 24, 240
MONTHS_WHY = (
    "fewer than 24 leave too little history: theft scores need 12 months before a drop "
    "and the seasonal statistics two full years"
)
#: Largest share of irregular customers: beyond it irregularities crowd each other out.
MAX_IRREGULAR_SHARE = 0.1

FORMATS = ("parquet", "csv", "csv-gbk", "xlsx")
