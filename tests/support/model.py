"""What the served model guarantees, as tests may rely on it (decisions/0033)."""

# Cosine distance within which one text's vectors agree: embedded alone, in any batch, as
# a query or as a memory, on any x86-64 CPU. On one machine they are equal bit for bit;
# across CPUs the int8 kernels may round differently, so no test asks for more than this.
SAME_TEXT = 1e-4
