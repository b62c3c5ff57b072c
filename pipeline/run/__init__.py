"""Many documents: workers, Ray, manifest, outputs, export, DVC stages."""
