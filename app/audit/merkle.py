"""Merkle tree hashes and inclusion proofs as RFC 9162 (Certificate
Transparency v2) section 2.1 defines them, with SHA-256:

- MTH({}) = SHA-256(""), MTH({d0}) = SHA-256(0x00 || d0);
- for n > 1, k = the largest power of two smaller than n:
  MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]));
- PATH(m, D[n]) is the list of sibling subtree hashes from the leaf up, and
  ``root_from_path`` is the verification algorithm of section 2.1.3.2.

Functions here take leaf *hashes* (``leaf_hash(data)``), so a batch's leaves
can be hashed once while streaming its events."""

import hashlib


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_hash(leaves: list[bytes]) -> bytes:
    """MTH over already hashed leaves."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    # Bottom-up pairing gives the same tree as the recursive definition: the
    # left subtree is always the largest complete one, an odd node is carried up.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(leaves: list[bytes], m: int) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf m, nearest sibling first."""
    n = len(leaves)
    if not 0 <= m < n:
        raise IndexError(m)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*inclusion_path(leaves[:k], m), tree_hash(leaves[k:])]
    return [*inclusion_path(leaves[k:], m - k), tree_hash(leaves[:k])]


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """RFC 9162 2.1.3.2: the root the path leads to, or None if the path
    cannot belong to a tree of that size."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None
