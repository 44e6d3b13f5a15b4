"""The one union-find of the project: dedup joins verified pairs with it, splits join groups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


class UnionFind(Generic[Key]):
    """Disjoint sets over any sortable keys, created on first sight. The smaller key is always the
    root, so a group's name never depends on the order its members were joined in."""

    def __init__(self) -> None:
        self.parent: dict[Key, Key] = {}

    def find(self, key: Key) -> Key:
        parent = self.parent.setdefault(key, key)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[key] = parent
        return parent

    def union(self, a: Key, b: Key) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))  # type: ignore[type-var]
            self.parent[high] = low

    def groups(self, keys: Iterable[Key] | None = None) -> dict[Key, list[Key]]:
        """Members by root, for ``keys`` (default: every key seen), in the order given."""
        members: dict[Key, list[Key]] = defaultdict(list)
        for key in self.parent if keys is None else keys:
            members[self.find(key)].append(key)
        return dict(members)
