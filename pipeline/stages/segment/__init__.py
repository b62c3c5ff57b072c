"""Segmentation: a document's lines into agenda items and their sections."""

from pipeline.stages.segment.rules import SegmentationError, Segmenter

__all__ = ["SegmentationError", "Segmenter"]
