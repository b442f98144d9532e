"""Quizzes: specs, selection, per-student variants, LMS groups and manifests."""

from .manifest import Manifest, ManifestItem, StudentRecord

__all__ = ["Manifest", "ManifestItem", "StudentRecord"]
