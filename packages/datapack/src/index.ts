// Public API of @hub/datapack. Hand-written: every export is deliberate.
export {};
