"""The functions plans call by their DuckDB names that Spark SQL 3.5 lacks, as Spark UDFs.

``FUNCTIONS_SPARK_MUST_REGISTER`` in ``core/linkage/sql/functions.ts`` lists them with the
semantics to match: what DuckDB 1.5 computes. ``register_functions`` registers one UDF per name,
so a plan's SQL text is the same on both engines. The pure-Python functions are exported too, for
tests and for reading.

DuckDB's string distances work on the UTF-8 *bytes* of their arguments, not on characters (é is
two bytes, so ``damerau_levenshtein('é', 'e')`` is 2). The linkage SQL only compares ASCII after
standardization, where bytes and characters agree, but these UDFs compare bytes too, so that they
agree with DuckDB on any input. (Spark's own ``levenshtein`` counts characters.)

Pure-Python UDFs move every row through a Python worker; at scale a pandas/Arrow UDF
(vectorized, needs pyarrow) or a JVM UDF would be several times faster (docs/spark-runner.md).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from pyspark.sql import SparkSession
from pyspark.sql.types import DataType, DoubleType, LongType, StringType

#: Unicode categories utf8proc's STRIPMARK removes: non-spacing, spacing and enclosing marks.
_MARKS = frozenset({"Mn", "Mc", "Me"})

#: Winkler's weight for each character of common prefix (at most four count).
_PREFIX_WEIGHT = 0.1


def strip_accents(text: str | None) -> str | None:
    """DuckDB's ``strip_accents``: canonical decomposition, marks removed, recomposed.

    Characters without a canonical decomposition (Ø, ß, ligatures) are kept; Hangul syllables
    stay composed. NULL gives NULL.
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)
    return unicodedata.normalize("NFC", kept)


def array_to_string(items: Sequence[str | None] | None, separator: str | None) -> str | None:
    """DuckDB's ``array_to_string``: the non-NULL elements joined by the separator.

    As in DuckDB: an empty array gives ``''``; an array of only NULLs gives NULL; a NULL array
    gives NULL; a NULL separator joins with ``','``.
    """
    if items is None:
        return None
    present = [item for item in items if item is not None]
    if items and not present:
        return None
    return ("," if separator is None else separator).join(present)


def _jaro(p: bytes, t: bytes) -> float:
    """Jaro similarity as DuckDB computes it (its bundled rapidfuzz code), on two non-empty byte strings."""
    if len(p) == 1 and len(t) == 1:
        return float(p[0] == t[0])
    # Characters match within this distance of each other.
    bound = max(len(p), len(t)) // 2 - 1
    prefix = 0
    while prefix < min(len(p), len(t)) and p[prefix] == t[prefix]:
        prefix += 1
    p_rest, t_rest = p[prefix:], t[prefix:]
    matched_p = [False] * len(p_rest)
    matched_t: list[int] = []
    for j, char in enumerate(t_rest):
        for i in range(max(0, j - bound), min(len(p_rest), j + bound + 1)):
            if not matched_p[i] and p_rest[i] == char:
                matched_p[i] = True
                matched_t.append(j)
                break
    common = prefix + len(matched_t)
    if common == 0:
        return 0.0
    matched_p_positions = [i for i, matched in enumerate(matched_p) if matched]
    out_of_order = sum(1 for i, j in zip(matched_p_positions, matched_t) if p_rest[i] != t_rest[j])
    # DuckDB halves the count of out-of-order matches with integer division, and sums in this order.
    transpositions = out_of_order // 2
    similarity = 0.0
    similarity += common / len(p)
    similarity += common / len(t)
    similarity += (common - transpositions) / common
    return similarity / 3.0


def jaro_winkler_similarity(left: str | None, right: str | None) -> float | None:
    """DuckDB's ``jaro_winkler_similarity`` over the UTF-8 bytes of its arguments.

    Jaro, plus 0.1 × the common prefix (at most 4) × (1 − Jaro) when Jaro exceeds 0.7; 0 when
    either is empty; NULL when either is NULL.
    """
    if left is None or right is None:
        return None
    p, t = left.encode("utf-8"), right.encode("utf-8")
    if not p or not t:
        return 0.0
    prefix = 0
    while prefix < min(len(p), len(t), 4) and p[prefix] == t[prefix]:
        prefix += 1
    similarity = _jaro(p, t)
    if similarity > 0.7:
        similarity += prefix * _PREFIX_WEIGHT * (1.0 - similarity)
    return similarity


def damerau_levenshtein(left: str | None, right: str | None) -> int | None:
    """DuckDB's ``damerau_levenshtein`` over the UTF-8 bytes of its arguments.

    The unrestricted distance (Lowrance-Wagner): insertions, deletions, substitutions and
    transpositions of adjacent characters, a transposed pair may be edited again (CA → ABC is 2).
    """
    if left is None or right is None:
        return None
    a, b = left.encode("utf-8"), right.encode("utf-8")
    infinity = len(a) + len(b)
    # Row i + 1 and column j + 1 hold the distance between a[:i] and b[:j]; row and column 0 a sentinel.
    d = [[infinity] * (len(b) + 2) for _ in range(len(a) + 2)]
    for i in range(len(a) + 1):
        d[i + 1][1] = i
    for j in range(len(b) + 1):
        d[1][j + 1] = j
    last_row: dict[int, int] = {}  # byte → last row of a where it occurs
    for i in range(1, len(a) + 1):
        last_match_column = 0
        for j in range(1, len(b) + 1):
            k = last_row.get(b[j - 1], 0)
            col = last_match_column
            cost = 1
            if a[i - 1] == b[j - 1]:
                cost = 0
                last_match_column = j
            d[i + 1][j + 1] = min(
                d[i][j] + cost,  # substitution (or match)
                d[i + 1][j] + 1,  # insertion
                d[i][j + 1] + 1,  # deletion
                d[k][col] + (i - k - 1) + 1 + (j - col - 1),  # transposition
            )
        last_row[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


#: Name → (function, Spark return type): what register_functions registers.
SPARK_FUNCTIONS: dict[str, tuple[Callable[..., object], DataType]] = {
    "strip_accents": (strip_accents, StringType()),
    "array_to_string": (array_to_string, StringType()),
    "jaro_winkler_similarity": (jaro_winkler_similarity, DoubleType()),
    "damerau_levenshtein": (damerau_levenshtein, LongType()),
}


def register_functions(spark: SparkSession) -> list[str]:
    """Register every function under its DuckDB name in the session; returns the names."""
    for name, (function, return_type) in SPARK_FUNCTIONS.items():
        spark.udf.register(name, function, return_type)
    return sorted(SPARK_FUNCTIONS)
