"""What the served model guarantees, as tests may rely on it (decisions/0033)."""

# Cosine distance within which one text's vectors agree when made in one run: embedded
# alone, in any batch, as a query or as a memory. On one machine they are equal bit for bit;
# no test asks for more than this, nor compares vectors made on different machines.
SAME_TEXT = 1e-4
